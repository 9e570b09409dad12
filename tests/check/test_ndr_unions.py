"""NDR unions as scapy's MS-RPC interfaces write them (NDRUnionField): the tag,
aligned as the union is, then the arm the tag chooses, by scapy's own
conditions on it; an arm that is an embedded pointer has its pointee right
after it (a union is a constructed type of its own). scapy and tshark agree
field by field with the Lua script and the C plugin, on every generation; a
stub cut in the tag, the referent or the pointee is truncated, never a Lua
error."""

import pytest
from scapy.layers.dcerpc import NDRPointer, NDRUnion
from scapy.packet import Raw

from conftest import udp_pcap
from generator.check import Checker
from layers.ndr_unions import PORTS, Enumerated, EnumStruct, Info1, Info2, Listing, Numbers

FULL = Enumerated(Level=1, Info=NDRUnion(tag=1, value=NDRPointer(referent_id=0x20000, value=Info1(count=3, flags=4))),
                  after=6)
SAMPLES = [
    Numbers(kind=1, value=NDRUnion(tag=1, value=7), tail=9),
    Numbers(kind=2, value=NDRUnion(tag=2, value=5), tail=9),
    Numbers(kind=3, value=NDRUnion(tag=3, value=b""), tail=9),  # no arm: the default reads nothing
    FULL,
    Enumerated(Level=2, Info=NDRUnion(tag=2, value=NDRPointer(referent_id=0x20004, value=Info2(a=1, b=2))), after=6),
    Enumerated(Level=2, Info=NDRUnion(tag=2, value=None), after=6),  # a NULL pointer: no pointee
    Listing(Enum=EnumStruct(Level=1, Info=NDRUnion(tag=1, value=NDRPointer(referent_id=0x20000,
                                                                            value=Info1(count=3, flags=4))),
                            count=2), total=9),
]
# cut in the tag, in the referent id, in the pointee
CUT = [bytes(FULL)[:6], bytes(FULL)[:10], bytes(FULL)[:14]]


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.ndr_unions", tshark=tshark, backend=backend)


@pytest.fixture(scope="module")
def checked(checker, tmp_path_factory):
    pcap = udp_pcap(tmp_path_factory.mktemp("unions") / "unions.pcap",
                    [(PORTS[type(p)], p) for p in SAMPLES] + [(PORTS[Enumerated], Raw(raw)) for raw in CUT])
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    return pcap, result, pairs


def test_scapy_and_tshark_agree_on_tag_and_arm(checked):
    _, result, pairs = checked
    assert result.disagreements == [] and result.problems == [] and result.messages == len(SAMPLES) + len(CUT)
    fields = [theirs.fields for _, theirs in pairs]
    assert fields[0]["ndr_unions.numbers.value_tag"] == (1, 2, 2) and fields[0]["ndr_unions.numbers.value"] == (
        7, 4, 4)
    assert fields[1]["ndr_unions.numbers.value_2"] == (5, 4, 2) and fields[1]["ndr_unions.numbers.tail"] == (9, 6, 1)
    assert fields[2] == {"ndr_unions.numbers.kind": (3, 0, 1), "ndr_unions.numbers.value_tag": (3, 2, 2),
                         "ndr_unions.numbers.tail": (9, 4, 1)}
    # the pointee right after its referent id, before the structure's next field
    assert fields[3]["ndr_unions.enumerated.info.referent_id"] == (0x20000, 8, 4)
    assert fields[3]["ndr_unions.info1.count"] == (3, 12, 4) and fields[3]["ndr_unions.enumerated.after"] == (
        6, 18, 2)
    assert fields[4]["ndr_unions.info2.b"] == (2, 14, 2) and "ndr_unions.enumerated.info" not in fields[4]
    assert fields[5]["ndr_unions.enumerated.info_2.referent_id"] == (0, 8, 4)
    assert "ndr_unions.info2.a" not in fields[5]
    # held by a structure: the pointee after the count that follows the union, at the holder's end
    assert fields[6]["ndr_unions.enumstruct.info.referent_id"] == (0x20000, 8, 4)
    assert fields[6]["ndr_unions.enumstruct.count"] == (2, 12, 2)
    assert fields[6]["ndr_unions.info1.count"] == (3, 16, 4) and fields[6]["ndr_unions.listing.total"] == (9, 24, 4)


def test_a_cut_union_is_truncated(checked):
    _, _, pairs = checked
    for _, theirs in pairs[len(SAMPLES):]:
        assert ("ndr_unions.enumerated.truncated", "ndr_unions.enumerated") in theirs.experts
    assert "ndr_unions.enumerated.info_tag" not in pairs[len(SAMPLES)][1].fields
    assert pairs[-1][1].fields["ndr_unions.enumerated.info"] == ("0300", 12, 2)  # the pointee: the bytes there are
