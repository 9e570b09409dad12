"""NBytesField and XNBytesField: scapy and tshark agree on every generation, with
the Lua script and the C plugin; display filters compare the integer."""

import pytest

from conftest import matching_frames, udp_pcap
from generator.check import Checker
from generator.frontend import load
from layers.nbytes import PORTS, NBytes

SAMPLES = [
    NBytes(three=0xABCDEF, five=2**40 - 1, six=0x010203040506, seven=2**56 - 1, eight=2**64 - 1,
           twelve=0x0102030405060708090A0B0C, after=7),
    NBytes(three=1, five=0x8000000000, six=2**47, seven=1, eight=2**63, twelve=1, after=0),
]


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.nbytes", tshark=tshark, backend=backend)


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    return udp_pcap(tmp_path_factory.mktemp("nbytes") / "nbytes.pcap", [(PORTS[NBytes], p) for p in SAMPLES])


def test_the_model_makes_integers_up_to_eight_bytes_and_bytes_beyond():
    fields = {f.name: f for f in load("layers.nbytes").message("NBytes").fields}
    assert [(n, fields[n].kind, fields[n].size, fields[n].base) for n in ("three", "five", "six", "eight")] == [
        ("three", "int", 3, "DEC"), ("five", "int", 5, "HEX"), ("six", "int", 6, "DEC"), ("eight", "int", 8, "DEC")]
    assert all(fields[n].kind == "bytes" and fields[n].wide_int for n in ("seven", "twelve"))


def test_scapy_and_tshark_agree(checker, capture):
    pairs = []
    result = checker.check(capture, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.disagreements == [] and result.problems == []
    assert result.messages == len(SAMPLES)
    first = pairs[0][1].fields
    assert first["nbytes.nbytes.three"] == (0xABCDEF, 0, 3)
    assert first["nbytes.nbytes.five"] == (2**40 - 1, 3, 5)
    assert first["nbytes.nbytes.eight"] == (2**64 - 1, 21, 8)
    assert first["nbytes.nbytes.twelve"] == ("0102030405060708090a0b0c", 29, 12)
    assert first["nbytes.nbytes.after"] == (7, 41, 1)


@pytest.mark.parametrize("display_filter,frames", [
    ("nbytes.nbytes.three == 0xabcdef", [1]),
    ("nbytes.nbytes.six == 0x800000000000", [2]),
    ("nbytes.nbytes.five > 0xffffffff", [1, 2]),
])
def test_filters_compare_the_integer(checker, capture, display_filter, frames):
    assert matching_frames(checker, capture, display_filter) == frames
