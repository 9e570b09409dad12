"""scapy's reading of what does not fit (tests/layers/reading.py says how),
followed by the dissector: scapy and tshark agree, and Wireshark says
``truncated`` exactly where scapy came up short; Lua script and C plugin."""

import pytest
from scapy.packet import Raw

from conftest import checked_samples, udp_pcap
from generator.check import Checker
from layers.reading import (PORTS, CountedShort, CStrings, CutElements, EmptyPackets, Endpoint, Endpoints, Greedy,
                            GreedyField, GreedyList, Labels, MiddleText, Names, OpenLists, OwnSizes, Padded, PaddedType,
                            ShortLength, SlicedLengths, StringLists, SubTlv, TagBody, TagHead, Tags, Tidy, Unreadable,
                            Wrapper)

# (class, wire bytes, does scapy come up short?)
SAMPLES = [
    (GreedyList, bytes(GreedyList(items=[Greedy(tag=1, value=2), Greedy(tag=3, value=4)])), False),
    (GreedyList, b"\x02", True),
    (GreedyField, bytes(GreedyField(kind=1, inner=Greedy(tag=1, value=5))) + b"xyz", False),
    (ShortLength, bytes(ShortLength(sectors=1, data=b"abc")), True),
    (ShortLength, b"\x00", False),
    (ShortLength, b"\x01" + bytes(range(18)), False),
    (CountedShort, b"\x03" + bytes(Tidy(tag=1)) + bytes(Tidy(tag=2)), True),
    (CountedShort, b"\x00\x02\x00\x01\x00\x02", False),
    (CountedShort, b"\x00\x03\x00\x01\x00\x02", True),
    (CountedShort, b"\x00\x03\x00\x01\x00\x02\x00", True),
    (Unreadable, b"\x00", True),
    (Unreadable, bytes(Unreadable(inner=Tidy(tag=9, value=3), status=7)), False),
    (OpenLists, bytes(OpenLists(addrs=["192.0.2.1", "192.0.2.2"], words=[1, 2, 3])), False),
    (OpenLists, b"\x08\xc0\x00\x02\x01", True),
    (OpenLists, b"\x04\xc0\x00\x02\x01\x00\x01\x00", True),
    (StringLists, bytes(StringLists(names=[b"abcd", b"efgh"], tags=[b"xy", b"zw"])), False),
    (StringLists, b"\x02abcdef", True),  # the second name cut short: the bytes there are
    (StringLists, b"\x01abcdxyz", True),  # the second tag cut short
    (OwnSizes, bytes(OwnSizes(second=Padded(data=b"ab"), span=3, bounded=Padded(data=b"cd"),
                              rest=[Padded(data=b"e"), Padded(data=b"")], last=9, sub=SubTlv(val=b"x"), after=5)),
     False),
    (OwnSizes, bytes(OwnSizes(second=Padded(data=b"ab"), span=9, bounded=Padded(data=b"cd"))), True),
    (MiddleText, b"\x01text", False),
    (MiddleText, b"\x02text", True),  # the byte after the text has nothing left: scapy fails the message
    # n = 0: the list is all but the last 4 bytes, the data all but the last one
    (SlicedLengths, b"\x00" + b"\x01\x00\x02" + b"abc" + b"\x09", False),
    (SlicedLengths, b"\x00", True),  # no bytes: no data, no items, and no tail
    (Labels, bytes(Labels(n=16, apn=b"internet.mnc001", after=7)), False),
    (Labels, b"\x05\x09abc", True),  # a label longer than the bytes: scapy's value is what there is
    (CStrings, b"ab\0" + "xy".encode("utf-16-le") + b"\0\0" + b"z\0", False),
    (CStrings, b"ab\0" + b"x\0\0y\0\0\0" + b"z", False),  # the NUL code unit at an even offset
    (CStrings, b"abc", False),  # no NUL: the rest, and the strings after it read nothing
    (EmptyPackets, b"\x00" + bytes(Tidy(tag=1, value=2)) + bytes(Padded(data=b"a")), False),
    (EmptyPackets, b"\x03" + bytes(Tidy(tag=1, value=2)), False),  # fixed takes the rest: rest gets no bytes
    (EmptyPackets, b"\x00", False),  # no bytes left for fixed and rest
    (EmptyPackets, b"\x03\x01", True),  # bounded cut short
    (Names, bytes(Names(name=b"windows", n=3, reversed=b"abc", after=4)), False),
    (Names, b" FHEJEO" + b"\0" * 24 + b"\x05ab", True),  # a NetBIOS name of zeros; reversed bytes cut short
    (CutElements, b"\x05" + bytes(Tidy(tag=1, value=2)) + b"\x07\x08" + b"\x09", True),  # the second element Raw
]


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.reading", tshark=tshark, backend=backend)


def test_scapy_and_tshark_agree_where_scapy_comes_up_short(checker, tmp_path):
    pairs = checked_samples(checker, tmp_path / "reading.pcap", SAMPLES, PORTS)
    # a greedy element takes the rest of the list: one element, though two are counted
    greedy = pairs[0][1].fields
    assert "reading.greedylist.items" in greedy and "reading.greedylist.items#2" not in greedy
    assert pairs[2][1].fields["reading.greedyfield.inner"] == ("010005" + b"xyz".hex(), 1, 6)
    # a length past the end: the bytes there are
    assert pairs[3][1].fields["reading.shortlength.data"] == ("616263", 1, 3)
    # lists without count_from: two addresses in alen's 8 bytes, three words to the end
    assert [pairs[12][1].fields.get(k) for k in ("reading.openlists.words", "reading.openlists.words#3")] == [
        (1, 9, 2), (3, 13, 2)]
    # lists of strings: a short last one is the bytes there are
    assert [pairs[16][1].fields.get(k) for k in ("reading.stringlists.names", "reading.stringlists.names#2")] == [
        ("61626364", 1, 4), ("6566", 5, 2)]
    assert pairs[17][1].fields.get("reading.stringlists.tags#2") == ("7a", 7, 1)
    # sub-packets of their own size: each item covers the bytes its class read
    own = pairs[18][1].fields
    assert [own.get(f"reading.ownsizes.{k}") for k in ("first", "second", "bounded", "rest", "rest#2")] == [
        ("000000", 0, 3), ("026162", 3, 3), ("026364", 7, 3), ("0165", 10, 2), ("00", 12, 1)]
    assert own["reading.ownsizes.last"] == (9, 13, 1)
    cut = pairs[-1][1].fields  # the element scapy cannot read: the list's last 2 bytes, as its Raw holds them
    assert cut["reading.cutelements.items#2"] == ("0708", 4, 2) and cut["reading.tidy.tag#2"] == (7, 4, 1)
    assert own["reading.ownsizes.sub"] == ("000178", 14, 3) and own["reading.ownsizes.after"] == (5, 17, 1)
    # a length past the end: the sub-packet reads the bytes there are
    assert pairs[19][1].fields["reading.ownsizes.bounded"] == ("02636400000000", 7, 7)
    # a StrField before others takes every byte left
    assert pairs[20][1].fields == {"reading.middletext.kind": (1, 0, 1), "reading.middletext.text": ("74657874", 1, 4)}
    # a converted string: its bytes
    assert pairs[24][1].fields["reading.labels.apn"] == ((b"\x08internet\x06mnc001").hex(), 1, 16)
    assert pairs[24][1].fields["reading.labels.after"] == (7, 17, 1)
    names = pairs[-3][1].fields  # scapy.fields' own converted strings: their bytes
    assert names["reading.names.name"] == (bytes(Names(name=b"windows"))[:31].hex(), 0, 31)
    assert names["reading.names.reversed"] == ("636261", 32, 3) and names["reading.names.after"] == (4, 35, 1)
    # negative lengths: Python's slices
    assert pairs[22][1].fields == {"reading.slicedlengths.n": (0, 0, 1), "reading.slicedlengths.items": ("010002", 1, 3),
                                   "reading.tidy.tag": (1, 1, 1), "reading.tidy.value": (2, 2, 2),
                                   "reading.slicedlengths.data": ("616263", 4, 3), "reading.slicedlengths.tail": (9, 7, 1)}


def test_strings_and_packets_that_read_nothing(checker, tmp_path):
    """C strings without their NUL, and sub-packets given no bytes: items as scapy's, no truncated."""
    cases = [(cls, raw) for cls, raw, _ in SAMPLES if cls in (CStrings, EmptyPackets)]
    path = udp_pcap(tmp_path / "empty.pcap", [(PORTS[cls], Raw(raw)) for cls, raw in cases])
    pairs = []
    result = checker.check(path, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.disagreements == [] and result.problems == []
    fields = [theirs.fields for _, theirs in pairs]
    assert fields[0] == {"reading.cstrings.narrow": ("616200", 0, 3), "reading.cstrings.wide": ("780079000000", 3, 6),
                         "reading.cstrings.last": ("7a00", 9, 2)}
    # the NUL code unit at an even offset; the next string is its NUL alone, and "z" is the payload
    assert fields[1]["reading.cstrings.wide"] == ("780000790000", 3, 6)
    assert fields[1]["reading.cstrings.last"] == ("00", 9, 1)
    assert fields[2] == {"reading.cstrings.narrow": ("616263", 0, 3)}
    assert "reading.emptypackets.bounded" not in fields[3]  # length 0: no packet
    assert fields[4]["reading.emptypackets.fixed"] == ("", 4, 0) and fields[4]["reading.emptypackets.rest"] == ("", 4, 0)
    assert "reading.emptypackets.bounded" not in fields[5]
    assert fields[5]["reading.emptypackets.fixed"] == ("", 1, 0) and fields[5]["reading.emptypackets.rest"] == ("", 1, 0)
    assert "reading.tidy.tag" not in fields[5]


def test_scapy_gives_up_where_the_dissector_says_truncated():
    """The constructs behave in scapy as the layers' docstring says."""
    assert len(GreedyList(SAMPLES[0][1]).items) == 1
    with pytest.raises(Exception):
        Unreadable(b"\x00")
    assert OpenLists(SAMPLES[12][1]).addrs == ["192.0.2.1", "192.0.2.2"]
    assert MiddleText(b"\x01text").text == b"text" and MiddleText(b"\x01text").more == b""
    with pytest.raises(Exception):
        MiddleText(b"\x02text")


def test_an_integer_before_its_padding(checker, tmp_path):
    pairs = checked_samples(checker, tmp_path / "padded.pcap", [(PaddedType, b"\x05\x00\x00\x07", False)], PORTS)
    assert pairs[0][1].fields == {"reading.paddedtype.type": (5, 0, 1), "reading.paddedtype.length": (7, 2, 2)}


def test_a_sub_packet_bound_to_padding_hands_back_what_follows(checker, tmp_path):
    wire = bytes(Endpoints(data=Endpoint(port=7)))
    pairs = checked_samples(checker, tmp_path / "endpoints.pcap", [(Endpoints, wire, False)], PORTS)
    assert pairs[0][1].fields["reading.endpoints.control"] == ("04010000", 0, 4)
    assert pairs[0][1].fields["reading.endpoint.port#2"] == (7, 6, 2)


def test_a_sub_packet_scapy_gives_up_in(checker, tmp_path):
    """scapy fails the message where its sub-packet's fixed field finds no bytes; the
    dissector shows the sub-packet as far as it reads, both messages truncated."""
    samples = [(Wrapper, b"\x01\x02ab\x00\x07", False), (Wrapper, b"\x00\x05abc", True)]
    pairs = checked_samples(checker, tmp_path / "wrapper.pcap", samples, PORTS)
    assert pairs[1][1].fields["reading.wrapper.frame_2"] == ("05616263", 1, 4)
    assert pairs[1][1].fields["reading.frame.info"] == ("616263", 2, 3)
    assert ("reading.frame.truncated", "reading.frame") in pairs[1][1].experts


def test_an_element_whose_payload_ends_itself(checker, tmp_path):
    """Each element is its head and the body bound to it, which hands the rest back: the list goes on."""
    wire = bytes(Tags(tags=[TagHead(type=1) / TagBody(value=2), TagHead(type=3) / TagBody(value=4)], after=5))
    pairs = checked_samples(checker, tmp_path / "tags.pcap", [(Tags, wire, False)], PORTS)
    fields = pairs[0][1].fields
    assert fields["reading.tags.tags"] == ("0102", 1, 2) and fields["reading.tags.tags#2"] == ("0304", 3, 2)
    assert fields["reading.tagbody.value#2"] == (4, 4, 1) and fields["reading.tags.after"] == (5, 5, 1)
