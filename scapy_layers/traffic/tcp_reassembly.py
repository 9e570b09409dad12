"""In-order byte streams out of TCP segments, one per direction."""

from __future__ import annotations

from .frames import TCP_FIN, TCP_RST, TCP_SYN, TcpSegment

SEQ_MOD = 1 << 32
# Out-of-order data kept per direction before we give up waiting for a gap.
MAX_PENDING_BYTES = 16 << 20
# A gap still open after this many later segments (or bytes) will not be
# filled: a lost or damaged segment. Its data is skipped, so one bad sequence
# number cannot hold back the rest of the connection.
GAP_PATIENCE_SEGMENTS = 32
GAP_PATIENCE_BYTES = 256 << 10


def _seq_diff(a: int, b: int) -> int:
    """a - b in sequence space, as a signed 32-bit number."""
    d = (a - b) % SEQ_MOD
    return d - SEQ_MOD if d >= SEQ_MOD // 2 else d


class TcpStream:
    """One direction of a TCP connection.

    ``feed`` returns the newly contiguous bytes; retransmitted data is dropped
    and segments after a gap wait until the gap is filled, or until the gap
    is given up (``gaps_skipped`` counts those: the bytes after one do not
    continue the bytes before it). A capture that starts mid-connection
    begins at the first segment seen.
    """

    def __init__(self) -> None:
        self.next_seq: int | None = None
        self.pending: dict[int, bytes] = {}
        self.pending_bytes = 0
        self.closed = False
        self.gaps_skipped = 0
        self.problems: list[str] = []

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
        out = b""
        if seg.payload:
            if self.next_seq is None:
                self.next_seq = data_seq
            out = self._accept(data_seq, seg.payload)
        if self.closed and self.pending:
            out += self._skip_gap()  # the sender is done: nothing will fill the gap
        return out

    def _accept(self, seq: int, data: bytes) -> bytes:
        d = _seq_diff(seq, self.next_seq)
        if d > 0:
            if self.pending_bytes + len(data) <= MAX_PENDING_BYTES and seq not in self.pending:
                self.pending[seq] = data
                self.pending_bytes += len(data)
            if len(self.pending) > GAP_PATIENCE_SEGMENTS or self.pending_bytes > GAP_PATIENCE_BYTES:
                return self._skip_gap()
            return b""
        if -d >= len(data):
            return b""  # a pure retransmission
        return self._deliver(data[-d:])

    def _skip_gap(self) -> bytes:
        """Give up the gap before the nearest waiting segment, and deliver from there
        (one gap only: a segment far ahead may be damage, and must not take the
        stream past the data still to come)."""
        first = min(self.pending, key=lambda s: _seq_diff(s, self.next_seq))
        self.problems.append(f"TCP gap of {_seq_diff(first, self.next_seq)} bytes never filled; skipped")
        self.gaps_skipped += 1
        self.next_seq = first
        data = self.pending.pop(first)
        self.pending_bytes -= len(data)
        return self._deliver(data)

    def _deliver(self, data: bytes) -> bytes:
        """``data`` starts at next_seq: it and every waiting segment it makes contiguous."""
        out = [data]
        self.next_seq = (self.next_seq + len(data)) % SEQ_MOD
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
