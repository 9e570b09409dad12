"""Wire formats scapy's library reads with fields of its own (tests/layers/wire.py):
pfcp's ExtraDataField, inet6's IP6ListField and MayEnd. scapy and tshark agree
field by field, Wireshark says ``truncated`` exactly where scapy came up short,
and a damaged packet is never a Lua error; Lua script and C plugin."""

import pytest
from scapy.packet import Raw

from conftest import checked_samples, udp_pcap
from generator.check import Checker
from layers.wire import PORTS, CountedRecords, Digits, ExtraIE, ExtraIEs, IP6Lists, MayEnds

A1, A2, A3 = "2001:db8::1", "2001:db8::2", "fe80::3"

# (class, wire bytes, does scapy come up short?)
SAMPLES = [
    # the IE's length covers its 4-byte header's successors: opt, then the extra bytes
    (ExtraIE, bytes(ExtraIE(ietype=1, length=4, opt=7, extra_data=b"xyz")), False),
    (ExtraIE, bytes(ExtraIE(ietype=2, length=2, extra_data=b"ab")) + b"after", False),  # the rest is trailing
    (ExtraIE, b"\x00\x02\x00\x09abc", True),  # a length past the end: the bytes there are
    (ExtraIE, b"\x00\x01", True),
    (ExtraIEs, bytes(ExtraIEs(ies=[ExtraIE(ietype=1, length=3, opt=1, extra_data=b"pq"),
                                   ExtraIE(ietype=5, length=0), ExtraIE(ietype=2, length=1, extra_data=b"!")])),
     False),
    (IP6Lists, bytes(IP6Lists(alen=32, by_len=[A1, A2], count=1, counted=[A3], tail=9, others=[A1])), False),
    # a length that is no multiple of 16: the partial address is left to the next list
    (IP6Lists, b"\x14\x00" + bytes(16) + b"\x00\x05\x00\x07" + bytes(15), False),
    (IP6Lists, b"\x00\x02" + bytes(20), True),  # fewer addresses than counted
    (IP6Lists, b"\x40\x00" + bytes(20), True),  # a length past the end
    (MayEnds, b"\x00", True),  # a is cut short: MayEnd lets the message end after it, not before
    (MayEnds, b"\x00\x00\x05", False),  # ends after a
    (MayEnds, b"\x01\x00\x05\x00\x06\x07", False),  # ends after c
    (MayEnds, b"\x00\x00\x05\x00\x06", True),  # d is missing: b is no MayEnd
    (MayEnds, b"\x01\x00\x05\x00\x06\x07\x00\x08tail", False),
    (MayEnds, b"\x00\x00\x05\x00\x06\x00\x08", False),
    (MayEnds, b"\x00\x00\x05\x00", True),
    (Digits, bytes(Digits(imsi="208011234567890", MCC="208", length=3, number="33607")), False),
    # every nibble: 0xF is no digit, a..c and * # are scapy's letters; a number cut short
    (Digits, bytes.fromhex("0123456789abcdef" "ffff" "05" "badc"), True),
    (Digits, bytes.fromhex("21436587"), True),
    (CountedRecords, b"\x02" + b"\x03abc" + b"\x00" + b"\x00\x07" + b"\x02" + b"\x01x" + b"\x02yz", False),
    (CountedRecords, b"\x00\x00\x09\x00", False),
    (CountedRecords, b"\x03\x01a\x02bc", True),  # fewer records than counted
    (CountedRecords, b"\x01\x05ab", True),  # a record cut short
]


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.wire", tshark=tshark, backend=backend)


def test_scapy_and_tshark_agree(checker, tmp_path):
    pairs = checked_samples(checker, tmp_path / "wire.pcap", SAMPLES, PORTS, decoded_whole=True)
    first = pairs[0][1].fields
    assert first["wire.extraie.opt"] == (7, 4, 1) and first["wire.extraie.extra_data"] == (b"xyz".hex(), 5, 3)
    assert pairs[1][1].fields["wire.extraie.extra_data"] == (b"ab".hex(), 4, 2)
    assert pairs[1][1].fields["wire.trailing"] == (b"after".hex(), 6, 5)
    ies = pairs[4][1].fields
    assert ies["wire.extraie.extra_data"] == (b"pq".hex(), 5, 2) and ies["wire.extraie.extra_data#2"] == ("21", 15, 1)
    # the partial address of by_len is counted's first bytes... of which there are none: tail reads them
    partial = pairs[6][1].fields
    assert "wire.ip6lists.by_len#2" not in partial and partial["wire.ip6lists.by_len"][1:] == (2, 16)
    assert partial["wire.ip6lists.tail"] == (5, 18, 2)
    assert [k for k in pairs[10][1].fields if k.startswith("wire.mayends.")] == ["wire.mayends.kind", "wire.mayends.a"]
    assert pairs[11][1].fields["wire.mayends.c"] == (7, 5, 1) and "wire.mayends.d" not in pairs[11][1].fields
    assert pairs[13][1].fields["wire.mayends.rest"] == (b"tail".hex(), 8, 4)
    digits = pairs[16][1].fields
    assert digits["wire.digits.imsi"] == ("208011234567890", 0, 8) and digits["wire.digits.mcc"] == ("208", 8, 2)
    assert digits["wire.digits.number"] == ("33607", 11, 3)
    odd = pairs[17][1].fields
    assert odd["wire.digits.imsi"] == ("1032547698#*bac", 0, 8) and odd["wire.digits.mcc"] == ("", 8, 2)
    assert odd["wire.digits.number"] == ("*#ab", 11, 2)
    records = pairs[19][1].fields
    assert records["wire.record.data"] == ("616263", 2, 3) and records["wire.record.len#2"] == (0, 5, 1)
    assert records["wire.countedrecords.tail"] == (7, 6, 2)
    # the first greedy record keeps the second as its payload (not an element): the list ends with it
    assert records["wire.countedrecords.greedy"][1:] == (9, 2) and "wire.countedrecords.greedy#2" not in records


def test_every_field_is_decoded(checker):
    """Nothing of these layers is left undecoded."""
    for cls in (ExtraIE, ExtraIEs, IP6Lists, MayEnds, Digits, CountedRecords):
        msg = checker.message_of[cls]
        assert msg.undecoded is None and all(f.kind != "undecoded" for f in msg.fields), cls.__name__


def test_scapy_reads_them_as_the_samples_say():
    assert ExtraIE(SAMPLES[1][1]).extra_data == b"ab"
    assert IP6Lists(SAMPLES[6][1]).tail == 5
    assert "b" not in MayEnds(SAMPLES[10][1]).fields
    assert MayEnds(SAMPLES[11][1]).c == 7 and "d" not in MayEnds(SAMPLES[11][1]).fields


def test_a_filter_finds_the_digits(checker, tmp_path):
    """The digits are a string item: a display filter compares them as Wireshark's own IMSI fields."""
    path = udp_pcap(tmp_path / "digits.pcap", [(PORTS[Digits], Raw(raw)) for cls, raw, _ in SAMPLES if cls is Digits])
    out = checker.run(path, ["-Y", 'wire.digits.imsi == "208011234567890"', "-T", "fields",
                                    "-e", "frame.number", "-e", "wire.digits.number"])
    assert out.split() == ["1", "33607"]
