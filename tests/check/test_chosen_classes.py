"""Element classes chosen by scapy's own code (a dispatch_hook, a class-choosing
function) are chosen alike by the dissectors: the generator learns the key and
its table by probing scapy. scapy and tshark agree, with the Lua script and the
C plugin, on every generation."""

import pytest
from scapy.packet import Raw

from conftest import udp_pcap
from generator.check import Checker
from layers.chosen import PORTS, TLV, Envelope, Farewell, Greeting, NumberTLV, Options, PairTLV, Typed, TypedCounter

SAMPLES = [
    Options(options=[NumberTLV(number=7), PairTLV(first=1, second=2), TLV(type=9, value=b"xyz")],
            typed=[TypedCounter(count=3), Typed(type=0x0103, data=b"ab")]),
    Options(options=[TLV(type=0, value=b"")], typed=[Typed(type=0xFFFF, data=b"raw")]),
    Options(options=[], typed=[Typed(type=0x0102 - 1, data=b"")]) / b"\x01",
]
# on TLV's own port: the class TLV's dispatch_hook chooses
ALONE = [NumberTLV(number=9), PairTLV(first=3, second=4), TLV(type=5, value=b"q"),
         Raw(b"\x01\x04\x00")]  # cut short: scapy chooses NumberTLV, whose dissection raises


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.chosen", tshark=tshark, backend=backend, strict=True)


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    return udp_pcap(tmp_path_factory.mktemp("chosen") / "chosen.pcap",
                    [(PORTS[type(p)], p) for p in SAMPLES] + [(PORTS[TLV], p) for p in ALONE])


def test_the_dissectors_choose_the_classes_scapy_chooses(checker, capture):
    pairs = []
    result = checker.check(capture, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.ok and result.disagreements == [] and result.messages == len(SAMPLES) + len(ALONE)
    assert [a.message for a, _ in pairs[len(SAMPLES):]] == ["chosen.numbertlv", "chosen.pairtlv", "chosen.tlv",
                                                            "chosen.numbertlv"]
    assert ("chosen.numbertlv.truncated", "chosen.numbertlv") in pairs[-1][1].experts
    first, _ = pairs[0]
    assert first.fields["chosen.numbertlv.number"] == (7, 3, 4)
    assert first.fields["chosen.pairtlv.second"] == (2, 11, 2)
    assert first.fields["chosen.tlv.value"] == ("78797a", 15, 3)
    assert first.fields["chosen.typedcounter.count"] == (3, 21, 4)
    assert first.fields["chosen.typed.data"] == ("6162", 28, 2)
    # 0xffff is scapy's Raw: the element's item holds its bytes, nothing under it
    raw, _ = pairs[1]
    assert raw.fields["chosen.options.typed"] == ("ffff03726177", 3, 6) and "chosen.typed.type" not in raw.fields


def test_the_tree_names_each_chosen_class(checker, capture):
    out = checker.run(capture, ["-V", "-Y", "frame.number == 1"])
    for label in ("Number TLV", "Pair TLV", "TLV", "Typed counter", "Typed"):
        assert f"    {label}\n" in out or f"{label}\n" in out, label
    frames = checker.run(capture, ["-Y", "chosen.typedcounter.count == 3", "-T", "fields", "-e", "frame.number"])
    assert frames.split() == ["1"]


def test_a_payload_class_chosen_by_guess_payload_class(checker, tmp_path):
    """Envelope's own guess_payload_class picks by its kind; the dissectors ask it for every kind."""
    samples = [Envelope(kind=1) / Greeting(word=7), Envelope(kind=3) / Farewell(code=1, reason=2),
               Envelope(kind=9) / Raw(b"xy"), Envelope(kind=2) / Raw(b"\x01")]
    pcap = udp_pcap(tmp_path / "guessed.pcap", [(PORTS[Envelope], p) for p in samples])
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.ok and result.disagreements == [] and result.messages == len(samples)
    fields = [theirs.fields for _, theirs in pairs]
    assert fields[0]["chosen.greeting.word"] == (7, 2, 2)
    assert fields[1]["chosen.farewell.reason"] == (2, 3, 1)
    assert fields[2] == {"chosen.envelope.kind": (9, 0, 1), "chosen.envelope.flags": (0, 1, 1),
                         "chosen.trailing": ("7879", 2, 2)}  # scapy's Raw: no class of ours
    # a Farewell cut short: scapy's dissection of it raises (it keeps Raw), the dissector says truncated
    assert fields[3]["chosen.farewell.code"] == (1, 2, 1)
    assert ("chosen.farewell.truncated", "chosen.farewell") in pairs[3][1].experts


def test_an_element_whose_chosen_class_scapy_cannot_read(checker, tmp_path):
    """scapy keeps such an element as Raw; the dissector reads the class the bytes choose as far as
    they go, truncated, and the check lays scapy's reading out so (IP's options, a cut security option)."""
    wire = bytes.fromhex("00" "0102" "04" "0000")  # no TLV options; a TypedCounter whose count is cut short
    pcap = udp_pcap(tmp_path / "cut.pcap", [(PORTS[Options], Raw(wire))])
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.ok and result.disagreements == [] and result.problems == [] and result.messages == 1
    theirs = pairs[0][1]
    assert theirs.fields["chosen.typedcounter.len"] == (4, 3, 1) and "chosen.typedcounter.count" not in theirs.fields
    assert ("chosen.typedcounter.truncated", "chosen.typedcounter") in theirs.experts
