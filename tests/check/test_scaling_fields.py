"""scapy's ScalingField: both dissectors show the scaled value (a double, with
its unit) that scapy computes, on every generation, with the Lua script and
the C plugin; display filters compare the scaled value."""

import struct

import pytest

from conftest import matching_frames, udp_pcap
from generator.check import Checker
from layers.scaling import PORTS, Scaled, Timed
from scapy.packet import Raw


def _wire(percent=0, celsius=0, volts=0, rpm=0, signed=0, le32=0, times=0, coarse=0, big=0, count=0, after=0,
          extra=None):
    """A Scaled message from raw integers: the values on the wire, not scapy's
    scaled input (scapy's i2m rounds when it builds)."""
    return Raw(struct.pack(">BBBHh", percent, celsius, volts, rpm, signed)
               + struct.pack("<iHBQ", le32, times, coarse, big) + struct.pack(">QB", count, after)
               + (b"" if extra is None else struct.pack(">H", extra)))


SAMPLES = [
    # ndigits=0 rounds half to even: 2.5 -> 2; le32 -1 -> 0.499; the largest raw values
    _wire(percent=102, celsius=0, volts=255, rpm=4001, signed=-30, le32=-1, times=65535, coarse=1,
          big=2**64 - 1, count=2**64 - 1, after=9, extra=3),
    # 7.5 -> 8; 0x7FFF and -2**31 at the signed ends; 1.2345678 -> 1.235
    _wire(percent=1, celsius=200, signed=0x7FFF, le32=-2**31, coarse=3, big=12345678, count=5),
    _wire(percent=255, celsius=255, volts=1, rpm=1, signed=-0x8000, le32=2**31 - 1, times=1, coarse=5, big=1),
]


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.scaling", tshark=tshark, backend=backend)


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    return udp_pcap(tmp_path_factory.mktemp("scaling") / "scaling.pcap", [(PORTS[Scaled], p) for p in SAMPLES])


def test_scapy_and_tshark_agree(checker, capture):
    pairs = []
    result = checker.check(capture, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.disagreements == [] and result.problems == []
    assert result.messages == len(SAMPLES)
    msg = checker.message_of[Scaled]
    for scapy, wireshark in pairs:
        assert set(scapy.fields) == set(wireshark.fields)
    first = pairs[0][0].fields
    assert set(first) == {f.abbrev for f in msg.fields}
    assert first["scaling.scaled.percent"] == (40, 0, 1)
    assert first["scaling.scaled.celsius"] == (-40, 1, 1)
    assert first["scaling.scaled.volts"] == (1.275, 2, 1)
    assert first["scaling.scaled.rpm"] == (1000.25, 3, 2)
    assert first["scaling.scaled.le32"] == (0.499, 7, 4)
    assert first["scaling.scaled.coarse"] == (2, 13, 1)
    assert first["scaling.scaled.count"] == (2**64 - 1, 22, 8)
    assert first["scaling.scaled.extra"] == (1.5, 31, 2)


def test_a_scaled_value_that_disagrees_is_caught(tshark, tmp_path):
    """The checker compares the numbers: a dissector one step off shows."""
    from generator.backends.lua import render
    from generator.frontend import load

    lua = render(load("layers.scaling"))
    line = "local v = rb:uint() * 0.005 + (0)"
    assert line in lua
    broken = tmp_path / "broken.lua"
    broken.write_text(lua.replace(line, "local v = (rb:uint() + 1) * 0.005 + (0)"))
    result = Checker("layers.scaling", tshark=tshark, lua=str(broken)).check(
        udp_pcap(tmp_path / "one.pcap", [(PORTS[Scaled], SAMPLES[0])]))
    assert [(d.field, d.scapy[0], d.wireshark[0]) for d in result.disagreements] == [
        ("scaling.scaled.volts", 1.275, 1.28)]


def test_the_tree_shows_the_value_with_its_unit(checker, capture):
    text = checker.run(capture, ["-V", "-O", "scaling", "-Y", "frame.number == 1"])
    for line in ("percent: 40 %", "celsius: -40 °C", "volts: 1.275 V", "rpm: 1000.25 min-1", "signed: -4\n",
                 "le32: 0.499 mm", "times: 196612\n", "coarse: 2\n", "count: 18446744073709551615 sec", "extra: 1.5 A"):
        assert line in text, line


@pytest.mark.parametrize("display_filter,frames", [
    ("scaling.scaled.percent == 40", [1]),
    ("scaling.scaled.percent == 0.392", [2]),
    ("scaling.scaled.percent == 100", [3]),
    ("scaling.scaled.celsius == -40", [1]),
    ("scaling.scaled.celsius > 150", [2, 3]),
    ("scaling.scaled.volts == 1.275", [1]),
    ("scaling.scaled.volts == 0.005", [3]),
    ("scaling.scaled.rpm == 0.25", [3]),
    ("scaling.scaled.signed == -4", [1]),
    ("scaling.scaled.signed == 3275.7", [2]),
    ("scaling.scaled.signed == -3277.8", [3]),
    ("scaling.scaled.le32 == -2147483.148", [2]),
    ("scaling.scaled.times == 196612", [1]),
    ("scaling.scaled.coarse == 8", [2]),
    ("scaling.scaled.coarse == 12", [3]),
    ("scaling.scaled.big == 1.235", [2]),
    ("scaling.scaled.big > 1e12", [1]),
    ("scaling.scaled.count == 5", [2]),
    ("scaling.scaled.extra == 1.5", [1]),
])
def test_display_filters_compare_the_scaled_value(checker, capture, display_filter, frames):
    assert matching_frames(checker, capture, display_filter) == frames


def test_a_value_of_256ths(checker, tmp_path):
    pcap = udp_pcap(tmp_path / "timed.pcap", [(PORTS[Timed], Raw(bytes.fromhex("0100" "ffff"))),
                                              (PORTS[Timed], Timed(age=2.5, maxage=20))])
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.ok and result.disagreements == [] and result.problems == [] and result.messages == 2
    assert pairs[0][1].fields == {"scaling.timed.age": (1.0, 0, 2), "scaling.timed.maxage": (65535 / 256, 2, 2)}
    assert pairs[1][1].fields["scaling.timed.age"] == (2.5, 0, 2)
