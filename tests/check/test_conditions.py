"""Conditions, lengths and counts as Python writes them (and/or/not, if-else,
in, bit operations, floor division, max, constants, helper functions): scapy
and tshark agree on every branch, with the Lua script and with the C plugin."""

import pytest

from conftest import udp_pcap
from generator.check import Checker
from layers.conditions import IDENTIFIED_PORT, PORT, Conditions, Identified

# which optional fields each sample has, as scapy dissects it: every
# condition is true in one sample and false in another
SAMPLES = [
    (Conditions(flags="big", type=1, wide=0x1234, len=5, data=b"abc", long_len=9, n=0x23, words=[1, 2],
                align=b"x", m=1, top_clear=7, xor_one=8, shifted=9, rest=b"!"),
     {"wide", "always", "long_len", "top_clear", "xor_one", "shifted"}),
    (Conditions(flags=0, type=1, len=0, n=0x10, words=[7], m=0, top_clear=1, xor_one=3),
     {"always", "top_clear", "xor_one"}),
    (Conditions(flags="odd+big", type=0, untyped=3, odd_byte=9, len=4, data=b"zz", n=0x02, odd_block=b"ob", align=b"pq",
                m=0xFF, clipped=b"12345", shifted=2),
     {"untyped", "odd_byte", "always", "shifted"}),
    (Conditions(flags="odd", type=2, odd_byte=1, two_three=0xDEADBEEF, len=2, n=0x31, words=[1, 2, 3], odd_block=b"o",
                align=b"abc", m=70, top_clear=1, floor_div=2),
     {"odd_byte", "two_three", "always", "top_clear", "floor_div"}),
    (Conditions(type=3, two_three=5, len=6, data=b"four", long_len=1, n=0x21, words=[9, 8], align=b"abc",
                long_form=4, m=68, top_clear=2, floor_div=6, floor_mod=7),
     {"two_three", "always", "long_len", "long_form", "top_clear", "floor_div", "floor_mod"}),
    (Conditions(type=3, two_three=5, n=0x20, words=[9, 8], m=0x80, rest=b"tail"),
     {"two_three", "always"}),
]
OPTIONAL = {"wide", "untyped", "odd_byte", "two_three", "never", "always", "long_len", "long_form", "top_clear", "xor_one",
            "shifted", "floor_div", "floor_mod"}


def _pcap(path, packets):
    return udp_pcap(path, [(PORT, pkt) for pkt in packets])


def test_samples_take_the_branches_they_claim():
    """Built and dissected by scapy alone: the samples exercise what the table says."""
    for pkt, present in SAMPLES:
        again = Conditions(bytes(pkt))
        assert not again.haslayer("Raw") and again.rest == pkt.rest
        assert {f for f in OPTIONAL if f in again.fields} == present, again.fields
    # every condition both holds and fails somewhere (never holds in none, always in all)
    seen = set().union(*(p for _, p in SAMPLES))
    assert seen == OPTIONAL - {"never"}
    assert all(OPTIONAL - {"never"} - p for _, p in SAMPLES)


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.conditions", tshark=tshark, backend=backend)


def test_scapy_and_tshark_agree_on_every_branch(checker, tmp_path):
    path = _pcap(tmp_path / "conditions.pcap", [p for p, _ in SAMPLES])
    result = checker.check(path)
    assert result.disagreements == []
    assert result.messages == len(SAMPLES)
    for side, (_, present) in zip(checker.scapy_sides(path), SAMPLES):
        names = {name.split("#")[0].rsplit(".", 1)[-1] for name in side.fields}
        assert names & OPTIONAL == present


def test_truncating_division_would_be_caught(tshark, tmp_path):
    """Python floors where C and Lua's math would truncate: rounding -30/16 toward zero
    (-1, not -2) hides floor_div in the sample with m=70, and the check sees it."""
    from generator.backends.lua import render
    from generator.frontend import load

    lua = render(load("layers.conditions"))
    floored = "(floor((v_m - 100) / 16) == -2)"
    assert floored in lua
    broken = tmp_path / "broken.lua"
    broken.write_text(lua.replace(floored, "(math.ceil((v_m - 100) / 16) == -2)"))
    checker = Checker("layers.conditions", tshark=tshark, lua=str(broken))
    result = checker.check(_pcap(tmp_path / "m70.pcap", [SAMPLES[3][0]]))
    assert result.disagreements != []


def test_every_truncation_dissects_without_a_lua_error(checker, tmp_path):
    """A length read from a field the message ended before is no Lua error
    (arithmetic on nil): the message is marked malformed instead."""
    from scapy.packet import Raw

    cuts = [Raw(bytes(p)[:n]) for p, _ in SAMPLES for n in range(1, len(bytes(p)))]
    text = checker.run(_pcap(tmp_path / "cut.pcap", cuts), ["-V", "-O", "conditions"])  # strict: a Lua error fails
    assert text.count("Conditions") >= len(cuts)


def test_a_condition_on_a_field_the_packet_lacks(checker, tmp_path):
    """An absent field compared by == is unequal and by != different, as scapy's None is:
    the default arm of subtype 7 and the 2-byte arm of subtype 6 need no family."""
    samples = [Identified(subtype=7, id=b"local"), Identified(subtype=6, id=9),
               Identified(subtype=5, family=1, id=3), Identified(subtype=5, family=2, id=b"v6")]
    pcap = udp_pcap(tmp_path / "identified.pcap", [(IDENTIFIED_PORT, p) for p in samples])
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.ok and result.disagreements == [] and result.problems == [] and result.messages == 4
    assert pairs[0][1].fields["conditions.identified.id_3"] == (b"local".hex(), 1, 5)
    assert pairs[1][1].fields["conditions.identified.id_2"] == (9, 1, 2)
    assert pairs[2][1].fields["conditions.identified.id"] == (3, 2, 4)
    assert not any(e[0].endswith("truncated") for _, b in pairs for e in b.experts)
