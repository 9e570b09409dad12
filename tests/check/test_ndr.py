"""scapy's NDR constructs of its MS-RPC interfaces: a full pointer, a NULL
one, a pointer to a structure, embedded pointers whose pointees are deferred
to the end of their structure (C706 14.3.12.3), or of the structure
enclosing theirs, conformant varying byte
and UTF-16 strings behind them (counted, or NUL-terminated), the NDR enums and NDRInt3264Field. scapy and tshark agree field by field, the referent id and the
pointee's fields too, with the Lua script and the C plugin, on every
generation; stubs cut short in a referent id, in a pointee, in a pointed-to
structure give a truncated expert, never a Lua error."""

import pytest

from conftest import udp_pcap
from generator.check import Checker
from layers.ndr import (PORTS, Chained, Counted, Embedded, Enums, Holder, Nested, NullStrings, Pair, Pointers, Strings,
                        UnicodeString, Wrapper)
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
HOLDER = Holder(id=1, first=Counted(length=2, value=NDRPointer(referent_id=0x20000, value=7), after=3),
                second=Counted(length=4, value=None, after=5), tail=6)
EMBEDDED = Embedded(tag=1, a=NDRPointer(referent_id=0x20000, value=9), b=NDRPointer(referent_id=0x20004, value=8),
                    c=7)
CHAINED = Chained(tag=1, inner=NDRPointer(referent_id=0x20000, value=Counted(
    length=1, value=NDRPointer(referent_id=0x20004, value=2), after=3)), tail=4)
NESTED = Nested(tag=1, outer=Wrapper(n=2, counted=Counted(length=1, value=NDRPointer(referent_id=0x20004, value=2),
                                                           after=3)))
DEFERRED = [
    HOLDER, EMBEDDED,
    Embedded(tag=1, a=None, b=NDRPointer(referent_id=0, value=8), c=7),  # a reference pointer's pointee is always there
    CHAINED, NESTED,
]
STRINGS = Strings(tag=1, data=b"abc", name=UnicodeString(Length=6, MaximumLength=8, Buffer="xyz"), tail=5)
DEFERRED += [STRINGS, Strings(tag=2, data=None, name=UnicodeString(Buffer=None), tail=6)]
NULL_STRINGS = NullStrings(tag=1, wide="ab", narrow=b"xyz", tail=5)
_WRONG_COUNT = bytearray(bytes(NULL_STRINGS))
_WRONG_COUNT[16] = 9  # wide's actual_count: scapy reads to the NUL element all the same
DEFERRED += [NULL_STRINGS, NullStrings(tag=2, wide=None, narrow=None, tail=6)]
# cut in the first referent id, in its pointee, in the pointed-to structure; in deferred pointees
CUT = [(Pointers, bytes(FULL)[:6]), (Pointers, bytes(FULL)[:10]), (Pointers, bytes(FULL)[:18]),
       (Holder, bytes(HOLDER)[:26]), (Embedded, bytes(EMBEDDED)[:14]), (Chained, bytes(CHAINED)[:20]),
       (Strings, bytes(STRINGS)[:22]), (Strings, bytes(STRINGS)[:46]),
       (NullStrings, bytes(NULL_STRINGS)[:22]),
       (Holder, bytes(HOLDER)[:5]),  # a structure that reads nothing: its item keeps the byte there is
       (Nested, bytes(NESTED)[:22]), (Nested, bytes(NESTED)[:14])]  # in the enclosing one's pointee, in the structure


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.ndr", tshark=tshark, backend=backend)


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    return udp_pcap(tmp_path_factory.mktemp("ndr") / "ndr.pcap",
                    [(PORTS[type(p)], p) for p in SAMPLES + DEFERRED] + [(PORTS[cls], raw) for cls, raw in CUT]
                    + [(PORTS[NullStrings], bytes(_WRONG_COUNT))])


@pytest.fixture(scope="module")
def checked(checker, capture):
    pairs = []
    result = checker.check(capture, on_pair=lambda a, b: pairs.append((a, b)))
    return result, pairs


def test_scapy_and_the_dissector_agree_on_every_field(checked):
    result, pairs = checked
    assert result.ok and result.disagreements == [] and result.problems == []
    assert result.messages == len(SAMPLES) + len(DEFERRED) + len(CUT) + 1
    assert list(result.not_compared) == []


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


def test_embedded_pointees_follow_their_structure(checked):
    _, pairs = checked
    holder, embedded, null, chained, nested, strings, no_strings, null_strings, _ = (
        b.fields for _, b in pairs[len(SAMPLES):len(SAMPLES) + len(DEFERRED)])
    # the first Counted's pointee follows it (in its item), before the second Counted; NULL: nothing
    assert holder["ndr.counted.value.referent_id"] == (0x20000, 8, 4) and holder["ndr.counted.after"] == (3, 12, 2)
    assert holder["ndr.counted.value"] == (7, 16, 4) and holder["ndr.holder.first"][1:] == (4, 16)
    assert holder["ndr.counted.value.referent_id#2"] == (0, 24, 4) and "ndr.counted.value#2" not in holder
    assert holder["ndr.holder.tail"] == (6, 30, 2)
    # at the top: after the message's last field, in the order of their ids
    assert embedded["ndr.embedded.c"] == (7, 12, 2)
    assert embedded["ndr.embedded.a"] == (9, 16, 4) and embedded["ndr.embedded.b"] == (8, 20, 2)
    assert "ndr.embedded.a" not in null and null["ndr.embedded.b"] == (8, 14, 2)
    # a pointed-to structure's own pointee follows it
    assert chained["ndr.chained.tail"] == (4, 8, 2) and chained["ndr.chained.inner"][1:] == (12, 16)
    assert chained["ndr.counted.value"] == (2, 24, 4)
    # a structure's pointee read at the end of the structure enclosing it, after its other fields
    assert nested["ndr.wrapper.counted"] == ("01000000040002000300", 8, 10)
    assert nested["ndr.counted.value"] == (2, 20, 4) and nested["ndr.nested.outer"][1:] == (4, 20)
    # a byte string in place, a UTF-16 one (2 bytes a counted element) after its structure
    assert strings["ndr.strings.data"] == ("030000000000000003000000616263", 8, 15)
    assert strings["ndr.strings.data.actual_count"] == (3, 16, 4)
    assert strings["ndr.unicodestring.buffer"] == ("030000000000000003000000780079007a00", 32, 18)
    assert strings["ndr.strings.tail"] == (5, 50, 2)
    assert "ndr.unicodestring.buffer" not in no_strings and no_strings["ndr.strings.tail"] == (6, 16, 2)
    assert null_strings["ndr.nullstrings.wide"] == ("030000000000000003000000610062000000", 8, 18)
    assert null_strings["ndr.nullstrings.narrow"] == ("04000000000000000400000078797a00", 32, 16)


def test_a_nul_terminated_string_ends_at_its_nul_whatever_its_count(checked):
    _, pairs = checked
    _, unterminated = pairs[len(SAMPLES) + len(DEFERRED) + [raw for _, raw in CUT].index(bytes(NULL_STRINGS)[:22])]
    _, wrong = pairs[-1]
    assert wrong.fields["ndr.nullstrings.wide.actual_count"] == (9, 16, 4)
    assert wrong.fields["ndr.nullstrings.wide"][1:] == (8, 18) and wrong.fields["ndr.nullstrings.tail"] == (5, 48, 2)
    # no NUL element: the rest of the bytes, then nothing for the fields after it
    assert unterminated.fields["ndr.nullstrings.wide"] == ("0300000000000000030000006100", 8, 14)


def test_cut_stubs_say_truncated(checked):
    _, pairs = checked
    cut = pairs[len(SAMPLES) + len(DEFERRED):-1]
    assert all(a.experts == b.experts and a.fields == b.fields for a, b in cut)
    in_id, in_pointee, in_struct = cut[:3]
    for cls, (_, b) in zip([c for c, _ in CUT], cut):
        assert (f"ndr.{cls.__name__.lower()}.truncated", f"ndr.{cls.__name__.lower()}") in b.experts
    assert "ndr.pointers.count.referent_id" not in in_id[1].fields
    assert in_pointee[1].fields["ndr.pointers.count.referent_id"] == (0x20000, 4, 4)
    assert "ndr.pointers.count" not in in_pointee[1].fields
    # the structure's first field is there, then its own truncated expert
    assert in_struct[1].fields["ndr.pair.left"] == (1, 16, 2)
    assert ("ndr.pair.truncated", "ndr.pair") in in_struct[1].experts


def test_the_tree_names_enum_values_and_filters_find_pointees(checker, capture):
    # every frame's tree, cut ones too, without a complaint from Wireshark (tshark's run raises on one)
    assert "Counted\n" in checker.run(capture, ["-V"])
    out = checker.run(capture, ["-V", "-Y", "frame.number == 4"])
    assert "colour: green (2)" in out and "colour4: red (1)" in out
    frames = checker.run(capture, ["-Y", "ndr.pointers.count.referent_id == 0", "-T", "fields", "-e", "frame.number"])
    assert frames.split() == ["2", "3"]
