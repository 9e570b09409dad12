"""A field named as the generated code names its own things (``message``): the
message's item is still the message's, its field's item the field's. Lua
script and C plugin, every generation."""

import pytest

from conftest import matching_frames, udp_pcap
from generator.check import Checker
from layers.clashes import PORTS, Notice


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.clashes", tshark=tshark, backend=backend)


def test_a_field_named_message(checker, tmp_path):
    pcap = udp_pcap(tmp_path / "notice.pcap", [(PORTS[Notice], Notice(code=2, message=b"hello")),
                                                (PORTS[Notice], Notice(code=3))])
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.ok and result.disagreements == [] and result.problems == [] and result.messages == 2
    assert [(a.message, b.message) for a, b in pairs] == [("clashes.notice", "clashes.notice")] * 2
    assert pairs[0][1].fields == {"clashes.notice.code": (2, 0, 1), "clashes.notice.len": (5, 1, 1),
                                  "clashes.notice.message": ("68656c6c6f", 2, 5)}
    assert matching_frames(checker, pcap, "clashes.notice") == [1, 2]
    assert matching_frames(checker, pcap, "clashes.notice.message") == [1]  # frame 2: an empty one
