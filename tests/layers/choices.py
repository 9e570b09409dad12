"""Test layers: scapy's MultipleTypeField, whose type depends on earlier fields.

Each alternative is read under its condition, in scapy's order (the first that
holds wins, else the default), as ARP's hwsrc and psrc are.
"""

from scapy.fields import (
    ByteField, ConditionalField, FieldLenField, IntField, IP6Field, IPField, MACField, MultipleTypeField,
    ShortField, StrFixedLenField, StrLenField,
)
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers


class AddressChoice(Packet):
    name = "Address choice"
    fields_desc = [
        ByteField("version", 4),
        MultipleTypeField([(IP6Field("addr", "::"), lambda pkt: pkt.version == 6),
                           (MACField("addr", "00:00:00:00:00:00"), lambda pkt: pkt.version in (1, 2))],
                          IPField("addr", "0.0.0.0")),
        ByteField("after", 0),
    ]


class ArpLike(Packet):
    """ARP's way: a MAC when the hardware is Ethernet, else the bytes hwlen says."""

    name = "ARP-like"
    fields_desc = [
        ShortField("hwtype", 1),
        FieldLenField("hwlen", None, fmt="B", length_of="hwsrc"),
        MultipleTypeField([(MACField("hwsrc", "00:00:00:00:00:00"),
                            (lambda pkt: pkt.hwtype == 1 and pkt.hwlen == 6,
                             lambda pkt, val: pkt.hwtype == 1 and (pkt.hwlen or 6) == 6))],
                          StrLenField("hwsrc", b"", length_from=lambda pkt: pkt.hwlen)),
        ShortField("op", 1),
    ]


class NumberChoice(Packet):
    name = "Number choice"
    fields_desc = [
        ByteField("kind", 0),
        ConditionalField(MultipleTypeField([(IntField("value", 0), lambda pkt: pkt.kind == 4),
                                            (StrFixedLenField("value", b"", 3), lambda pkt: pkt.kind == 3)],
                                           ShortField("value", 0)),
                         lambda pkt: pkt.kind != 0),
        ByteField("after", 0),
    ]


PORTS = {AddressChoice: 40641, ArpLike: 40642, NumberChoice: 40643}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
