"""scapy's NDR constructs of its MS-RPC interfaces: a full pointer (not
embedded), a NULL one, a pointer to a structure, the NDR enums and
NDRInt3264Field. scapy and tshark agree field by field, the referent id and the
pointee's fields too, with the Lua script and the C plugin, on every
generation; stubs cut short in a referent id, in a pointee, in a pointed-to
structure give a truncated expert, never a Lua error."""

import pytest

from conftest import udp_pcap
from generator.check import Checker
from layers.ndr import PORTS, Enums, Pair, Pointers
from scapy.layers.dcerpc import NDRPointer

FULL = Pointers(tag=7, count=NDRPointer(referent_id=0x20000, value=5),
                pair=NDRPointer(referent_id=0x20004, value=Pair(left=1, right=0xA0B0C0D)), tail=9)
SAMPLES = [
    FULL,
    Pointers(tag=1, tail=3),  # both NULL: nothing follows the ids
    Pointers(tag=2, pair=NDRPointer(referent_id=0x20008, value=Pair(left=4, right=5)), tail=6),
    Enums(tag=1, colour=2, colour4=1, size=7),
    Enums(tag=1, colour=9, colour4=0x10000, size=0xFFFFFFFF),  # values the table lacks
]
# cut in the first referent id, in its pointee, in the pointed-to structure
CUT = [bytes(FULL)[:6], bytes(FULL)[:10], bytes(FULL)[:18]]


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.ndr", tshark=tshark, backend=backend, strict=True)


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    return udp_pcap(tmp_path_factory.mktemp("ndr") / "ndr.pcap",
                    [(PORTS[type(p)], p) for p in SAMPLES] + [(PORTS[Pointers], raw) for raw in CUT])


@pytest.fixture(scope="module")
def checked(checker, capture):
    pairs = []
    result = checker.check(capture, on_pair=lambda a, b: pairs.append((a, b)))
    return result, pairs


def test_scapy_and_the_dissector_agree_on_every_field(checked):
    result, pairs = checked
    assert result.ok and result.disagreements == [] and result.problems == []
    assert result.messages == len(SAMPLES) + len(CUT)
    assert all(a.fields == b.fields and a.experts == b.experts for a, b in pairs)


def test_a_pointer_is_its_referent_id_then_its_pointee(checked):
    _, pairs = checked
    full, null, only_pair = (a.fields for a, _ in pairs[:3])
    # the id is aligned to 4 after the byte; the pointee follows it in place
    assert full["ndr.pointers.count.referent_id"] == (0x20000, 4, 4) and full["ndr.pointers.count"] == (5, 8, 4)
    assert full["ndr.pointers.pair.referent_id"] == (0x20004, 12, 4)
    assert full["ndr.pointers.pair"] == ("010000000d0c0b0a", 16, 8)
    assert full["ndr.pair.right"] == (0xA0B0C0D, 20, 4) and full["ndr.pointers.tail"] == (9, 24, 2)
    # NULL: an id of 0 and no pointee
    assert null == {"ndr.pointers.tag": (1, 0, 1), "ndr.pointers.count.referent_id": (0, 4, 4),
                    "ndr.pointers.pair.referent_id": (0, 8, 4), "ndr.pointers.tail": (3, 12, 2)}
    assert "ndr.pointers.count" not in only_pair and only_pair["ndr.pair.left"] == (4, 12, 2)


def test_ndr_enums_are_two_or_four_bytes(checked):
    _, pairs = checked
    named, unnamed = (a.fields for a, _ in pairs[3:5])
    assert named == {"ndr.enums.tag": (1, 0, 1), "ndr.enums.colour": (2, 2, 2), "ndr.enums.colour4": (1, 4, 4),
                     "ndr.enums.size": (7, 8, 4)}
    assert unnamed["ndr.enums.colour4"] == (0x10000, 4, 4) and unnamed["ndr.enums.size"] == (0xFFFFFFFF, 8, 4)


def test_cut_stubs_say_truncated(checked):
    _, pairs = checked
    in_id, in_pointee, in_struct = pairs[len(SAMPLES):]
    for a, b in (in_id, in_pointee, in_struct):
        assert ("ndr.pointers.truncated", "ndr.pointers") in b.experts
    assert "ndr.pointers.count.referent_id" not in in_id[1].fields
    assert in_pointee[1].fields["ndr.pointers.count.referent_id"] == (0x20000, 4, 4)
    assert "ndr.pointers.count" not in in_pointee[1].fields
    # the structure's first field is there, then its own truncated expert
    assert in_struct[1].fields["ndr.pair.left"] == (1, 16, 2)
    assert ("ndr.pair.truncated", "ndr.pair") in in_struct[1].experts


def test_the_tree_names_enum_values_and_filters_find_pointees(checker, capture):
    out = checker.run(capture, ["-V", "-Y", "frame.number == 4"])
    assert "colour: green (2)" in out and "colour4: red (1)" in out
    frames = checker.run(capture, ["-Y", "ndr.pointers.count.referent_id == 0", "-T", "fields", "-e", "frame.number"])
    assert frames.split() == ["2", "3"]
