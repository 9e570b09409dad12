"""Flags above bit 31 of 64-bit FlagsFields load and agree with scapy, bit by
bit, in both byte orders; lists of bit fields are lists of integers. Lua script
and C plugin, every generation."""

import pytest
from scapy.packet import Raw

from conftest import matching_frames, udp_pcap
from generator.check import Checker
from layers.wide_flags import LISTS_PORT, PORT, Features


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.wide_flags", tshark=tshark, backend=backend, strict=True)


def test_every_flag_of_64_bits(checker, tmp_path):
    samples = [Features(little=(1 << 63) | (1 << 32) | 1, big=(1 << 62) | (1 << 33) | 2),
               Features(little=0xFFFFFFFFFFFFFFFF, big=0), Features(little=1 << 40, big=1 << 47)]
    pcap = udp_pcap(tmp_path / "flags.pcap", [(PORT, p) for p in samples])
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.ok and result.disagreements == [] and result.problems == [] and result.messages == 3
    theirs = pairs[0][1].fields
    assert theirs["wide_flags.features.little.f63"] == (1, 0, 8) and theirs["wide_flags.features.little.f62"] == (0, 0, 8)
    assert theirs["wide_flags.features.little.f32"] == (1, 0, 8) and theirs["wide_flags.features.big.f33"] == (1, 8, 8)
    assert matching_frames(checker, pcap, "wide_flags.features.big.f47 == 1") == [3]
    assert matching_frames(checker, pcap, "wide_flags.features.little.f40 == 1") == [2, 3]


def test_lists_of_bit_fields(checker, tmp_path):
    pcap = udp_pcap(tmp_path / "lists.pcap", [(LISTS_PORT, Raw(bytes.fromhex("02" "01000000" "02000080" "0102")))])
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.ok and result.disagreements == [] and result.problems == [] and result.messages == 1
    assert pairs[0][1].fields["wide_flags.flaglists.flags#2"] == (0x80000002, 5, 4)
    assert pairs[0][1].fields["wide_flags.flaglists.words"] == (0x0102, 9, 2)
