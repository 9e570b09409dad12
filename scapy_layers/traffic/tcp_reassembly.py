"""In-order byte streams out of TCP segments, one per direction."""

from __future__ import annotations

from .frames import TCP_FIN, TCP_RST, TCP_SYN, TcpSegment

SEQ_MOD = 1 << 32
# Out-of-order data kept per direction before we give up waiting for a gap.
MAX_PENDING_BYTES = 16 << 20


def _seq_diff(a: int, b: int) -> int:
    """a - b in sequence space, as a signed 32-bit number."""
    d = (a - b) % SEQ_MOD
    return d - SEQ_MOD if d >= SEQ_MOD // 2 else d


class TcpStream:
    """One direction of a TCP connection.

    ``feed`` returns the newly contiguous bytes; retransmitted data is dropped
    and segments after a gap wait until the gap is filled. A capture that
    starts mid-connection begins at the first segment seen.
    """

    def __init__(self) -> None:
        self.next_seq: int | None = None
        self.pending: dict[int, bytes] = {}
        self.pending_bytes = 0
        self.closed = False

    def feed(self, seg: TcpSegment) -> bytes:
        if seg.flags & TCP_SYN:
            self.next_seq = (seg.seq + 1) % SEQ_MOD
            self.pending.clear()
            self.pending_bytes = 0
            data_seq = self.next_seq
        else:
            data_seq = seg.seq
        if seg.flags & (TCP_FIN | TCP_RST):
            self.closed = True
        if not seg.payload:
            return b""
        if self.next_seq is None:
            self.next_seq = data_seq
        return self._accept(data_seq, seg.payload)

    def _accept(self, seq: int, data: bytes) -> bytes:
        d = _seq_diff(seq, self.next_seq)
        if d > 0:
            if self.pending_bytes + len(data) <= MAX_PENDING_BYTES and seq not in self.pending:
                self.pending[seq] = data
                self.pending_bytes += len(data)
            return b""
        if -d >= len(data):
            return b""  # a pure retransmission
        out = [data[-d:]]
        self.next_seq = (self.next_seq + len(out[0])) % SEQ_MOD
        while self.pending:
            ready = [s for s in self.pending if _seq_diff(s, self.next_seq) <= 0]
            if not ready:
                break
            for s in ready:
                chunk = self.pending.pop(s)
                self.pending_bytes -= len(chunk)
                overlap = -_seq_diff(s, self.next_seq)
                if overlap < len(chunk):
                    out.append(chunk[overlap:])
                    self.next_seq = (self.next_seq + len(chunk) - overlap) % SEQ_MOD
        return b"".join(out)
