"""Test layers: one class per group of field kinds the generator translates.

Each is bound to its own UDP port, so scapy finds it in a capture by itself
and the generated Lua registers it on that port.
"""

from scapy.fields import (
    BitEnumField, BitField, ByteEnumField, ByteField, ConditionalField, FieldLenField, FieldListField,
    FlagsField, IntEnumField, IntField, LEIntEnumField, LEIntField, LELongField, LEShortEnumField,
    LEShortField, LESignedIntField, LESignedLongField, LESignedShortField, LongField, PacketField,
    PacketListField, PadField, ShortEnumField, ShortField, SignedByteField, SignedIntField, SignedShortField,
    StrField, StrFixedLenField, StrLenField, StrNullField, XBitField, XByteEnumField, XByteField, XIntField,
    XLEIntEnumField, XLEIntField, XLELongField, XLEShortField, XLongField, XShortEnumField, XShortField,
    XStrFixedLenField, ThreeBytesField, LEThreeBytesField,
)
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers

from scapy_layers.spec import F, SpecPacket, SpecRule, eq, ge, lt

COLORS = {0: "black", 1: "red", 2: "green", 0xFF: "white"}
BIG = {1: "one", 0x1000: "four-k", 0x80000000: "high bit"}


class IntKinds(Packet):
    name = "Integer kinds"
    fields_desc = [
        ByteField("u8", 0), XByteField("x8", 0), SignedByteField("s8", 0),
        ShortField("u16", 0), XShortField("x16", 0), SignedShortField("s16", 0),
        LEShortField("le16", 0), XLEShortField("xle16", 0), LESignedShortField("sle16", 0),
        IntField("u32", 0), XIntField("x32", 0), SignedIntField("s32", 0),
        LEIntField("le32", 0), XLEIntField("xle32", 0), LESignedIntField("sle32", 0),
        LongField("u64", 0), XLongField("x64", 0), LELongField("le64", 0), XLELongField("xle64", 0),
        LESignedLongField("sle64", 0),
    ]


class EnumKinds(Packet):
    name = "Enum kinds"
    fields_desc = [
        ByteEnumField("color", 0, COLORS), XByteEnumField("xcolor", 0, COLORS),
        ShortEnumField("s_big", 0, {1: "one", 2: "two"}), XShortEnumField("xs_big", 0, {1: "one"}),
        LEShortEnumField("le_s", 0, {1: "one", 0x102: "x102"}),
        IntEnumField("i_big", 0, BIG), LEIntEnumField("le_i", 0, BIG), XLEIntEnumField("xle_i", 0, BIG),
    ]


class FlagKinds(Packet):
    name = "Flags kinds"
    fields_desc = [
        FlagsField("f8", 0, 8, ["a", "b", "c", "d", "e", "f", "g", "h"]),
        FlagsField("f16", 0, 16, {0x0001: "low", 0x0100: "mid", 0x8000: "top"}),
        FlagsField("fle32", 0, -32, {0x1: "first", 0x80000000: "last"}),
        # names as scapy's own layers write them: repeated (VXLAN) and meaningless (BOOTP)
        FlagsField("odd", 0, 8, ["R", "R", "?", "?", "I", "R", "", "x"]),
    ]


class BitKinds(Packet):
    name = "Bit kinds"
    fields_desc = [
        BitField("version", 0, 3), BitEnumField("kind", 0, 5, {1: "hello", 31: "bye"}),
        BitField("nib", 0, 4), XBitField("twelve", 0, 12),
        BitField("flag", 0, 1), BitField("rest23", 0, 23),
        ByteField("after", 0),
    ]


class StrKinds(Packet):
    name = "String kinds"
    fields_desc = [
        StrFixedLenField("fixed", b"", length=4),
        XStrFixedLenField("xfixed", b"", length=3),
        FieldLenField("len", None, length_of="data", fmt="B"),
        StrLenField("data", b"", length_from=lambda pkt: pkt.len),
        FieldLenField("len2", None, length_of="data2", fmt="!H", adjust=lambda pkt, x: x + 2),
        StrLenField("data2", b"", length_from=lambda pkt: pkt.len2 - 2),
        StrNullField("cstr", b""),
        StrField("rest", b""),
    ]


class Item(Packet):
    name = "Item"
    fields_desc = [ByteField("tag", 0), ShortField("value", 0)]

    def extract_padding(self, s):
        return b"", s


class Sub(Packet):
    name = "Sub"
    fields_desc = [IntField("a", 0), ByteEnumField("color", 0, COLORS)]

    def extract_padding(self, s):
        return b"", s


class NestKinds(Packet):
    name = "Nested kinds"
    fields_desc = [
        PacketField("sub", Sub(), Sub),
        FieldLenField("count", None, count_of="items", fmt="B"),
        PacketListField("items", [], Item, count_from=lambda pkt: pkt.count),
        FieldLenField("ilen", None, length_of="items2", fmt="B"),
        PacketListField("items2", [], Item, length_from=lambda pkt: pkt.ilen),
        FieldLenField("n", None, count_of="words", fmt="B"),
        FieldListField("words", [], ShortField("", 0), count_from=lambda pkt: pkt.n),
        ByteField("kind", 0),
        ConditionalField(IntField("only_if_one", 0), lambda pkt: pkt.kind == 1),
        ConditionalField(ShortField("big_kind", 0), lambda pkt: pkt.kind >= 100),
        PadField(StrLenField("padded", b"", length_from=lambda pkt: 3), 4),
        StrField("tail", b""),
    ]


class RuleKinds(SpecPacket):
    """Rules and a summary that read bit fields, signed and 3-byte integers (the
    Lua decodes these values itself, the items are Wireshark's)."""

    name = "Rule kinds"
    fields_desc = [
        BitField("version", 0, 3), BitField("kind", 0, 5), XBitField("twelve", 0, 12), BitField("low", 0, 4),
        SignedShortField("s16", 0), LESignedIntField("sle32", 0), SignedByteField("s8", 0),
        ThreeBytesField("u24", 0), LEThreeBytesField("le24", 0),
    ]
    spec_rules = (
        SpecRule("version_4", "version MUST be 4", field="version", must=eq(F("version"), 4)),
        SpecRule("twelve_small", "twelve MUST be below 0x800", field="twelve", must=lt(F("twelve"), 0x800)),
        SpecRule("low_odd", "low MUST be 1 or more", field="low", must=ge(F("low"), 1)),
        SpecRule("s16_signed", "s16 MUST NOT be negative", field="s16", must=ge(F("s16"), 0)),
        SpecRule("sle32_signed", "sle32 MUST be above -1000", field="sle32", must=ge(F("sle32"), -999)),
        SpecRule("s8_signed", "s8 MUST NOT be negative", field="s8", must=ge(F("s8"), 0)),
        SpecRule("u24_big", "u24 MUST be below 0x800000", field="u24", must=lt(F("u24"), 0x800000)),
        SpecRule("le24_big", "le24 MUST be below 0x800000", field="le24", must=lt(F("le24"), 0x800000)),
    )
    summary_template = "v{version} k{kind} t{twelve} {s16} {sle32} {s8} {u24} {le24}"


class WideBitRule(SpecPacket):
    """A rule on a field of an 8-byte bit run (its value is read through
    TvbRange:bitfield, beyond what Lua numbers decode exactly)."""

    name = "Wide bit rule"
    fields_desc = [BitField("top36", 0, 36), BitField("low28", 0, 28)]
    spec_rules = (
        SpecRule("low28_small", "low28 MUST be below 0x8000000", field="low28", must=lt(F("low28"), 0x8000000)),
    )


PORTS = {IntKinds: 40001, EnumKinds: 40002, FlagKinds: 40003, BitKinds: 40004, StrKinds: 40005,
         NestKinds: 40006, RuleKinds: 40007, WideBitRule: 40008}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
