"""IEEE 754 fields: scapy and tshark agree on their bytes on every generation,
with the Lua script and the C plugin; the tree shows the number and display
filters compare it."""

import math

import pytest

from conftest import matching_frames, udp_pcap
from generator.check import Checker
from generator.frontend import load
from layers.floats import PORTS, Floats

SAMPLES = [
    Floats(single=1.5, double=-2.25, le_single=0.1, le_double=1e300, after=9),
    Floats(single=float("inf"), double=float("nan"), le_single=-0.0, le_double=5e-324, after=1),
]


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.floats", tshark=tshark, backend=backend)


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    return udp_pcap(tmp_path_factory.mktemp("floats") / "floats.pcap", [(PORTS[Floats], p) for p in SAMPLES])


def test_the_model_reads_floats_of_their_size_and_byte_order():
    fields = load("layers.floats").message("Floats").fields
    assert [(f.kind, f.ftype, f.size, f.little_endian) for f in fields[:4]] == [
        ("float", "float", 4, False), ("float", "double", 8, False), ("float", "float", 4, True),
        ("float", "double", 8, True)]


def test_scapy_and_tshark_agree(checker, capture):
    pairs = []
    result = checker.check(capture, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.disagreements == [] and result.problems == []
    assert result.messages == len(SAMPLES)
    first = pairs[0][1].fields
    assert first["floats.floats.single"] == ("3fc00000", 0, 4)
    assert first["floats.floats.le_double"][1:] == (16, 8)
    assert first["floats.floats.after"] == (9, 24, 1)
    assert math.isnan(Floats(bytes(SAMPLES[1])).double)


def test_the_tree_shows_the_numbers(checker, capture):
    text = checker.run(capture, ["-V", "-O", "floats", "-Y", "frame.number == 1"])
    for line in ("single: 1.5", "double: -2.25", "le_double: 1e+300"):
        assert line in text, line


@pytest.mark.parametrize("display_filter,frames", [
    ("floats.floats.single == 1.5", [1]),
    ("floats.floats.double < 0", [1]),
    ("floats.floats.le_double > 1e299", [1]),
    ("floats.floats.single > 1e38", [2]),
])
def test_filters_compare_the_number(checker, capture, display_filter, frames):
    assert matching_frames(checker, capture, display_filter) == frames
