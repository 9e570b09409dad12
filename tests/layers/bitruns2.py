"""Test layers: bit runs whose members' presence varies, as scapy's library writes them.

ConditionalFields with different tests inside one run of bit fields (PFCP's
C-TAG IE, GTP's PDU session container): a member whose test fails takes no
bits, so the members after it start at a bit only the packet says.

Little-endian bit runs: EtherCAT's LEBitField (the run a little-endian
integer, its first field the lowest bits) and a BitField of negative size or
tot_size (802.11's neighbour report: the run's bytes reversed, then read as
big-endian bits).
"""

from scapy.contrib.ethercat import LEBitEnumField, LEBitField, LEBitFieldLenField
from scapy.fields import (BitEnumField, BitField, BitMultiEnumField, ByteField, ConditionalField, FieldListField,
                          FlagsField, LEShortField, MultipleTypeField, ThreeBytesField, XBitField)
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers


class CTagLike(Packet):
    """PFCP's IE_C_TAG: each flag of the first byte picks one of two fields of the same width."""

    name = "C-TAG like"
    fields_desc = [XBitField("spare_1", 0, 5), BitField("VID", 0, 1), BitField("DEI", 0, 1), BitField("PCP", 0, 1),
                   ConditionalField(BitField("cvid_value_hi", 0, 4), lambda x: x.VID == 1),
                   ConditionalField(BitField("spare_2", 0, 4), lambda x: x.VID == 0),
                   ConditionalField(BitField("dei_flag", 0, 1), lambda x: x.DEI == 1),
                   ConditionalField(BitField("spare_3", 0, 1), lambda x: x.DEI == 0),
                   ConditionalField(BitEnumField("pcp_value", 0, 3, {0: "best effort", 7: "network"}),
                                    lambda x: x.PCP == 1),
                   ConditionalField(BitField("spare_4", 0, 3), lambda x: x.PCP == 0),
                   ConditionalField(ByteField("cvid_value_low", 0), lambda x: x.VID == 1),
                   ConditionalField(ByteField("spare_5", 0), lambda x: x.VID == 0)]


class VaryingRun(Packet):
    """Members absent for one kind move the ones after them (GTP's PDU session container's way):
    ``y`` starts at bit 8 when kind is 1, at bit 4 otherwise; a later test reads it."""

    name = "Varying run"
    fields_desc = [BitField("kind", 0, 4),
                   ConditionalField(BitField("x", 0, 4), lambda p: p.kind == 1),
                   BitField("y", 0, 12),
                   ConditionalField(XBitField("pad", 0, 4), lambda p: p.kind == 1),
                   ConditionalField(ByteField("ext", 0), lambda p: p.y > 100),
                   ByteField("after", 0)]


class Straddle(Packet):
    """A 64-bit member at bit 4: its value's bits touch 9 bytes."""

    name = "Straddle"
    fields_desc = [BitField("kind", 0, 4),
                   ConditionalField(XBitField("big", 0, 64), lambda p: p.kind == 3),
                   ConditionalField(XBitField("mid", 0, 40), lambda p: p.kind == 5),
                   BitField("tail", 0, 4),
                   ByteField("after", 0)]


class Uneven(Packet):
    """Bits that end mid-byte when ``x`` is absent: scapy then fails at the next byte field."""

    name = "Uneven"
    fields_desc = [BitField("kind", 0, 4), ConditionalField(BitField("x", 0, 4), lambda p: p.kind == 1),
                   ByteField("after", 0)]


PORTS = {CTagLike: 41721, VaryingRun: 41722, Straddle: 41723, Uneven: 41724}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)


class LEBits(Packet):
    """EtherCAT's addressing header: an 11-bit length counting the data that follows."""

    name = "LE bits"
    fields_desc = [LEShortField("adp", 0), LEBitFieldLenField("len", None, 11, count_of="data"),
                   LEBitField("_reserved", 0, 3), LEBitEnumField("c", 0, 1, {0: "not circulating", 1: "circulated"}),
                   LEBitEnumField("next", 0, 1, {0: "last", 1: "more"}),
                   FieldListField("data", [], ByteField("", 0), count_from=lambda pkt: pkt.len),
                   LEShortField("wkc", 0)]


class LEBitsOdd(Packet):
    """Runs of 3 bytes and of 1, then one wider than any ProtoField (Bluetooth LE's sync_info)."""

    name = "LE bits odd"
    fields_desc = [LEBitField("a", 0, 5), LEBitField("b", 0, 12), LEBitField("c", 0, 7),
                   LEBitField("x", 0, 3), LEBitField("y", 0, 5), LEBitField("wide", 0, 18 * 8), ByteField("after", 0)]


class ReversedRun(Packet):
    """802.11's neighbour report BSSID information: 4 bytes reversed (tot_size=-4), and a 16-bit
    field of negative size (2 bytes reversed)."""

    name = "Reversed run"
    fields_desc = [BitField("AP_reach", 0, 2, tot_size=-4), BitField("security", 0, 1),
                   BitEnumField("key_scope", 0, 1, {0: "none", 1: "same"}), BitField("capabilities", 0, 6),
                   BitField("mobility", 0, 1), BitField("reserved", 0, 21, end_tot_size=-4),
                   BitField("neg", 0, -16), ByteField("after", 0)]


for _cls, _port in {LEBits: 41725, LEBitsOdd: 41726, ReversedRun: 41727}.items():
    PORTS[_cls] = _port
    bind_layers(UDP, _cls, dport=_port)


class SevenBytes(Packet):
    """Runs of 7 bytes (OpenFlow 1.3's port status pad): no integer type holds them, each field reads its bits."""

    name = "Seven bytes"
    fields_desc = [ByteField("reason", 0), XBitField("pad", 0, 56), BitField("hi", 0, 20), XBitField("lo", 0, 36),
                   ByteField("after", 0)]


PORTS[SevenBytes] = 41728
bind_layers(UDP, SevenBytes, dport=41728)


class FrameControl(Packet):
    """802.11's frame control: the subtype's names chosen by the type that follows it in the byte;
    a second run's names chosen by a field before it."""

    name = "Frame control"
    fields_desc = [BitMultiEnumField("subtype", 0, 4,
                                     {0: {0: "assoc-req", 8: "beacon"}, 1: {11: "RTS"}, 2: {0: "data"}},
                                     lambda pkt: pkt.type),
                   BitEnumField("type", 0, 2, ["Management", "Control", "Data", "Extension"]),
                   BitField("proto", 0, 2),
                   BitField("flag", 0, 1),
                   BitMultiEnumField("code", 0, 7, {0: {5: "five"}, 2: {5: "cinq"}}, lambda pkt: pkt.type)]


PORTS[FrameControl] = 41729
bind_layers(UDP, FrameControl, dport=41729)


class PriorityHeader(Packet):
    """GTPv2's header end: a 4-bit priority when MP is set, then a spare of 4 bits, else of a byte
    (a MultipleTypeField whose bit alternative continues the run)."""

    name = "Priority header"
    fields_desc = [BitField("version", 2, 3), BitField("P", 0, 1), BitField("T", 0, 1), BitField("MP", 0, 1),
                   BitField("SPARE1", 0, 2), ThreeBytesField("seq", 0),
                   ConditionalField(BitField("msg_priority", 0, 4), lambda pkt: pkt.MP == 1),
                   ConditionalField(MultipleTypeField([(BitField("SPARE3", 0, 4), lambda pkt: pkt.MP == 1)],
                                                      ByteField("SPARE3", 0)),
                                    lambda pkt: pkt.MP in [0, 1]),
                   ByteField("after", 0)]


PORTS[PriorityHeader] = 41730
bind_layers(UDP, PriorityHeader, dport=41730)


class JoinedChoice(Packet):
    """802.11's control frame extension: under one test 4 bits of cfe, then 4 flag bits
    complete the byte; else 8 flag bits."""

    name = "Joined choice"
    fields_desc = [ByteField("kind", 0),
                   ConditionalField(BitField("cfe", 0, 4), lambda pkt: pkt.kind == 6),
                   MultipleTypeField([(FlagsField("fc", 0, 4, ["pw_mgt", "MD", "protected", "order"]),
                                       lambda pkt: pkt.kind == 6)],
                                     FlagsField("fc", 0, 8, ["to_DS", "from_DS", "MF", "retry", "pw_mgt", "MD",
                                                             "protected", "order"])),
                   ByteField("after", 0)]


PORTS[JoinedChoice] = 41731
bind_layers(UDP, JoinedChoice, dport=41731)
