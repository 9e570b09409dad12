"""Records of a pcap or pcapng file, read exactly.

scapy's readers turn a file cut short in the middle of a record into a quiet
end of file (with a logged warning), so a damaged capture would look like a
complete, shorter one. This reader says which it is: a clean end, or a
``CaptureFileError`` naming where the file stops making sense. Records are
yielded as they are read, so a huge file needs no more memory than a frame.
"""

from __future__ import annotations

import struct
from typing import BinaryIO, Iterator, NamedTuple

PCAP_MAGICS = {
    b"\xd4\xc3\xb2\xa1": ("<", 1e-6), b"\xa1\xb2\xc3\xd4": (">", 1e-6),
    b"\x4d\x3c\xb2\xa1": ("<", 1e-9), b"\xa1\xb2\x3c\x4d": (">", 1e-9),
}
PCAPNG_SHB = 0x0A0D0D0A
PCAPNG_BYTE_ORDER = 0x1A2B3C4D
PCAPNG_IDB, PCAPNG_OBSOLETE_PB, PCAPNG_SPB, PCAPNG_EPB = 1, 2, 3, 6
IF_TSRESOL = 9
# pcapng blocks bigger than this are damage, not data (Wireshark's own limit is 16 MiB)
MAX_BLOCK = 16 << 20


class CaptureFileError(ValueError):
    """The file is not a capture, or is damaged where its records are framed."""


class Record(NamedTuple):
    time: float
    data: bytes
    linktype: int
    end: int  # byte offset just after the record in the file (for progress)


def read_records(path: str) -> Iterator[Record]:
    """Every packet record of ``path`` in file order; raises CaptureFileError on a bad file."""
    with open(path, "rb") as f:
        magic = f.read(4)
        if len(magic) < 4:
            raise CaptureFileError(f"{path}: {'empty file' if not magic else 'too short for a capture'}")
        if magic in PCAP_MAGICS:
            yield from _pcap(f, path, *PCAP_MAGICS[magic])
        elif magic == PCAPNG_SHB.to_bytes(4, "little"):
            f.seek(0)
            yield from _pcapng(f, path)
        else:
            raise CaptureFileError(f"{path}: not a pcap or pcapng file (starts with {magic.hex()})")


def _exact(f: BinaryIO, n: int, path: str, what: str) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise CaptureFileError(f"{path}: cut short in the middle of {what} (byte {f.tell()})")
    return data


def _pcap(f: BinaryIO, path: str, endian: str, unit: float) -> Iterator[Record]:
    header = _exact(f, 20, path, "the file header")
    linktype = struct.unpack(endian + "I", header[16:20])[0] & 0x0FFFFFFF
    record = struct.Struct(endian + "IIII")
    number, offset = 0, 24
    while True:
        head = f.read(16)
        if not head:
            return
        number += 1
        if len(head) < 16:
            raise CaptureFileError(f"{path}: cut short in the middle of record {number}'s header (byte {f.tell()})")
        sec, frac, caplen, _ = record.unpack(head)
        if caplen > MAX_BLOCK:
            raise CaptureFileError(f"{path}: record {number} claims {caplen} bytes; the file is damaged")
        offset += 16 + caplen
        yield Record(sec + frac * unit, _exact(f, caplen, path, f"record {number}"), linktype, offset)


def _pcapng(f: BinaryIO, path: str) -> Iterator[Record]:
    endian = "<"
    interfaces: list[tuple[int, float]] = []  # (linktype, seconds per timestamp unit)
    first = True
    start = 0
    while True:
        head = f.read(8)
        if not head and not first:
            return
        if len(head) < 8:
            raise CaptureFileError(f"{path}: cut short in the middle of a block header (byte {f.tell()})")
        if first or head[:4] == PCAPNG_SHB.to_bytes(4, "little"):
            order = _exact(f, 4, path, "a section header")
            endian = "<" if struct.unpack("<I", order)[0] == PCAPNG_BYTE_ORDER else ">"
            if struct.unpack(endian + "I", order)[0] != PCAPNG_BYTE_ORDER:
                raise CaptureFileError(f"{path}: bad byte-order magic in the section header at byte {start}")
            interfaces = []
            first = False
            btype, blen = PCAPNG_SHB, struct.unpack(endian + "I", head[4:8])[0]
            body_read = 4
        else:
            btype, blen = struct.unpack(endian + "II", head)
            body_read = 0
        if blen < 12 or blen % 4 or blen > MAX_BLOCK:
            raise CaptureFileError(f"{path}: block at byte {start} has an impossible length {blen}")
        body = _exact(f, blen - 12 - body_read, path, f"the block at byte {start}")
        trailer = _exact(f, 4, path, f"the block at byte {start}")
        if struct.unpack(endian + "I", trailer)[0] != blen:
            raise CaptureFileError(f"{path}: the block at byte {start} does not end where its length says")
        block_start, start = start, start + blen
        if btype == PCAPNG_IDB:
            if len(body) < 8:
                raise CaptureFileError(f"{path}: interface block at byte {block_start} is too short")
            interfaces.append((struct.unpack(endian + "H", body[:2])[0], _tsresol(body[8:], endian)))
        elif btype in (PCAPNG_EPB, PCAPNG_OBSOLETE_PB, PCAPNG_SPB):
            yield _packet(btype, body, endian, interfaces, path, block_start)._replace(end=start)


def _tsresol(options: bytes, endian: str) -> float:
    off = 0
    while off + 4 <= len(options):
        code, length = struct.unpack_from(endian + "HH", options, off)
        if code == 0:
            break
        if code == IF_TSRESOL and length >= 1:
            v = options[off + 4]
            return 2.0 ** -(v & 0x7F) if v & 0x80 else 10.0 ** -v
        off += 4 + length + (-length % 4)
    return 1e-6


def _packet(btype: int, body: bytes, endian: str, interfaces, path: str, start: int) -> Record:
    if btype == PCAPNG_SPB:
        if len(body) < 4:
            raise CaptureFileError(f"{path}: packet block at byte {start} is too short")
        iface, ts, data_at = 0, 0, 4
        caplen = min(struct.unpack_from(endian + "I", body)[0], len(body) - 4)
    else:
        if len(body) < 20:
            raise CaptureFileError(f"{path}: packet block at byte {start} is too short")
        if btype == PCAPNG_EPB:
            iface, high, low, caplen = struct.unpack_from(endian + "IIII", body)
        else:
            iface, _, high, low, caplen = struct.unpack_from(endian + "HHIII", body)
        ts, data_at = (high << 32) | low, 20
    if iface >= len(interfaces):
        raise CaptureFileError(f"{path}: packet block at byte {start} names interface {iface}, "
                               f"which no interface block declared")
    if caplen < 0 or data_at + caplen > len(body):
        raise CaptureFileError(f"{path}: packet block at byte {start} claims more bytes than it holds")
    linktype, unit = interfaces[iface]
    return Record(ts * unit, body[data_at:data_at + caplen], linktype, 0)
