"""A dispatch_hook that always chooses another class (its registry empty at
generation time, as scapy's is until a user fills it): the dissectors make that
class, from the bytes the hook needs, as scapy does. scapy and tshark agree,
with the Lua script and the C plugin, on every generation."""

import pytest
from scapy.packet import Raw

from conftest import matching_frames, udp_pcap
from generator.check import Checker
from layers.registry import PORT


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.registry", tshark=tshark, backend=backend, strict=True)


def test_the_class_the_hook_always_makes(checker, tmp_path):
    """From 4 bytes on scapy makes a Record, whose data (a Raw payload in scapy) the
    dissectors leave as trailing bytes: Record binds no payload, though Raw is a
    message of this protocol. Fewer than 4 bytes are scapy's Raw: no message."""
    wire = [bytes.fromhex("00000007" "00000002" "6162" "6364"), bytes.fromhex("0000000a" "00000000"),
            bytes.fromhex("000007")]
    pcap = udp_pcap(tmp_path / "registered.pcap", [(PORT, Raw(w)) for w in wire])
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.ok and result.disagreements == [] and result.problems == [] and result.messages == 2
    assert [a.message for a, _ in pairs] == ["registry.record", "registry.record"]
    assert pairs[0][1].fields == {"registry.record.ident": (7, 0, 4), "registry.record.dlen": (2, 4, 4),
                                  "registry.trailing": ("61626364", 8, 4)}
    assert matching_frames(checker, pcap, "registry.registered") == []
    assert matching_frames(checker, pcap, "registry") == [1, 2, 3]
