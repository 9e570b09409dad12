"""scapy's NDR conformant arrays (C706 14.3.3): of structures (each aligned),
of integers and of bytes (UTF-16 units too), conformant varying ones counted
by length_is or actual_count, in place and behind an embedded pointer, and
conformant structures (their array's max_count before them, RPC_SID's shape). scapy
and tshark agree field by field, max_count, offset and actual_count too, with
the Lua script and the C plugin, on every generation; the pointees of an
array of structures' embedded pointers follow the whole array (C706
14.3.12.3); stubs cut short in the header, in an element, in the bytes, in
the pointees give a truncated expert, never a Lua error. scapy counts by size_is, not max_count: so do the dissectors."""

import pytest

from conftest import udp_pcap
from generator.check import Checker
from layers.ndr_arrays import (PORTS, Blobs, Container, Listing, NamedContainer, Nesting, Numbers, Odd, OtherSid, Point,
                               Pointing, Points, Sid, Sids, Varying, WithName)

POINTS = Points(tag=1, points=[Point(x=1, y=2), Point(x=3, y=0xA0B0C0D)], tail=9)
# two 5-byte structures, the second aligned to 4 (3 bytes of padding), as scapy reads them
# (scapy's own build leaves the padding out and then reads the second as Raw: both sides agree on that too)
CONTAINER = bytes.fromhex("02000000" "00000200" "0500" "0000" "02000000" "0100000002" "000000" "0300000004")
NUMBERS = Numbers(ints=[1, 2, 0xFFFFFFFF], shorts=[4, 5, 6], tail=7)
BLOBS = bytes.fromhex("03000000" "03000000" "616263" "00" "02000000" "00000200" "02000000" "7879" "0000"
                      "02000000" "68006900" "03")
VARYING = Varying(n=2, points=[Point(x=1, y=2), Point(x=3, y=4)], ints=[7, 8], tail=1)
# three structures (id, a pointer to a string), the second's NULL; then the strings; then the tail
# (scapy's own build puts the strings after the tail, and then reads them after the array)
POINTING = bytes.fromhex("03000000" "03000000" "01000000" "00000200" "02000000" "00000000" "03000000" "04000200"
                         "02000000" "00000000" "02000000" "6162" "0000" "03000000" "00000000" "03000000" "78797a" "00"
                         "0700")
NAMED = NamedContainer(Buffer=[WithName(id=1, name=b"ab"), WithName(id=2, name=b"c")])
SIDS = Sids(tag=1, sid=Sid(SubAuthority=[21, 7]), other=OtherSid(SubAuthority=[32, 544, 9]), tail=5)
_WRONG_MAX = bytearray(bytes(POINTS))
_WRONG_MAX[8] = 7  # max_count: scapy counts by size_is (n) all the same
SAMPLES = [
    (Points, bytes(POINTS)),
    (Points, bytes(Points(tag=2, points=[], tail=3))),  # no element: max_count 0, then the tail
    (Points, bytes(_WRONG_MAX)),
    (Container, CONTAINER),
    (Container, bytes(Container(Buffer=[Odd(a=1, b=2), Odd(a=3, b=4)], after=5))),  # scapy's unpadded build
    (Container, bytes(Container(EntriesRead=0, Buffer=None, after=6))),  # NULL: no array
    (Numbers, bytes(NUMBERS)),
    (Blobs, BLOBS),
    (Varying, bytes(VARYING)),
    (Pointing, bytes(Pointing(named=[]))),
    (Pointing, POINTING),
    (NamedContainer, bytes(NAMED)),
    (Nesting, bytes(Nesting(tag=1, inner=Listing(named=[WithName(id=1, name=b"ab")])))),
    (Sids, bytes(SIDS)),
    (Sids, bytes(Sids(tag=2, sid=Sid(SubAuthority=[]), tail=3))),  # no sub-authority; a NULL pointer
]
# cut in max_count, in an element, between elements, in an integer list, in bytes, in a varying header
CUT = [(Points, bytes(POINTS)[:7]), (Points, bytes(POINTS)[:15]), (Points, bytes(POINTS)[:20]),
       (Container, CONTAINER[:22]), (Numbers, bytes(NUMBERS)[:14]), (Numbers, bytes(NUMBERS)[:24]),
       (Blobs, BLOBS[:10]), (Blobs, BLOBS[:30]), (Varying, bytes(VARYING)[:10]),
       # in an element, in the first pointee, in the second, before the tail
       (Pointing, POINTING[:22]), (Pointing, POINTING[:40]), (Pointing, POINTING[:56]), (Pointing, POINTING[:64]),
       (NamedContainer, bytes(NAMED)[:30]),
       # in the conformant structure's max_count, in its array, in the pointed one's max_count
       (Sids, bytes(SIDS)[:6]), (Sids, bytes(SIDS)[:18]), (Sids, bytes(SIDS)[:30])]


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.ndr_arrays", tshark=tshark, backend=backend)


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    return udp_pcap(tmp_path_factory.mktemp("ndr_arrays") / "ndr_arrays.pcap",
                    [(PORTS[cls], raw) for cls, raw in SAMPLES + CUT])


@pytest.fixture(scope="module")
def checked(checker, capture):
    pairs = []
    result = checker.check(capture, on_pair=lambda a, b: pairs.append((a, b)))
    return result, pairs


def test_scapy_and_the_dissector_agree_on_every_field(checked):
    result, pairs = checked
    assert result.ok and result.disagreements == [] and result.problems == []
    assert result.messages == len(SAMPLES) + len(CUT)
    # only the array whose elements' pointees follow the structure enclosing it is left undecoded
    assert list(result.not_compared) == [
        "Listing.named: an NDR array whose elements' pointees follow the structure enclosing it (C706 14.3.12.3) "
        "is not translated"]


def test_an_array_is_max_count_then_its_elements(checked):
    _, pairs = checked
    full, empty, wrong = (b.fields for _, b in pairs[:3])
    assert full["ndr_arrays.points.points.max_count"] == (2, 8, 4)
    assert full["ndr_arrays.points.points"] == ("0100000002000000", 12, 8)
    assert full["ndr_arrays.point.y#2"] == (0xA0B0C0D, 24, 4) and full["ndr_arrays.points.tail"] == (9, 28, 2)
    assert empty["ndr_arrays.points.points.max_count"] == (0, 8, 4) and "ndr_arrays.points.points" not in empty
    assert empty["ndr_arrays.points.tail"] == (3, 12, 2)
    # counted by size_is whatever max_count says
    assert wrong["ndr_arrays.points.points.max_count"] == (7, 8, 4) and wrong["ndr_arrays.points.tail"] == (9, 28, 2)


def test_structures_are_aligned_and_a_pointed_array_follows_its_structure(checked):
    _, pairs = checked
    padded, unpadded, null = (b.fields for _, b in pairs[3:6])
    assert padded["ndr_arrays.container.after"] == (5, 8, 2)
    assert padded["ndr_arrays.container.buffer.max_count"] == (2, 12, 4)
    assert padded["ndr_arrays.odd.a"] == (1, 16, 4) and padded["ndr_arrays.odd.a#2"] == (3, 24, 4)
    # scapy's build has no padding: the second element is cut short on both sides
    assert unpadded["ndr_arrays.odd.a"] == (1, 16, 4)
    assert null["ndr_arrays.container.buffer.referent_id"] == (0, 4, 4) and "ndr_arrays.container.buffer" not in null


def test_integer_byte_and_varying_arrays(checked):
    _, pairs = checked
    numbers, blobs, varying = (b.fields for _, b in pairs[6:9])
    assert numbers["ndr_arrays.numbers.ints"] == (1, 8, 4) and numbers["ndr_arrays.numbers.ints#3"] == (0xFFFFFFFF, 16, 4)
    assert numbers["ndr_arrays.numbers.shorts.max_count"] == (3, 20, 4)
    assert numbers["ndr_arrays.numbers.shorts#3"] == (6, 28, 2) and numbers["ndr_arrays.numbers.tail"] == (7, 30, 1)
    assert blobs["ndr_arrays.blobs.data"] == ("616263", 8, 3) and blobs["ndr_arrays.blobs.more"] == ("7879", 24, 2)
    assert blobs["ndr_arrays.blobs.wide"] == ("68006900", 32, 4) and blobs["ndr_arrays.blobs.tail"] == (3, 36, 1)
    assert varying["ndr_arrays.varying.points.actual_count"] == (2, 12, 4)
    assert varying["ndr_arrays.point.y#2"] == (4, 28, 4)
    assert varying["ndr_arrays.varying.ints.offset"] == (0, 36, 4) and varying["ndr_arrays.varying.ints#2"] == (8, 48, 4)


def test_the_elements_pointees_follow_the_whole_array(checked):
    _, pairs = checked
    pointing, named = (b.fields for _, b in pairs[10:12])
    assert pointing["ndr_arrays.withname.id#3"] == (3, 24, 4)
    assert pointing["ndr_arrays.withname.name.referent_id#2"] == (0, 20, 4)
    assert pointing["ndr_arrays.withname.name"][1:] == (32, 14)
    assert pointing["ndr_arrays.withname.name.actual_count"] == (2, 40, 4)
    assert pointing["ndr_arrays.withname.name#2"] == ("03000000000000000300000078797a", 48, 15)
    assert pointing["ndr_arrays.pointing.tail"] == (7, 64, 2)
    assert named["ndr_arrays.namedcontainer.buffer.max_count"] == (2, 8, 4)
    assert named["ndr_arrays.withname.name#2"][1:] == (44, 13)


def test_a_conformant_structure_follows_its_max_count(checked):
    _, pairs = checked
    sids, empty = (b.fields for _, b in pairs[13:15])
    assert sids["ndr_arrays.sids.sid.max_count"] == (2, 4, 4) and sids["ndr_arrays.sids.sid"][1:] == (8, 16)
    assert sids["ndr_arrays.sid.subauthority#2"] == (7, 20, 4)
    assert sids["ndr_arrays.sids.other.referent_id"] == (0x20000, 24, 4)
    assert sids["ndr_arrays.sids.other.max_count"] == (3, 28, 4) and sids["ndr_arrays.othersid.subauthority#3"] == (9, 48, 4)
    assert sids["ndr_arrays.sids.tail"] == (5, 52, 2)
    assert empty["ndr_arrays.sids.sid.max_count"] == (0, 4, 4) and "ndr_arrays.sid.subauthority" not in empty


def test_cut_stubs_say_truncated(checked):
    _, pairs = checked
    cut = pairs[len(SAMPLES):]
    assert all(a.experts == b.experts and a.fields == b.fields for a, b in cut)
    for (cls, _), (_, b) in zip(CUT, cut):
        assert (f"ndr_arrays.{cls.__name__.lower()}.truncated", f"ndr_arrays.{cls.__name__.lower()}") in b.experts \
            or any(e[0].endswith(".truncated") for e in b.experts)


def test_every_tree_prints(checker, capture):
    # every frame's tree, cut ones too, without a complaint from Wireshark (tshark's run raises on one)
    assert "max_count: 2" in checker.run(capture, ["-V"])
