"""The check reads a packet whose class's look-up of unknown names never ends
(scapy's NDRSerialization1Header): it asks the class, not the packet, whether it
is one of our layers. scapy and tshark agree, with the Lua script and the C
plugin, on every generation."""

import pytest
from scapy.packet import Raw

from conftest import udp_pcap
from generator.check import Checker
from layers.lookups import PORT


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.lookups", tshark=tshark, backend=backend, strict=True)


def test_a_packet_whose_lookups_never_end(checker, tmp_path):
    pcap = udp_pcap(tmp_path / "endless.pcap", [(PORT, Raw(bytes.fromhex("010800"))), (PORT, Raw(b"\x02"))])
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.problems == [] and result.disagreements == [] and result.ok and result.messages == 2
    assert pairs[0][0].fields == {"lookups.endless.version": (1, 0, 1), "lookups.endless.length": (8, 1, 2)}
    assert ("lookups.endless.truncated", "lookups.endless") in pairs[1][1].experts
