"""Bit runs as scapy's own protocols write them: flags and enums anywhere in a run,
runs of 5 and 6 bytes, integers wider than 64 bits. scapy and tshark agree, with
the Lua script and the C plugin, on every generation; flags filter by name."""

import pytest

from conftest import matching_frames, udp_pcap
from generator.check import Checker
from layers.bitruns import PORTS, ConditionalRun, IPLikeBits, LongRuns, MidRunFlags, TCPLikeBits

SAMPLES = [
    IPLikeBits(flags="DF", frag=0x1FFF, after=7), IPLikeBits(flags="MF+evil", frag=1),
    TCPLikeBits(flags="SA"), TCPLikeBits(dataofs=15, reserved=7, flags=0x1FF),
    MidRunFlags(a=3, f="x+w", e=3, wide=0x800001), MidRunFlags(f=0xF, e=1),
    LongRuns(hi=0x2BC, f="ad", lo=0x3123456, six=0xFFFFFFFFFFFF, marker=(1 << 128) - 1, after=9),
    LongRuns(hi=1, lo=1, six=0x800000000001, marker=0x0102030405060708090A0B0C0D0E0F10),
    ConditionalRun(kind=1, hi=5, f="ae", after=7), ConditionalRun(kind=2, after=8),
]


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.bitruns", tshark=tshark, backend=backend, strict=True)


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    return udp_pcap(tmp_path_factory.mktemp("bitruns") / "bitruns.pcap", [(PORTS[type(p)], p) for p in SAMPLES])


def test_scapy_and_tshark_agree(checker, capture):
    pairs = []
    result = checker.check(capture, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.ok and result.disagreements == [] and result.messages == len(SAMPLES)
    ip, _ = pairs[0]
    assert ip.fields["bitruns.iplikebits.flags"] == (2, 1, 2) and ip.fields["bitruns.iplikebits.flags.df"] == (1, 1, 2)
    assert ip.fields["bitruns.iplikebits.flags.mf"] == (0, 1, 2) and ip.fields["bitruns.iplikebits.frag"] == (
        0x1FFF, 1, 2)
    long_runs, _ = pairs[6]
    assert long_runs.fields["bitruns.longruns.hi"] == (0x2BC, 0, 5)
    assert long_runs.fields["bitruns.longruns.lo"] == (0x3123456, 0, 5)
    assert long_runs.fields["bitruns.longruns.six"] == (0xFFFFFFFFFFFF, 5, 6)
    assert long_runs.fields["bitruns.longruns.marker"] == ("ff" * 16, 11, 16)


@pytest.mark.parametrize("display_filter,frames", [
    ("bitruns.iplikebits.flags.df == 1", [1]),
    ("bitruns.iplikebits.flags.evil == 1 && bitruns.iplikebits.frag == 1", [2]),
    ("bitruns.tcplikebits.flags.s == 1 && bitruns.tcplikebits.flags.a == 1", [3, 4]),
    ("bitruns.tcplikebits.flags.n == 1", [4]),
    ("bitruns.midrunflags.f.w == 1 && bitruns.midrunflags.wide.b23 == 1", [5]),
    ("bitruns.midrunflags.e == 1", [6]),
    ("bitruns.longruns.f.d == 1 && bitruns.longruns.six == 0xffffffffffff", [7]),
    ("bitruns.longruns.marker == 01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10", [8]),
    ("bitruns.conditionalrun.f.e == 1", [9]),
    ("bitruns.conditionalrun.after == 8 && !bitruns.conditionalrun.hi", [10]),
])
def test_flags_and_wide_runs_filter(checker, capture, display_filter, frames):
    assert matching_frames(checker, capture, display_filter) == frames
