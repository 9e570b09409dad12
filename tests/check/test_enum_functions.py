"""Enum names scapy takes from a function (resolved at generation time) or
from a table another field chooses (MultiEnumField): scapy and tshark agree
on the numbers, with the Lua script and with the C plugin (the ``backend``
fixture); the tree names each value as scapy does, and filters take numbers."""

import re

import pytest

from conftest import matching_frames, udp_pcap
from generator.check import Checker
from layers.enum_functions import PORTS, ChosenNames, FunctionNames, WideFunctionNames

CHOSEN = [
    ChosenNames(kind=3, code=3, detail=7),  # 1: a named code
    ChosenNames(kind=3, code=2, detail=7),  # 2: a code its table lacks
    ChosenNames(kind=8, code=3, detail=7),  # 3: a kind without a table
    ChosenNames(kind=5, code=1, sub=2, detail=0x1234),  # 4: detail chosen by the present sub
    ChosenNames(kind=9, code=0, detail=7),  # 5: an empty table
    ChosenNames(kind=5, code=0, sub=1, detail=7),  # 6
]
FUNCTIONS = [
    FunctionNames(byte=1, short=0xFF07, hexa=0x0F, nibble=8, rest=3, after=4),  # 7
    FunctionNames(byte=200, short=7, hexa=0x10, nibble=1, rest=0, after=5),  # 8
]
WIDE = [WideFunctionNames(before=6, wide=1, after=2)]  # 9
SAMPLES = {ChosenNames: CHOSEN, FunctionNames: FUNCTIONS, WideFunctionNames: WIDE}


def _pcap(path, packets):
    return udp_pcap(path, [(PORTS[type(pkt)], pkt) for pkt in packets])


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.enum_functions", tshark=tshark, backend=backend)


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    return _pcap(tmp_path_factory.mktemp("enum_functions") / "enum_functions.pcap", CHOSEN + FUNCTIONS + WIDE)


@pytest.fixture(scope="module")
def tree(checker, capture):
    """tshark -V's text, frame by frame (1-based)."""
    frames = re.split(r"(?m)^Frame (\d+):", checker.run(capture, ["-V"]))
    return {int(number): text for number, text in zip(frames[1::2], frames[2::2])}


@pytest.mark.parametrize("cls", list(SAMPLES), ids=lambda c: c.__name__)
def test_scapy_and_tshark_agree(checker, tmp_path, cls):
    pairs = []
    result = checker.check(_pcap(tmp_path / f"{cls.__name__}.pcap", SAMPLES[cls]),
                           on_pair=lambda a, b: pairs.append((a, b)))
    assert result.disagreements == [] and result.problems == []
    assert result.messages == len(SAMPLES[cls])
    msg = checker.message_of[cls]
    for side in (0, 1):
        seen = {name for pair in pairs for name in pair[side].fields}
        for f in msg.fields:
            if f.kind == "int":
                assert f.abbrev in seen, (side, f.abbrev)


def test_the_numbers_compared_are_the_values(checker, tmp_path):
    pairs = []
    checker.check(_pcap(tmp_path / "values.pcap", CHOSEN[:1] + FUNCTIONS[:1]),
                  on_pair=lambda a, b: pairs.append((a, b)))
    (chosen, _), (functions, _) = pairs
    assert chosen.fields["enum_functions.chosennames.code"][0] == 3
    assert chosen.fields["enum_functions.chosennames.detail"][0] == 7
    assert functions.fields["enum_functions.functionnames.short"][0] == 0xFF07
    for scapy, wireshark in pairs:
        assert scapy.fields == wireshark.fields


@pytest.mark.parametrize("frame,line", [
    (1, "code: port-unreachable (3)"),
    (2, "code: 2"),  # its table lacks 2: the number, as scapy shows it
    (3, "code: 3"),  # kind 8 has no table
    (4, "code: host-redirect (1)"),
    (4, "detail: big (4660)"),
    (5, "code: 0"),
    (6, "code: network-redirect (0)"),
    (6, "detail: seven (7)"),
    (1, "detail: 7"),  # sub is absent: no table
    (7, "byte: one (1)"),
    (7, "short: reserved 7 (65287)"),
    (7, "hexa: low (0x0f)"),
    (8, "byte: two hundred (200)"),
])
def test_the_tree_names_values_as_scapy_does(tree, frame, line):
    assert line in [text.strip() for text in tree[frame].splitlines()]


def test_a_bit_field_is_named_by_its_function(tree):
    assert any(text.strip().endswith("nibble: half (8)") for text in tree[7].splitlines())


def test_a_function_over_32_bits_leaves_the_rest_undecoded(tree):
    lines = [text.strip() for text in tree[9].splitlines()]
    assert "before: 6" in lines
    assert not any(text.startswith(("wide:", "after:")) for text in lines)
    assert any(text.startswith("Undecoded") for text in lines)


@pytest.mark.parametrize("display_filter,frames", [
    ("enum_functions.chosennames.code == 3", [1, 3]),
    ("enum_functions.chosennames.kind == 5 && enum_functions.chosennames.code == 1", [4]),
    ("enum_functions.chosennames.detail == 0x1234", [4]),
    ("enum_functions.functionnames.short == 0xff07", [7]),
    ("enum_functions.functionnames.nibble == 8", [7]),
])
def test_display_filters_take_numbers(checker, capture, display_filter, frames):
    assert matching_frames(checker, capture, display_filter) == frames
