"""Test layers chained with bind_layers, as scapy's own layers are."""

from scapy.fields import ByteEnumField, ByteField, IntField, ShortField, StrField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers

from scapy_layers.spec import F, SpecPacket, SpecRule, le


class Header(Packet):
    name = "Header"
    fields_desc = [ByteEnumField("type", 0, {1: "ping", 2: "data"}), ByteField("flags", 0)]


class Ping(SpecPacket):
    name = "Ping"
    fields_desc = [IntField("seq", 0)]
    spec_rules = (SpecRule("seq_small", "seq MUST be below 1000", field="seq", must=le(F("seq"), 999)),)


class Data(Packet):
    name = "Data"
    fields_desc = [ShortField("length", 0), StrField("body", b"")]


bind_layers(UDP, Header, dport=40400)
bind_layers(UDP, Header, dport=40401)  # a second port: still one Proto for Header
bind_layers(Header, Ping, type=1)
bind_layers(Header, Data, type=2)
