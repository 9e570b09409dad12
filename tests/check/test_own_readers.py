"""A class that reads its bytes with a do_dissect of its own is one undecoded
item, said why (--strict refuses it); one whose do_dissect calls scapy's is
decoded. Lua script and C plugin, every generation."""

import pytest
from scapy.packet import Raw

from conftest import udp_pcap
from generator.check import Checker
from generator.frontend import GeneratorError
from layers.own_readers import PORTS, Warned, Worded


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.own_readers", tshark=tshark, backend=backend)


def test_own_readers_are_undecoded_and_scapys_are_decoded(checker, tmp_path):
    samples = [(Worded, Raw(b"SCANabc")), (Warned, Warned(event=1, value=7))]
    pcap = udp_pcap(tmp_path / "readers.pcap", [(PORTS[cls], p) for cls, p in samples])
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.ok and result.disagreements == [] and result.problems == [] and result.messages == 2
    assert list(result.not_compared) == ["Worded.do_dissect reads Worded's bytes with code of its own, not through "
                                         "its fields; not translated"]
    assert ("own_readers.worded.not_decoded", "own_readers.worded.undecoded") in pairs[0][1].experts
    assert pairs[1][1].fields == {"own_readers.warned.event": (1, 0, 1), "own_readers.warned.value": (7, 1, 2)}


def test_strict_refuses_an_own_reader():
    with pytest.raises(GeneratorError, match="Worded.do_dissect reads"):
        Checker("layers.own_readers:Worded", strict=True)
