"""Named-pipe data out of SMB2 over TCP [MS-SMB2 2.2].

Follows one TCP connection's SMB2 messages (NetBIOS session framing, compound
chains) and turns WRITE / READ / IOCTL(FSCTL_PIPE_TRANSCEIVE) on each FileId
into two byte streams per pipe: client->server and server->client. DCE/RPC is
then read from those streams exactly as from TCP.

Damaged input is data: a message too short for its header is skipped, and a
NetBIOS length that overruns (the next TCP chunk starts a new SMB2 message
while the previous one still waits for bytes) or that lands mid-message (what
follows is no SMB2 header) drops what is buffered and resynchronises at the
next chunk, as Wireshark does per TCP segment. Each is noted in ``problems``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

SMB2_MAGIC = b"\xfeSMB"
SMB2_HEADER = 64
SMB2_READ = 0x0008
SMB2_WRITE = 0x0009
SMB2_IOCTL = 0x000B
SMB2_FLAGS_SERVER_TO_REDIR = 0x00000001
FSCTL_PIPE_TRANSCEIVE = 0x0011C017
STATUS_PENDING = 0x00000103
NBT_SESSION_MESSAGE = 0x00
NBT_KEEP_ALIVE = 0x85
# Requests whose response we still wait for, per connection.
MAX_OUTSTANDING = 4096


def looks_like_smb2(data: bytes) -> bool:
    return len(data) >= 8 and data[0] == NBT_SESSION_MESSAGE and data[4:8] == SMB2_MAGIC


def _plausible_nbt(buf) -> bool:
    """The bytes can start a NetBIOS frame we read: an SMB2 message or a keep-alive."""
    if len(buf) < 4:
        return True  # not enough to tell yet
    if buf[0] == NBT_KEEP_ALIVE:
        return buf[1:4] == b"\0\0\0"
    return buf[0] == NBT_SESSION_MESSAGE and (len(buf) < 8 or buf[4:8] == SMB2_MAGIC)


@dataclass(frozen=True)
class PipeData:
    file_id: bytes
    to_server: bool
    data: bytes


class Smb2PipeDemux:
    """One SMB2 connection; ``feed`` the bytes of each TCP direction.

    Which way a message goes is read from its SMB2 flags, so ``flow`` is
    only a key that keeps the two directions' framing apart.
    """

    def __init__(self) -> None:
        self.bufs: dict[object, bytearray] = {}
        self.read_file_ids: dict[int, bytes] = {}
        self.problems: list[str] = []

    def feed(self, data: bytes, flow: object) -> list[PipeData]:
        buf = self.bufs.setdefault(flow, bytearray())
        if buf and looks_like_smb2(data):
            length = int.from_bytes(buf[1:4], "big")
            self.problems.append(f"NetBIOS length {length} overruns the next SMB2 message; "
                                 f"{len(buf)} buffered bytes dropped")
            buf.clear()
        if not buf and not _plausible_nbt(data):
            return []  # mid-message after a resync: wait for a chunk that starts one
        buf += data
        out: list[PipeData] = []
        while len(buf) >= 4:
            if not _plausible_nbt(buf):
                self.problems.append(f"no SMB2 message where the NetBIOS framing puts one; "
                                     f"{len(buf)} bytes dropped")
                buf.clear()
                break
            length = int.from_bytes(buf[1:4], "big")
            if len(buf) < 4 + length:
                break
            kind = buf[0]
            msg = bytes(buf[4: 4 + length])
            del buf[: 4 + length]
            if kind == NBT_SESSION_MESSAGE:
                out.extend(self._message_chain(msg))
        return out

    def _message_chain(self, msg: bytes) -> list[PipeData]:
        out = []
        off = 0
        if len(msg) < SMB2_HEADER:
            self.problems.append(f"SMB2 message of {len(msg)} bytes is shorter than its 64-byte header; skipped")
            return out
        while off + SMB2_HEADER <= len(msg) and msg[off: off + 4] == SMB2_MAGIC:
            nxt = struct.unpack_from("<I", msg, off + 20)[0]
            end = off + nxt if nxt else len(msg)
            if end - off < SMB2_HEADER:
                self.problems.append(f"SMB2 NextCommand {nxt} is shorter than the 64-byte header; "
                                     f"rest of the compound dropped")
                break
            item = self._command(msg[off:end])
            if item is not None:
                out.append(item)
            if not nxt or end <= off:
                break
            off = end
        return out

    def _command(self, m: bytes) -> PipeData | None:
        status, command = struct.unpack_from("<IH", m, 8)
        flags = struct.unpack_from("<I", m, 16)[0]
        message_id = struct.unpack_from("<Q", m, 24)[0]
        response = bool(flags & SMB2_FLAGS_SERVER_TO_REDIR)
        b = SMB2_HEADER
        try:
            if command == SMB2_WRITE and not response:
                data_off, length = struct.unpack_from("<HI", m, b + 2)
                return PipeData(m[b + 16: b + 32], True, m[data_off: data_off + length])
            if command == SMB2_READ and not response:
                if len(self.read_file_ids) < MAX_OUTSTANDING:
                    self.read_file_ids[message_id] = m[b + 16: b + 32]
                return None
            if command == SMB2_READ and response:
                if status == STATUS_PENDING:
                    return None
                file_id = self.read_file_ids.pop(message_id, None)
                data_off = m[b + 2]
                length = struct.unpack_from("<I", m, b + 4)[0]
                if file_id is None or data_off == 0:
                    return None
                return PipeData(file_id, False, m[data_off: data_off + length])
            if command == SMB2_IOCTL:
                ctl = struct.unpack_from("<I", m, b + 4)[0]
                if ctl != FSCTL_PIPE_TRANSCEIVE or status == STATUS_PENDING:
                    return None
                file_id = m[b + 8: b + 24]
                if not response:
                    in_off, in_len = struct.unpack_from("<II", m, b + 24)
                    return PipeData(file_id, True, m[in_off: in_off + in_len])
                out_off, out_len = struct.unpack_from("<II", m, b + 32)
                return PipeData(file_id, False, m[out_off: out_off + out_len])
        except (struct.error, IndexError):
            self.problems.append(f"SMB2 command 0x{command:04x} ({len(m)} bytes) too short for its fields")
            return None
        return None
