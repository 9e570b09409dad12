"""dispatch_hooks no key table explains. One that always chooses another class
(its registry empty at generation time, as scapy's is until a user fills it):
the dissectors make that class, from the bytes the hook needs, as scapy does.
One whose class fails to dissect the probe bytes (a BER SEQUENCE): the
dissectors still make the class the hook chooses. One that compares bytes with each other: the dissectors decode the class itself
and say so, and the check does not compare the frames where scapy chose another.
Lua script and C plugin, every generation."""

import pytest
from scapy.packet import Raw

from conftest import matching_frames, udp_pcap
from generator.check import Checker
from generator.frontend import GeneratorError
from layers.hooks import PORTS, Registered, Sealed, Tkip, Wrapped


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.hooks", tshark=tshark, backend=backend)


def test_the_class_the_hook_always_makes(checker, tmp_path):
    """From 4 bytes on scapy makes a Record, whose data (a Raw payload in scapy) the
    dissectors leave as trailing bytes: Record binds no payload, though Raw is a
    message of this protocol. Fewer than 4 bytes are scapy's Raw: no message."""
    wire = [bytes.fromhex("00000007" "00000002" "6162" "6364"), bytes.fromhex("0000000a" "00000000"),
            bytes.fromhex("000007")]
    pcap = udp_pcap(tmp_path / "registered.pcap", [(PORTS[Registered], Raw(w)) for w in wire])
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.ok and result.disagreements == [] and result.problems == [] and result.messages == 2
    assert [a.message for a, _ in pairs] == ["hooks.record", "hooks.record"]
    assert pairs[0][1].fields == {"hooks.record.ident": (7, 0, 4), "hooks.record.dlen": (2, 4, 4),
                                  "hooks.trailing": ("61626364", 8, 4)}
    assert matching_frames(checker, pcap, "hooks.registered") == []
    assert matching_frames(checker, pcap, "hooks") == [1, 2, 3]


def test_a_hook_no_key_explains_is_said_and_its_other_classes_not_compared(checker, tmp_path):
    samples = [Sealed(head=0x0102, tail=3), Raw(bytes.fromhex("0100" "0021")), Sealed(head=0x4061, tail=4)]
    assert isinstance(Sealed(bytes(samples[1])), Tkip)  # its 4th byte 0x21 == (0x01 | 0x20) & 0x7f
    pcap = udp_pcap(tmp_path / "sealed.pcap", [(PORTS[Sealed], p) for p in samples])
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.ok and result.disagreements == [] and result.problems == [] and result.messages == 3
    (why, size), = result.not_compared.items()
    assert why.startswith("Sealed.dispatch_hook: chooses the class from the bytes") and size == 4
    assert [(a.message, b.message) for a, b in pairs] == [("hooks.sealed", "hooks.sealed"),
                                                          ("hooks.tkip", "hooks.sealed"),
                                                          ("hooks.sealed", "hooks.sealed")]
    assert pairs[0][1].fields == {"hooks.sealed.head": (0x0102, 0, 2), "hooks.sealed.tail": (3, 2, 2)}
    assert all(("hooks.sealed.class_unsure", "hooks.sealed") in b.experts for _, b in pairs)
    assert matching_frames(checker, pcap, "hooks.sealed.class_unsure") == [1, 2, 3]


def test_strict_refuses_a_hook_no_key_explains():
    with pytest.raises(GeneratorError, match="Sealed.dispatch_hook: chooses the class"):
        Checker("layers.hooks:Sealed", strict=True)


def test_the_class_the_hook_chooses_though_probe_bytes_do_not_dissect(checker, tmp_path):
    """Wrapped's hook takes a first byte 0x30: a SEQUENCE of any length is a Wrapped,
    anything else scapy's Raw (no message)."""
    samples = [Wrapped(ident=5, data=b"ab"), Wrapped(ident=300, data=b"x" * 40), Raw(bytes.fromhex("0203010203"))]
    pcap = udp_pcap(tmp_path / "wrapped.pcap", [(PORTS[Wrapped], p) for p in samples])
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.ok and result.disagreements == [] and result.problems == [] and result.messages == 2
    assert [(a.message, b.message) for a, b in pairs] == [("hooks.wrapped", "hooks.wrapped")] * 2
    assert matching_frames(checker, pcap, "hooks.wrapped") == [1, 2]
