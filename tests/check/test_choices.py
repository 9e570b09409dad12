"""scapy's MultipleTypeField: the dissectors read the alternative scapy reads,
named <field> for the first and <field>_2, <field>_3... for the others. scapy and
tshark agree, with the Lua script and the C plugin, on every generation."""

import pytest

from conftest import matching_frames, udp_pcap
from generator.check import Checker
from layers.choices import PORTS, AddressChoice, ArpLike, NumberChoice

SAMPLES = [
    AddressChoice(version=6, addr="2001:db8::1", after=1), AddressChoice(version=1, addr="02:00:00:00:00:01", after=2),
    AddressChoice(version=4, addr="192.0.2.7", after=3), AddressChoice(version=9, addr="198.51.100.1", after=4),
    ArpLike(hwtype=1, hwsrc="02:00:00:00:00:02"), ArpLike(hwtype=6, hwsrc=b"\x01\x02\x03"),
    ArpLike(hwtype=1, hwlen=4, hwsrc=b"\x0a\x0b\x0c\x0d"),
    NumberChoice(kind=4, value=0x01020304, after=5), NumberChoice(kind=3, value=b"abc", after=6),
    NumberChoice(kind=2, value=0x0102, after=7), NumberChoice(kind=0, after=8),
]


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.choices", tshark=tshark, backend=backend, strict=True)


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    return udp_pcap(tmp_path_factory.mktemp("choices") / "choices.pcap", [(PORTS[type(p)], p) for p in SAMPLES])


def test_scapy_and_tshark_agree_on_every_alternative(checker, capture):
    pairs = []
    result = checker.check(capture, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.ok and result.disagreements == [] and result.messages == len(SAMPLES)
    chosen = [sorted(n for n in a.fields if n.rsplit(".", 1)[1].startswith(("addr", "hwsrc", "value")))
              for a, _ in pairs]
    assert chosen == [["choices.addresschoice.addr"], ["choices.addresschoice.addr_2"],
                      ["choices.addresschoice.addr_3"], ["choices.addresschoice.addr_3"],
                      ["choices.arplike.hwsrc"], ["choices.arplike.hwsrc_2"], ["choices.arplike.hwsrc_2"],
                      ["choices.numberchoice.value"], ["choices.numberchoice.value_2"],
                      ["choices.numberchoice.value_3"], []]
    assert pairs[1][0].fields["choices.addresschoice.addr_2"] == ("020000000001", 1, 6)
    assert pairs[9][0].fields["choices.numberchoice.value_3"] == (0x0102, 1, 2)


@pytest.mark.parametrize("display_filter,frames", [
    ("choices.addresschoice.addr == 2001:db8::1", [1]),
    ("choices.addresschoice.addr_2 == 02:00:00:00:00:01", [2]),
    ("choices.addresschoice.addr_3 == 192.0.2.0/24", [3]),
    ("choices.arplike.hwsrc", [5]),
    ("choices.numberchoice.value == 0x01020304", [8]),
])
def test_each_alternative_filters_by_its_type(checker, capture, display_filter, frames):
    assert matching_frames(checker, capture, display_filter) == frames
