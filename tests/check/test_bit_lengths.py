"""BitLenField: whole bytes of an integer agree with scapy; another width is left
undecoded, said why. Lua script and C plugin, every generation."""

import pytest
from scapy.packet import Raw

from conftest import udp_pcap
from generator.check import Checker
from layers.bit_lengths import PORTS, Bits, Number


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.bit_lengths", tshark=tshark, backend=backend)


def test_an_integer_of_whole_bytes_and_one_of_other_widths(checker, tmp_path):
    samples = [Raw(bytes.fromhex("0a" "0102030405060708090a" "07")), Raw(bytes.fromhex("01" "00" "01")),
               Raw(bytes.fromhex("03" "0a0b")),  # a byte short: truncated on both sides
               Raw(bytes.fromhex("0c" "abc0"))]
    assert Number(bytes(samples[0])).value == 0x0102030405060708090A and Bits(bytes(samples[3])).value == 0xABC
    ports = [PORTS[Number]] * 3 + [PORTS[Bits]]
    pcap = udp_pcap(tmp_path / "bits.pcap", list(zip(ports, samples)))
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.ok and result.disagreements == [] and result.problems == [] and result.messages == 4
    assert pairs[0][1].fields["bit_lengths.number.value"] == ("0102030405060708090a", 1, 10)
    assert pairs[0][1].fields["bit_lengths.number.after"] == (7, 11, 1)
    assert pairs[1][1].fields["bit_lengths.number.after"] == (1, 2, 1)
    assert ("bit_lengths.number.truncated", "bit_lengths.number") in pairs[2][1].experts
    assert list(result.not_compared) == ["Bits.value: a BitLenField is translated only as whole bytes from a whole "
                                         "byte (length_from a number of bytes times 8)"]
