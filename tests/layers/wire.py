"""Test layers: wire formats scapy's library reads with fields of its own
(pfcp's ExtraDataField, inet6's IP6ListField, MayEnd, gtp's TBCDByteField),
each bound to a UDP port."""

from scapy.contrib.gtp import TBCDByteField
from scapy.contrib.pfcp import ExtraDataField
from scapy.fields import ByteField, ConditionalField, MayEnd, PacketListField, ShortField, StrField, StrLenField
from scapy.layers.inet import UDP
from scapy.layers.inet6 import IP6ListField
from scapy.packet import Packet, bind_layers


class ExtraIE(Packet):
    """As a pfcp IE: a type and length header, fields, then whatever else the length holds."""

    name = "Extra data IE"
    fields_desc = [
        ShortField("ietype", 0),
        ShortField("length", None),
        ConditionalField(ByteField("opt", 0), lambda pkt: pkt.ietype == 1),
        ExtraDataField("extra_data"),
    ]

    def extract_padding(self, s):
        return b"", s


class ExtraIEs(Packet):
    name = "Extra data IEs"
    fields_desc = [PacketListField("ies", [], ExtraIE)]


class IP6Lists(Packet):
    name = "IPv6 lists"
    fields_desc = [
        ByteField("alen", None),
        ByteField("count", None),
        IP6ListField("by_len", [], length_from=lambda pkt: pkt.alen),
        IP6ListField("counted", [], count_from=lambda pkt: pkt.count),
        ShortField("tail", 0),
        IP6ListField("others", []),
    ]


class MayEnds(Packet):
    name = "May end"
    fields_desc = [
        ByteField("kind", 0),
        MayEnd(ShortField("a", 0)),
        ShortField("b", 0),
        ConditionalField(MayEnd(ByteField("c", 0)), lambda pkt: pkt.kind == 1),
        ShortField("d", 0),
        StrField("rest", b""),
    ]


class Digits(Packet):
    """As GTP's IMSI and serving network: telephony BCD digits of a fixed size and of a length."""

    name = "Digits"
    fields_desc = [
        TBCDByteField("imsi", "", 8),
        TBCDByteField("MCC", "", 2),
        ByteField("length", None),
        TBCDByteField("number", "", length_from=lambda pkt: pkt.length),
    ]


class Record(Packet):
    """A list element of its own size: a length and that many bytes."""

    name = "Record"
    fields_desc = [ByteField("len", None), StrLenField("data", b"", length_from=lambda pkt: pkt.len)]

    def extract_padding(self, s):
        return b"", s


class GreedyRecord(Packet):
    """... that keeps what follows it as its payload (scapy's default extract_padding)."""

    name = "Greedy record"
    fields_desc = [ByteField("len", None), StrLenField("data", b"", length_from=lambda pkt: pkt.len)]


class CountedRecords(Packet):
    """Counted lists of elements whose size varies: scapy reads one after another."""

    name = "Counted records"
    fields_desc = [
        ByteField("n", None),
        PacketListField("records", [], Record, count_from=lambda pkt: pkt.n),
        ShortField("tail", 0),
        ByteField("m", None),
        PacketListField("greedy", [], GreedyRecord, count_from=lambda pkt: pkt.m),
    ]


PORTS = {ExtraIE: 41301, ExtraIEs: 41302, IP6Lists: 41303, MayEnds: 41304, Digits: 41305, CountedRecords: 41306}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
