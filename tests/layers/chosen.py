"""Test layers: element classes that scapy's own code chooses from the bytes.

``TLV.dispatch_hook`` picks a subclass by the first byte (as IGMP, DHCPv6 and
BGP do), also for a TLV on its own port; ``_by_type`` is a class-choosing function of a 2-byte type (as EIGRP's
and CDP's are), Raw when fewer than 2 bytes are left or the type is 0xffff;
``Envelope.guess_payload_class`` picks its payload's class by its kind.
"""

from scapy.config import conf
from scapy.fields import ByteField, FieldLenField, IntField, PacketListField, ShortField, StrLenField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers


class TLV(Packet):
    name = "TLV"
    fields_desc = [ByteField("type", 0), FieldLenField("len", None, length_of="value", fmt="B"),
                   StrLenField("value", b"", length_from=lambda pkt: pkt.len)]

    def extract_padding(self, s):
        return b"", s

    @classmethod
    def dispatch_hook(cls, _pkt=None, *args, **kargs):
        if _pkt and _pkt[0] == 1:
            return NumberTLV
        if _pkt and _pkt[0] == 2:
            return PairTLV
        return cls


class NumberTLV(TLV):
    name = "Number TLV"
    fields_desc = [ByteField("type", 1), ByteField("len", 4), IntField("number", 0)]


class PairTLV(TLV):
    name = "Pair TLV"
    fields_desc = [ByteField("type", 2), ByteField("len", 4), ShortField("first", 0), ShortField("second", 0)]


class Typed(Packet):
    name = "Typed"
    fields_desc = [ShortField("type", 0), FieldLenField("len", None, length_of="data", fmt="B"),
                   StrLenField("data", b"", length_from=lambda pkt: pkt.len)]

    def extract_padding(self, s):
        return b"", s


class TypedCounter(Typed):
    name = "Typed counter"
    fields_desc = [ShortField("type", 0x0102), ByteField("len", 4), IntField("count", 0)]


def _by_type(raw, **kwargs):
    if len(raw) < 2 or raw[:2] == b"\xff\xff":
        return conf.raw_layer(raw, **kwargs)
    return (TypedCounter if raw[:2] == b"\x01\x02" else Typed)(raw, **kwargs)


class Options(Packet):
    name = "Options"
    fields_desc = [FieldLenField("olen", None, length_of="options", fmt="B"),
                   PacketListField("options", [], TLV, length_from=lambda pkt: pkt.olen),
                   PacketListField("typed", [], _by_type)]


class Greeting(Packet):
    name = "Greeting"
    fields_desc = [ShortField("word", 0)]


class Farewell(Packet):
    name = "Farewell"
    fields_desc = [ByteField("code", 0), ByteField("reason", 0)]


class Envelope(Packet):
    """Its payload's class chosen by code of its own, from its kind (as IGMP's and many TLV headers' are)."""

    name = "Envelope"
    fields_desc = [ByteField("kind", 0), ByteField("flags", 0)]

    def guess_payload_class(self, payload):
        if self.kind == 1:
            return Greeting
        if self.kind in (2, 3):
            return Farewell
        return conf.raw_layer


PORTS = {Options: 40651, TLV: 40652, Envelope: 40653}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
