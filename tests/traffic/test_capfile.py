"""Capture files read exactly: the same records as scapy's readers on good files,
and a clear CaptureFileError where a file stops making sense."""

import re
import struct

import pytest
from scapy.utils import RawPcapNgReader, RawPcapReader

from conftest import PCAPS
from scapy_layers.traffic.capfile import CaptureFileError, read_records

SAMPLES = sorted(PCAPS.glob("*.pcap*"))


def _scapy_records(path):
    reader = RawPcapReader(str(path))
    out = []
    for data, meta in reader:
        if isinstance(reader, RawPcapNgReader):
            out.append((bytes(data), meta.linktype, ((meta.tshigh << 32) | meta.tslow) / meta.tsresol))
        else:
            out.append((bytes(data), reader.linktype, meta.sec + meta.usec / 1e6))
    reader.close()
    return out


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_same_records_as_scapy(path):
    ours = list(read_records(str(path)))
    theirs = _scapy_records(path)
    assert [(r.data, r.linktype) for r in ours] == [(d, lt) for d, lt, _ in theirs]
    assert all(abs(r.time - t) < 1e-6 for r, (_, _, t) in zip(ours, theirs))
    assert ours[-1].end == path.stat().st_size


def _pcap(records, magic=0xA1B2C3D4, endian="<", linktype=1):
    out = struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, 65535, linktype)
    for sec, frac, data in records:
        out += struct.pack(endian + "IIII", sec, frac, len(data), len(data)) + data
    return out


def _block(btype, body):
    body += b"\0" * (-len(body) % 4)
    return struct.pack("<II", btype, len(body) + 12) + body + struct.pack("<I", len(body) + 12)


def _pcapng(*blocks):
    shb = _block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    return shb + b"".join(blocks)


def test_nanosecond_and_big_endian_pcap(tmp_path):
    ns = tmp_path / "ns.pcap"
    ns.write_bytes(_pcap([(10, 500_000_000, b"abc")], magic=0xA1B23C4D))
    be = tmp_path / "be.pcap"
    be.write_bytes(_pcap([(10, 250_000, b"xyz")], endian=">", linktype=101))
    (rec,) = read_records(str(ns))
    assert rec.time == pytest.approx(10.5) and rec.data == b"abc"
    (rec,) = read_records(str(be))
    assert rec.time == pytest.approx(10.25) and rec.linktype == 101


def test_pcapng_interfaces_resolution_and_simple_packets(tmp_path):
    idb_eth = _block(1, struct.pack("<HHI", 1, 0, 65535) + struct.pack("<HHB", 9, 1, 9) + b"\0\0\0" + b"\0" * 4)
    idb_raw = _block(1, struct.pack("<HHI", 101, 0, 65535))
    epb = _block(6, struct.pack("<IIIII", 1, 0, 3_000_000, 2, 2) + b"hi")
    spb = _block(3, struct.pack("<I", 3) + b"abc")
    other = _block(5, b"statistics")  # skipped
    path = tmp_path / "x.pcapng"
    path.write_bytes(_pcapng(idb_eth, idb_raw, epb, other, spb))
    first, second = read_records(str(path))
    assert (first.linktype, first.data, first.time) == (101, b"hi", pytest.approx(3.0))
    assert (second.linktype, second.data) == (1, b"abc")  # a simple packet is on interface 0


@pytest.mark.parametrize("content,reason", [
    (b"", "empty file"),
    (b"\xd4\xc3", "too short for a capture"),
    (b"GET / HTTP/1.1\r\n", "not a pcap or pcapng file (starts with 47455420)"),
])
def test_not_a_capture(tmp_path, content, reason):
    path = tmp_path / "f"
    path.write_bytes(content)
    with pytest.raises(CaptureFileError, match=re.escape(f"{path}: {reason}")):
        list(read_records(str(path)))


def _boundaries(whole: bytes, pcapng: bool) -> set[int]:
    """Sizes at which a cut leaves a shorter but valid file: between records or blocks."""
    if not pcapng:
        out, at = {24}, 24
        while at < len(whole):
            at += 16 + struct.unpack_from("<I", whole, at + 8)[0]
            out.add(at)
        return out
    out, at = set(), 0
    while at < len(whole):
        at += struct.unpack_from("<I", whole, at + 4)[0]
        out.add(at)
    return out


def test_cut_short_anywhere_is_an_error_never_a_quiet_end(tmp_path):
    for sample in ("tcp_conversation.pcap", "tcp_conversation.pcapng"):
        whole = (PCAPS / sample).read_bytes()
        ends = _boundaries(whole, sample.endswith("ng"))
        # every record or block boundary, and a spread of sizes inside records
        for size in sorted(set(range(1, len(whole), 5)) | ends | {e - 1 for e in ends} | {e + 1 for e in ends}):
            if not 0 < size < len(whole):
                continue
            path = tmp_path / sample
            path.write_bytes(whole[:size])
            if size in ends:
                list(read_records(str(path)))  # cut between records: a shorter, valid file
            else:
                with pytest.raises(CaptureFileError, match="cut short|too short"):
                    list(read_records(str(path)))


def test_damaged_pcapng_block_lengths(tmp_path):
    idb = _block(1, struct.pack("<HHI", 1, 0, 65535))
    epb = bytearray(_block(6, struct.pack("<IIIII", 0, 0, 0, 4, 4) + b"data"))
    epb[-4:] = struct.pack("<I", 999)  # trailing length disagrees
    path = tmp_path / "bad.pcapng"
    path.write_bytes(_pcapng(idb, bytes(epb)))
    with pytest.raises(CaptureFileError, match="does not end where its length says"):
        list(read_records(str(path)))
    epb = _block(6, struct.pack("<IIIII", 3, 0, 0, 4, 4) + b"data")  # interface 3 was never declared
    path.write_bytes(_pcapng(idb, epb))
    with pytest.raises(CaptureFileError, match="names interface 3"):
        list(read_records(str(path)))
