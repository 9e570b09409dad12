"""Bit runs whose members' presence varies (tests/layers/bitruns2.py): each
member is read at the bit scapy's BitField reached, a member whose
ConditionalField does not hold takes no bits. Little-endian bit runs:
EtherCAT's LEBitField, BitFields of negative size or tot_size. scapy and
tshark agree field by field, item ranges included, with the Lua script and the
C plugin; packets cut in a run, and bits that end mid-byte, give a truncated
expert, never a Lua error."""

import re

import pytest
from scapy.packet import Raw

from conftest import udp_pcap
from generator.check import Checker
from layers.bitruns2 import (PORTS, CTagLike, FrameControl, JoinedChoice, LEBits, LEBitsOdd, PriorityHeader, ReversedRun,
                             SevenBytes, Straddle, Uneven, VaryingRun)

CTAG = CTagLike(VID=1, DEI=1, PCP=1, cvid_value_hi=0xA, dei_flag=1, pcp_value=7, cvid_value_low=0x55)
STRADDLE = Straddle(kind=3, big=0xFEDCBA9876543210, tail=0xF, after=1)
LE = LEBits(adp=1, data=[1, 2, 3], c=1, next=1, wkc=9)
ODD = LEBitsOdd(a=31, b=0xABC, c=0x55, x=5, y=17, wide=(1 << 143) | 5, after=3)
REVERSED = ReversedRun(AP_reach=2, security=1, key_scope=1, capabilities=0x2A, mobility=1, reserved=0x12345,
                       neg=0x1234, after=7)
# (class, wire bytes, does scapy come up short?)
SAMPLES = [
    (CTagLike, bytes(CTAG), False),
    (CTagLike, bytes(CTagLike(VID=0, DEI=1, PCP=0, spare_2=3, dei_flag=1, spare_4=5, spare_5=9)), False),
    (CTagLike, bytes(CTagLike(VID=1, DEI=0, PCP=1, cvid_value_hi=1, spare_3=1, pcp_value=2, cvid_value_low=3)), False),
    (VaryingRun, bytes(VaryingRun(kind=1, x=9, y=0xABC, pad=0xF, ext=4, after=5)), False),
    (VaryingRun, bytes(VaryingRun(kind=2, y=0x123, ext=6, after=7)), False),
    (VaryingRun, bytes(VaryingRun(kind=2, y=7, after=8)), False),  # y <= 100: no ext
    (Straddle, bytes(STRADDLE), False),
    (Straddle, bytes(Straddle(kind=5, mid=0x8000000001, tail=3, after=2)), False),
    (Straddle, bytes(Straddle(kind=0, tail=9, after=4)), False),
    (Uneven, bytes(Uneven(kind=1, x=2, after=3)), False),
    (Uneven, b"\x20\x05", True),  # kind 2: no x, the byte field would start mid-byte
    # cut in the run: before the conditional bits, in a member straddling bytes, in the 64-bit member
    (CTagLike, bytes(CTAG)[:1], True),
    (VaryingRun, bytes(VaryingRun(kind=1, x=9, y=0xABC, pad=0xF))[:2], True),
    (Straddle, bytes(STRADDLE)[:5], True),
    (Straddle, bytes(STRADDLE)[:8], True),
    (LEBits, bytes(LE), False),
    (LEBits, bytes(LEBits(adp=0xFFFF, len=0, _reserved=7, wkc=1)), False),
    (LEBitsOdd, bytes(ODD), False),
    (ReversedRun, bytes(REVERSED), False),
    (ReversedRun, bytes(ReversedRun(AP_reach=1, key_scope=0, reserved=1, neg=0xFF00)), False),
    (LEBits, bytes(LE)[:3], True),
    (LEBitsOdd, bytes(ODD)[:2], True),
    (LEBitsOdd, bytes(ODD)[:4], True),
    (ReversedRun, bytes(REVERSED)[:3], True),
    (ReversedRun, bytes(REVERSED)[:5], True),
    (SevenBytes, bytes(SevenBytes(reason=1, pad=0xFFFFFFFFFFFFFF, hi=0xABCDE, lo=0x987654321, after=2)), False),
    (SevenBytes, bytes(SevenBytes(reason=1, pad=0x80000000000001, hi=1, lo=0xFFFFFFFFF))[:12], True),
    (FrameControl, bytes(FrameControl(subtype=8, type=0, code=5)), False),
    (FrameControl, bytes(FrameControl(subtype=11, type=1, flag=1, code=5)), False),
    (FrameControl, bytes(FrameControl(subtype=0, type=2, code=5)), False),
    (FrameControl, bytes(FrameControl(subtype=8, type=3, code=3)), False),  # no table for type 3: numbers
    (FrameControl, bytes(FrameControl(subtype=8, type=0))[:1], True),
    (PriorityHeader, bytes(PriorityHeader(MP=1, seq=7, msg_priority=9, SPARE3=3, after=1)), False),
    (PriorityHeader, bytes(PriorityHeader(MP=0, seq=7, SPARE3=0xAB, after=2)), False),
    (PriorityHeader, bytes(PriorityHeader(MP=1, seq=7, msg_priority=9, SPARE3=3))[:4], True),
    (JoinedChoice, bytes(JoinedChoice(kind=6, cfe=5, fc="MD+order", after=1)), False),
    (JoinedChoice, bytes(JoinedChoice(kind=1, fc="to_DS+order", after=2)), False),
    (JoinedChoice, bytes(JoinedChoice(kind=6, cfe=5, fc="MD+order"))[:1], True),
]


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.bitruns2", tshark=tshark, backend=backend, strict=True)


@pytest.fixture(scope="module")
def checked(checker, tmp_path_factory):
    path = udp_pcap(tmp_path_factory.mktemp("bitruns2") / "bitruns2.pcap",
                    [(PORTS[cls], Raw(raw)) for cls, raw, _ in SAMPLES])
    pairs = []
    result = checker.check(path, on_pair=lambda a, b: pairs.append((a, b)))
    return result, pairs


@pytest.fixture(scope="module")
def tree(checker, tmp_path_factory):
    """tshark -V's text of every sample, frame by frame (1-based)."""
    path = udp_pcap(tmp_path_factory.mktemp("bitruns2_tree") / "bitruns2.pcap",
                    [(PORTS[cls], Raw(raw)) for cls, raw, _ in SAMPLES])
    frames = re.split(r"(?m)^Frame (\d+):", checker.run(path, ["-V"]))
    return {int(number): text for number, text in zip(frames[1::2], frames[2::2])}


def test_scapy_and_tshark_agree(checker, checked):
    result, pairs = checked
    assert result.ok and result.disagreements == [] and result.problems == []
    assert result.messages == len(SAMPLES) and result.not_compared == {}
    for (cls, raw, short), (_, theirs) in zip(SAMPLES, pairs):
        abbrev = checker.message_of[cls].abbrev
        assert ((f"{abbrev}.truncated", abbrev) in theirs.experts) == short, (cls.__name__, raw.hex())


def test_members_start_where_the_present_ones_end(checked):
    _, pairs = checked
    ctag = pairs[0][1].fields
    assert ctag["bitruns2.ctaglike.cvid_value_hi"] == (0xA, 1, 1) and ctag["bitruns2.ctaglike.pcp_value"] == (7, 1, 1)
    assert "bitruns2.ctaglike.spare_2" not in ctag and ctag["bitruns2.ctaglike.cvid_value_low"] == (0x55, 2, 1)
    assert pairs[1][1].fields["bitruns2.ctaglike.spare_4"] == (5, 1, 1)
    # y at bit 8 when x is there, at bit 4 when not: its item the bytes its bits touch
    assert pairs[3][1].fields["bitruns2.varyingrun.y"] == (0xABC, 1, 2)
    assert pairs[4][1].fields["bitruns2.varyingrun.y"] == (0x123, 0, 2)
    assert pairs[4][1].fields["bitruns2.varyingrun.ext"] == (6, 2, 1)
    assert "bitruns2.varyingrun.ext" not in pairs[5][1].fields
    straddle = pairs[6][1].fields
    assert straddle["bitruns2.straddle.big"] == (0xFEDCBA9876543210, 0, 9)
    assert straddle["bitruns2.straddle.tail"] == (0xF, 8, 1) and straddle["bitruns2.straddle.after"] == (1, 9, 1)
    assert pairs[7][1].fields["bitruns2.straddle.mid"] == (0x8000000001, 0, 6)


def test_little_endian_runs(checked):
    _, pairs = checked
    le = pairs[15][1].fields
    assert le["bitruns2.lebits.len"] == (3, 2, 2) and le["bitruns2.lebits.c"] == (1, 2, 2)
    assert le["bitruns2.lebits.next"] == (1, 2, 2) and le["bitruns2.lebits.wkc"] == (9, 7, 2)
    assert pairs[16][1].fields["bitruns2.lebits._reserved"] == (7, 2, 2)
    odd = pairs[17][1].fields
    assert odd["bitruns2.lebitsodd.a"] == (31, 0, 3) and odd["bitruns2.lebitsodd.b"] == (0xABC, 0, 3)
    assert odd["bitruns2.lebitsodd.c"] == (0x55, 0, 3) and odd["bitruns2.lebitsodd.y"] == (17, 3, 1)
    assert odd["bitruns2.lebitsodd.wide"][1:] == (4, 18)
    rev = pairs[18][1].fields
    assert rev["bitruns2.reversedrun.ap_reach"] == (2, 0, 4) and rev["bitruns2.reversedrun.capabilities"] == (42, 0, 4)
    assert rev["bitruns2.reversedrun.reserved"] == (0x12345, 0, 4) and rev["bitruns2.reversedrun.neg"] == (0x1234, 4, 2)


def test_runs_of_seven_bytes(checked):
    _, pairs = checked
    seven = pairs[25][1].fields
    assert seven["bitruns2.sevenbytes.pad"] == (0xFFFFFFFFFFFFFF, 1, 7)
    assert seven["bitruns2.sevenbytes.hi"] == (0xABCDE, 8, 3)
    assert seven["bitruns2.sevenbytes.lo"] == (0x987654321, 10, 5)
    assert pairs[26][1].fields["bitruns2.sevenbytes.hi"] == (1, 8, 3)


@pytest.mark.parametrize("frame,line", [
    (28, "subtype: beacon (8)"), (28, "code: five (5)"), (29, "subtype: RTS (11)"), (29, "code: 5"),
    (30, "subtype: data (0)"), (30, "code: cinq (5)"), (31, "subtype: 8"), (31, "code: 3"),
])
def test_names_chosen_by_a_member_of_the_run(tree, frame, line):
    # a name replaces the item's text; a bare number keeps Wireshark's bit pattern before it
    assert any(text.strip() == line or text.strip().endswith(f" = {line}") for text in tree[frame].splitlines())


def test_a_bit_alternative_continues_the_run(checked):
    _, pairs = checked
    mp, whole = pairs[32][1].fields, pairs[33][1].fields
    assert mp["bitruns2.priorityheader.msg_priority"] == (9, 4, 1) and mp["bitruns2.priorityheader.spare3"] == (3, 4, 1)
    assert mp["bitruns2.priorityheader.after"] == (1, 5, 1)
    assert whole["bitruns2.priorityheader.spare3_2"] == (0xAB, 4, 1) and "bitruns2.priorityheader.spare3" not in whole


def test_a_bit_alternative_completes_the_run(checker, checked):
    _, pairs = checked
    joined, whole = pairs[35][1].fields, pairs[36][1].fields
    assert joined["bitruns2.joinedchoice.cfe"] == (5, 1, 1) and joined["bitruns2.joinedchoice.fc"] == (0xA, 1, 1)
    assert joined["bitruns2.joinedchoice.fc.md"] == (1, 1, 1) and joined["bitruns2.joinedchoice.after"] == (1, 2, 1)
    assert whole["bitruns2.joinedchoice.fc_2"] == (0x81, 1, 1)
    assert whole["bitruns2.joinedchoice.fc_2.to_ds"] == (1, 1, 1)
    fc = checker.message_of[JoinedChoice].fields[2].alternatives[0]
    assert (fc.mask, fc.group_end, fc.bit_cursor) == (0x0F, True, False)
