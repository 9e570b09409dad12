"""Each field kind the generator translates: scapy and tshark agree on it, with
the Lua script and with the C plugin (the ``backend`` fixture)."""

import pytest

from generator.backends.c import build_plugin
from generator.backends.c import render as render_c
from generator.backends.lua import render as render_lua
from conftest import udp_pcap
from generator.check import Checker
from generator.frontend import load
from layers.hostile import end, repeat
from layers.kinds import (PORTS, BitKinds, EnumKinds, FlagKinds, IntKinds, Item, NestKinds, RuleKinds, StrKinds,
                         Sub, WideBitRule)

SAMPLES = {
    IntKinds: [
        IntKinds(u8=255, x8=0xAB, s8=-3, u16=65535, x16=0x1234, s16=-2, le16=0x1234, xle16=0xBEEF, sle16=-300,
                 u32=0xFFFFFFFF, x32=0xDEADBEEF, s32=-70000, le32=7, xle32=0x80000000, sle32=-1,
                 u64=2**63 + 5, x64=0x1122334455667788, le64=2**40, xle64=0xFFFFFFFFFFFFFFFF, sle64=-2**40),
        IntKinds(),
    ],
    EnumKinds: [
        EnumKinds(color=2, xcolor=0xFF, s_big=2, xs_big=7, le_s=0x102, i_big=0x80000000, le_i=0x1000, xle_i=5),
        EnumKinds(color=77, i_big=3),  # values without a name
    ],
    FlagKinds: [FlagKinds(f8="a+h", f16=0x8101, fle32=0x80000001, odd=0xA5),
                FlagKinds(f8=0x7E, f16=0x0100, fle32=0x1, odd=0x5A)],
    BitKinds: [BitKinds(version=5, kind=31, nib=9, twelve=0xABC, flag=1, rest23=0x7FFFF0, after=9),
               BitKinds(version=1, kind=1, nib=0, twelve=1, flag=0, rest23=1, after=0)],
    StrKinds: [StrKinds(fixed=b"abcd", xfixed=b"\x00\x01\x02", data=b"hello", data2=b"xy", cstr=b"zero", rest=b"t!"),
               StrKinds(fixed=b"wxyz", xfixed=b"abc", data=b"", data2=b"", cstr=b"", rest=b"")],
    NestKinds: [
        NestKinds(sub=Sub(a=7, color=1), items=[Item(tag=1, value=2), Item(tag=3, value=4)],
                  items2=[Item(tag=5, value=6)], words=[1, 2, 65535], kind=1, only_if_one=42, padded=b"abc",
                  tail=b"T"),
        NestKinds(kind=100, big_kind=7, padded=b"xyz"),
        NestKinds(kind=0, padded=b"pqr"),
    ],
    RuleKinds: [
        RuleKinds(version=4, kind=3, twelve=0x123, low=1, s16=5, sle32=-5, s8=1, u24=0x10203, le24=0x7FFFFF),
        RuleKinds(version=7, kind=31, twelve=0xFFF, low=0, s16=-2, sle32=-100000, s8=-128, u24=0xFFFFFF,
                  le24=0x800000),
    ],
}


def _pcap(path, packets):
    return udp_pcap(path, packets)


@pytest.fixture(scope="module")
def kinds_checker(tshark, backend):
    return Checker("layers.kinds", tshark=tshark, backend=backend)


@pytest.mark.parametrize("cls", list(SAMPLES), ids=lambda c: c.__name__)
def test_scapy_and_tshark_agree(kinds_checker, tmp_path, cls):
    packets = [(PORTS[cls], p) for p in SAMPLES[cls]]
    result = kinds_checker.check(_pcap(tmp_path / f"{cls.__name__}.pcap", packets))
    assert result.disagreements == []
    assert result.messages == len(packets)
    # every field of the class was compared in at least one packet
    scapy = kinds_checker.scapy_sides(result.pcap)
    seen = {name.split("#")[0] for side in scapy for name in side.fields}
    msg = kinds_checker.message_of[cls]
    for f in msg.fields:
        if f.kind in ("bytes", "stringz") or f.condition is not None:
            continue  # empty or absent in some samples; present in others, compared when present
        assert f.abbrev in seen, f.abbrev


def test_nested_items_are_compared(kinds_checker, tmp_path):
    path = _pcap(tmp_path / "nest.pcap", [(PORTS[NestKinds], SAMPLES[NestKinds][0])])
    (side,) = kinds_checker.scapy_sides(path)
    assert side.fields["kinds.sub.a"] == (7, 0, 4)
    assert side.fields["kinds.item.tag"] == (1, 6, 1) and side.fields["kinds.item.tag#3"] == (5, 13, 1)
    assert [side.fields[k][0] for k in ("kinds.nestkinds.words", "kinds.nestkinds.words#2",
                                        "kinds.nestkinds.words#3")] == [1, 2, 65535]
    assert side.fields["kinds.nestkinds.only_if_one"] == (42, 24, 4)
    assert side.fields["kinds.nestkinds.padded"] == ("616263", 28, 3)


def test_a_disagreement_is_caught(tshark, tmp_path):
    """A mistranslated kind would show: flip one bit field's mask in the Lua."""
    lua = render_lua(load("layers.kinds"))
    broken = tmp_path / "broken.lua"
    declaration = 'ProtoField.uint8("kinds.bitkinds.kind", "kind", base.DEC, VS.vs_bitkinds_kind, 31)'
    assert declaration in lua
    broken.write_text(lua.replace(declaration, declaration.replace(", 31)", ", 62)")))
    checker = Checker("layers.kinds", tshark=tshark, lua=str(broken))
    result = checker.check(_pcap(tmp_path / "bits.pcap", [(PORTS[BitKinds], p) for p in SAMPLES[BitKinds]]))
    assert any(d.field == "kinds.bitkinds.kind" for d in result.disagreements)


def test_a_disagreement_in_the_c_plugin_is_caught(tshark, tmp_path):
    """The same mistranslation in the C plugin: the checker sees it too."""
    files = render_c(load("layers.kinds"))
    declaration = ('"kind", "kinds.bitkinds.kind", FT_UINT8, BASE_DEC, VALS(values_vs_bitkinds_kind), '
                   'G_GUINT64_CONSTANT(31)')
    assert declaration in files["packet-kinds.c"]
    files["packet-kinds.c"] = files["packet-kinds.c"].replace(declaration, declaration.replace("(31)", "(62)"))
    plugin = str(tmp_path / "broken.so")
    build_plugin(files, plugin, root=tshark.root)
    checker = Checker("layers.kinds", tshark=tshark, backend="c", plugin=plugin)
    result = checker.check(_pcap(tmp_path / "bits.pcap", [(PORTS[BitKinds], p) for p in SAMPLES[BitKinds]]))
    assert any(d.field == "kinds.bitkinds.kind" for d in result.disagreements)


def test_hostile_names_load_and_agree(tshark, backend, tmp_path):
    checker = Checker("layers.hostile", tshark=tshark, backend=backend)
    path = _pcap(tmp_path / "hostile.pcap", [
        (40200, end(**{"local": 3, "function": 7, "then": 1, "nil": 2})),
        (40201, repeat(**{"until": 9})),
    ])
    result = checker.check(path)
    assert result.disagreements == [] and result.messages == 2 and result.experts == 1
    text = checker.run(path, ["-V", "-O", "hostile"])
    assert 'He said "hi" ]]' in text and "ünïcødé ✓ 电话 (3)" in text
    assert 'the "function" field ]] must be zero' in text


def test_bind_layers_between_our_layers(tshark, backend, tmp_path):
    from layers.bound import Data, Header, Ping

    checker = Checker("layers.bound", tshark=tshark, backend=backend)
    header = checker.message_of[Header]
    assert {(b.conditions, b.message) for b in header.payloads} == {
        ((("type", 1),), "Ping"), ((("type", 2),), "Data")}
    path = _pcap(tmp_path / "bound.pcap", [
        (40400, Header() / Ping(seq=5)), (40400, Header() / Ping(seq=5000)),
        (40400, Header() / Data(length=3, body=b"abc")), (40400, Header(type=9) / b"zz"),
        (40401, Header() / Ping(seq=6)),
    ])
    pairs = []
    result = checker.check(path, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.disagreements == [] and result.messages == 5 and result.experts == 1
    if backend == "lua":
        assert open(checker.lua).read().count("Proto(") == 2  # the protocol, and one for Header on both ports
    assert pairs[0][1].fields["bound.ping.seq"] == (5, 2, 4)
    assert pairs[2][1].fields["bound.data.body"] == ("616263", 4, 3)
    assert pairs[3][1].fields["bound.trailing"] == ("7a7a", 2, 2)


def test_three_byte_integers_are_three_bytes_wide():
    # they pack through a 4-byte struct format; a short buffer check that
    # trusted the format once lost the last one as "truncated"
    pkt = RuleKinds(bytes(RuleKinds(u24=0xFFFFFF, le24=0x800000)))
    assert not pkt.truncated
    assert (pkt.u24, pkt.le24) == (0xFFFFFF, 0x800000)
    assert [v.rule for v in pkt.violations()] == ["version_4", "low_odd", "u24_big", "le24_big"]  # bit runs of 0


def test_flag_items_hang_under_their_field(kinds_checker, tmp_path):
    import xml.etree.ElementTree as ET

    path = _pcap(tmp_path / "flags.pcap", [(PORTS[FlagKinds], SAMPLES[FlagKinds][0])])
    pdml = kinds_checker.run(path, ["-T", "pdml"])
    fields = {f.get("name"): f for f in ET.fromstring(pdml).iter("field")}
    for parent, flag in [("kinds.flagkinds.f8", "kinds.flagkinds.f8.a"), ("kinds.flagkinds.f16", "kinds.flagkinds.f16.top"),
                         ("kinds.flagkinds.fle32", "kinds.flagkinds.fle32.last")]:
        assert flag in {c.get("name") for c in fields[parent]}, (parent, flag)


def test_a_rule_on_an_eight_byte_bit_run(kinds_checker, tmp_path):
    packets = [WideBitRule(top36=0xFFFFFFFFF, low28=0x7FFFFFF), WideBitRule(top36=1, low28=0x8000001)]
    path = _pcap(tmp_path / "wide.pcap", [(PORTS[WideBitRule], p) for p in packets])
    assert [[v.rule for v in WideBitRule(bytes(p)).violations()] for p in packets] == [[], ["low28_small"]]
    out = kinds_checker.run(path, ["-T", "fields", "-e", "frame.number", "-e", "kinds.widebitrule.low28",
                                   "-e", "_ws.expert.message"])
    rows = [line.split("\t") for line in out.splitlines()]
    assert rows == [["1", str(0x7FFFFFF), ""], ["2", str(0x8000001), "low28 MUST be below 0x8000000"]]
