"""A list longer than scapy's conf.max_list_count: scapy gives up on the message,
the dissectors read every element, and the check compares what comes before the
list and reports the rest as not compared, naming scapy's limit. Lua script and
C plugin, every generation."""

import pytest
from scapy.config import conf
from scapy.packet import Raw

from conftest import matching_frames, udp_pcap
from generator.check import Checker
from layers.long_lists import PORTS, CountedWords, Entries, Entry, Words


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.long_lists", tshark=tshark, backend=backend)


def test_past_scapys_limit_nothing_is_compared_and_the_dissector_reads_on(checker, tmp_path):
    many = conf.max_list_count + 20
    samples = [Entries(count=7, entries=[Entry(code=i % 256) for i in range(many)]),
               Words(kind=3, words=list(range(many))),
               Entries(count=1, entries=[Entry(code=5)] * 3)]  # within the limit: compared whole
    pcap = udp_pcap(tmp_path / "long.pcap", [(PORTS[type(p)], p) for p in samples])
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.ok and result.disagreements == [] and result.problems == [] and result.messages == 3
    assert list(result.not_compared) == [
        f"scapy reads at most conf.max_list_count ({conf.max_list_count}) elements of a list and gives up on the "
        f"message past them; the dissectors read on"]
    assert result.not_compared[next(iter(result.not_compared))] == many + 2 * many
    ours, theirs = pairs[0]
    assert ours.fields["long_lists.entries.count"] == theirs.fields["long_lists.entries.count"] == (7, 0, 2)
    assert sum(name.startswith("long_lists.entry.code") for name in theirs.fields) == many
    assert not any(name.endswith("truncated") for name, _ in theirs.experts)
    assert pairs[2][1].fields["long_lists.entry.code#3"] == (5, 4, 1)
    assert matching_frames(checker, pcap, f"long_lists.entry.code == {many - 1}") == [1]


def test_an_undecoded_field_past_scapys_limit_is_not_compared_either(checker, tmp_path):
    """Its item and its expert are in bytes not compared: no disagreement on them."""
    n = conf.max_list_count + 10
    pcap = udp_pcap(tmp_path / "counted.pcap", [(PORTS[CountedWords], Raw(bytes([n]) + bytes(2 * n) + b"\x05"))])
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.ok and result.disagreements == [] and result.problems == [] and result.messages == 1
    assert ("long_lists.countedwords.not_decoded", "long_lists.countedwords.undecoded") in pairs[0][1].experts
