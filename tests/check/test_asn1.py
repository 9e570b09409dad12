"""ASN.1 packets read with scapy's BER codec (tests/layers/asn1.py): the
plain types, optional elements, implicit and explicit tags, SEQUENCE OF and
SET OF, nested SEQUENCEs and packets, times, BIT STRING and flags. scapy and
tshark agree element by element (INTEGER as a number, OID as its dotted
text, strings as their bytes, BIT STRING as scapy's bits), with the Lua script
and the C plugin, on every generation. Bytes scapy cannot read (a wrong tag, a
length past the end, a remainder in a SEQUENCE, a cut OID, an empty BIT
STRING) are cut where the reading fails, with the truncated expert, and never a
Lua error; an optional element that does not read is absent, as in scapy."""

import random

import pytest

from conftest import udp_pcap
from generator.backends.c import build_plugin, render
from generator.check import Checker
from generator.check.sanitizer import proc_mounted, sanitized
from generator.frontend import load
from layers.asn1 import PORTS, Choices, Lists, Nest, Pair, Simple, Tagged, Times, nested
from scapy.asn1.asn1 import ASN1_GENERALIZED_TIME, ASN1_INTEGER, ASN1_OID
from scapy.packet import fuzz

SIMPLE = Simple()
TAGGED = Tagged(nonce=7, cookie=b"ck", flag=0, oid="1.3.6.1")
LISTS = Lists(numbers=[1, -1, 2 ** 70], pairs=[Pair(), Pair(value="yy")], second=Pair(), tagged=[Pair()],
              implicit=Pair(value="zz"))
TIMES = Times(usage="101")
CHOICES = Choices(what=Pair(), many=[Pair()], maybe=ASN1_INTEGER(3))
SAMPLES = [
    SIMPLE,
    Simple(version=-300, kind=2, data=b"", critical=255, algorithm="2.999.1234567"),
    Tagged(),
    TAGGED,
    LISTS,
    Lists(),
    Times(),
    TIMES,
    CHOICES,
    Choices(when=ASN1_GENERALIZED_TIME("20300101000000Z"), what=ASN1_INTEGER(4), maybe=ASN1_OID("1.2.3")),
]


def _edited(pkt, at: int, byte: int) -> bytes:
    raw = bytearray(bytes(pkt))
    raw[at] = byte
    return bytes(raw)


DAMAGED = [
    (Simple, _edited(SIMPLE, 2, 0x04)),  # version: an OCTET STRING's tag where an INTEGER's is expected
    (Simple, _edited(SIMPLE, 0, 0x31)),  # a SET where a SEQUENCE is expected
    (Simple, _edited(SIMPLE, 1, 0x7F)),  # the SEQUENCE's length past the end
    (Simple, _edited(SIMPLE, 1, 0x84)),  # a long-form length whose bytes overrun
    (Simple, bytes(SIMPLE)[:1] + bytes([0x80]) + bytes(SIMPLE)[2:]),  # indefinite: scapy reads length 0
    (Simple, bytes([0x30, 0x81, len(bytes(SIMPLE)) - 2]) + bytes(SIMPLE)[2:]),  # a long-form length, fine
    (Simple, bytes([0x30, 0x05, 0x02, 0x01, 0x07, 0x05, 0x00])),  # a NULL where the enum is expected
    (Simple, bytes([0x30, 0x00])),  # an empty SEQUENCE: every element absent
    (Simple, bytes([0x30, 0x03, 0x02, 0x81, 0x01])),  # the version's long-form length: its byte is the SEQUENCE's last
    (Tagged, _edited(TAGGED, 12, 0x84)),  # cookie with another tag: absent, then flag fails on it
    (Tagged, bytes(TAGGED)[:-1]),  # the last optional OID cut: absent, then a remainder
    (Tagged, bytes([0x7F, 0x8A, 0x01, 0x00])),  # a high tag number
    (Times, bytes(TIMES)[:-5]),
    (Times, bytes([0x30, 0x04, 0x17, 0x00, 0x18, 0x00, 0x03, 0x00])[:8]),  # an empty BIT STRING
    (Choices, bytes(Choices())),  # no "what": scapy built it, and cannot read it back
    (Choices, _edited(CHOICES, 2, 0x04)),  # "when" with no alternative's tag
    (Nest, nested(40)),
    (Nest, nested(200)),  # scapy's recursion gives up, and the dissectors stop at 64 packets deep
]
CUT = [(type(p), bytes(p)[:n]) for p in (SIMPLE, TAGGED, LISTS, TIMES, CHOICES) for n in range(1, len(bytes(p)), 3)]
random.seed(7)
FUZZED = [fuzz(cls()) for cls in (Simple, Tagged, Lists, Times, Choices) for _ in range(4)]
BROKEN_OID = (Simple, bytes([0x30, 0x03, 0x06, 0x01, 0x81]))


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.asn1", tshark=tshark, backend=backend)


@pytest.fixture(scope="module")
def fuzzed():
    out = []
    for p in FUZZED:
        try:
            out.append((type(p), bytes(p)))
        except Exception:  # scapy cannot build every fuzzed value
            continue
    return out


@pytest.fixture(scope="module")
def capture(tmp_path_factory, fuzzed):
    frames = [(PORTS[type(p)], p) for p in SAMPLES]
    frames += [(PORTS.get(cls, PORTS[Simple]), raw) for cls, raw in DAMAGED + CUT + [BROKEN_OID] + fuzzed]
    return udp_pcap(tmp_path_factory.mktemp("asn1") / "asn1.pcap", frames)


@pytest.fixture(scope="module")
def checked(checker, capture):
    pairs = []
    result = checker.check(capture, on_pair=lambda a, b: pairs.append((a, b)))
    return result, pairs


def test_scapy_and_the_dissector_agree_on_every_element(checked, fuzzed):
    result, pairs = checked
    assert result.disagreements == [] and result.problems == [] and result.ok
    assert result.messages == len(SAMPLES) + len(DAMAGED) + len(CUT) + 1 + len(fuzzed)
    assert result.not_compared == {}


def test_values_as_scapy_shows_them(checked):
    _, pairs = checked
    plain, negative, bare, tagged, lists, _, times, flagged, choices, others = (b.fields for _, b in pairs[:len(SAMPLES)])
    assert plain["asn1.simple.version"] == (2, 2, 3)
    assert plain["asn1.simple.algorithm"][:1] == ("1.2.840.113549.1.1.11",)
    assert plain["asn1.simple.data"] == ("616263", 15, 3)
    assert negative["asn1.simple.version"] == (-300, 2, 4) and negative["asn1.simple.critical"][0] == 255
    # scapy divides the first subidentifier by 40 without X.690's cap at 2: 2.999 reads back as 26.39, both sides
    assert negative["asn1.simple.algorithm"][0] == "26.39.1234567"
    assert "asn1.simple.data" not in negative  # an empty string: no item
    # explicit tags around the integers; the absent optional elements have no item
    assert bare == {"asn1.tagged.pvno": (5, 4, 3), "asn1.tagged.msg_type": (10, 9, 3)}
    assert tagged["asn1.tagged.nonce"][0] == 7 and tagged["asn1.tagged.cookie"][0] == "636b"
    assert tagged["asn1.tagged.oid"][0] == "1.3.6.1"
    # a list of integers, one wider than 8 bytes shown as its bytes; a SET OF packets
    assert lists["asn1.lists.numbers"][0] == 1 and lists["asn1.lists.numbers#2"][0] == -1
    assert lists["asn1.lists.numbers_bytes"][0] == "400000000000000000"
    assert lists["asn1.pair.value#2"][0] == "7979" and lists["asn1.lists.inner_a"][0] == 1
    assert lists["asn1.lists.tagged"][0] == "30080603550403130178"
    # an implicit tag in place of the packet's SEQUENCE
    assert lists["asn1.lists.implicit"][0] == "a309060355040313027a7a" and lists["asn1.pair.value#6"][0] == "7a7a"
    assert times["asn1.times.not_before"][0] == "260101000000Z".encode().hex()
    assert times["asn1.times.signature"][0] == "0101010111110000"
    assert flagged["asn1.times.usage"][0] == "101"
    # each alternative of a CHOICE its own item
    assert choices["asn1.choices.when"][0] == "260101000000Z".encode().hex() and "asn1.choices.when_2" not in choices
    assert choices["asn1.choices.what_2"][1:] == (19, 10) and choices["asn1.choices.maybe"] == (3, 43, 3)
    assert others["asn1.choices.when_2"][0] == "20300101000000Z".encode().hex()
    assert others["asn1.choices.what_3"][0] == 4 and others["asn1.choices.maybe_2"][0] == "1.2.3"


def test_what_scapy_cannot_read_is_truncated(checked):
    _, pairs = checked
    damaged = pairs[len(SAMPLES):len(SAMPLES) + len(DAMAGED)]
    wrong_tag, wrong_set, too_long, long_overrun, indefinite, long_form, remainder, empty, nothing = damaged[:9]
    for a, b in (wrong_tag, wrong_set, too_long, long_overrun, remainder, nothing, damaged[9]):
        assert ("asn1." + b.message.split(".")[-1] + ".truncated", b.message) in b.experts
        assert a.experts == b.experts
    assert long_form[1].experts == set() and long_form[1].fields["asn1.simple.version"] == (2, 3, 3)
    assert empty[1].experts == set() and empty[1].fields == {}
    # scapy reads the indefinite form as length 0: an empty SEQUENCE, then bytes after the packet
    assert indefinite[1].experts == set() and list(indefinite[1].fields) == ["asn1.trailing"]
    # an optional element with another tag is absent, and so is the next; the explicit tag after them fails
    assert damaged[9][1].fields == {"asn1.tagged.pvno": (5, 4, 3), "asn1.tagged.nonce": (7, 9, 3),
                                    "asn1.trailing": ("8402636b010100a40302010a85032b0601", 12, 17)}
    deep, too_deep = damaged[-2:]
    assert deep[1].experts == set() and len([n for n in deep[1].fields if n.startswith("asn1.nest.level")]) == 40
    assert ("asn1.nest.truncated", "asn1.nest") in too_deep[1].experts
    # the optional inner packet that does not read is absent: the first level's remainder fails
    assert [n for n in too_deep[1].fields if n.startswith("asn1.nest.level")] == ["asn1.nest.level"]
    assert remainder[1].fields == {"asn1.simple.version": (7, 2, 3), "asn1.trailing": ("0500", 5, 2)}
    for _, b in pairs[len(SAMPLES) + len(DAMAGED):len(SAMPLES) + len(DAMAGED) + len(CUT)]:
        assert any(name.endswith(".truncated") for name, _ in b.experts)


def test_the_tree_names_enum_values_and_filters_find_oids(checker, capture):
    out = checker.run(capture, ["-V", "-Y", "frame.number == 1"])
    assert "kind: 1 (request)" in out and "algorithm: 1.2.840.113549.1.1.11" in out
    frames = checker.run(capture, ["-Y", 'asn1.tagged.oid == "1.3.6.1"', "-T", "fields", "-e", "frame.number"])
    assert frames.split() == ["4"]


@pytest.mark.slow
@pytest.mark.sanitizers
@pytest.mark.xdist_group("sanitizers")
def test_the_c_ber_reader_gives_no_sanitizer_report(tshark, capture, tmp_path):
    plugin = str(tmp_path / "asn1.so")
    build_plugin(render(load("layers.asn1")), plugin, root=tshark.root, sanitize=True)
    with proc_mounted(tshark.root):
        sanitized(tshark).run(capture, plugin, ["-2", "-R", "frame", "-V"], keep_stdout=False)
