"""Test layers: IPv4, IPv6 and MAC address fields, bare, conditional and in lists.

Each class is bound to its own UDP port, so scapy finds it in a capture by
itself and the generated dissectors register it on that port. The Source/Dest
variants fill a missing value from the route when a packet is built: samples
always give every address.
"""

from scapy.fields import (
    ByteField, ConditionalField, DestIP6Field, FieldLenField, FieldListField, IP6Field, IPField, MACField,
    SourceIP6Field, SourceIPField,
)
from scapy.layers.inet import UDP, DestIPField
from scapy.layers.l2 import DestMACField, SourceMACField
from scapy.packet import Packet, bind_layers


class AddressKinds(Packet):
    name = "Address kinds"
    fields_desc = [
        IPField("v4", "0.0.0.0"), IP6Field("v6", "::"), MACField("mac", "00:00:00:00:00:00"),
        SourceIPField("src4"), DestIPField("dst4", "0.0.0.0"),
        SourceIP6Field("src6"), DestIP6Field("dst6", "::"),
        SourceMACField("src_mac"), DestMACField("dst_mac"),
    ]


class AddressLists(Packet):
    name = "Address lists"
    fields_desc = [
        ByteField("kind", 0),
        ConditionalField(IPField("only_v4", "0.0.0.0"), lambda pkt: pkt.kind == 4),
        ConditionalField(IP6Field("only_v6", "::"), lambda pkt: pkt.kind == 6),
        ConditionalField(MACField("only_mac", "00:00:00:00:00:00"), lambda pkt: pkt.kind == 1),
        FieldLenField("n4", None, count_of="v4s", fmt="B"),
        FieldListField("v4s", [], IPField("", "0.0.0.0"), count_from=lambda pkt: pkt.n4),
        FieldLenField("n6", None, count_of="v6s", fmt="B"),
        FieldListField("v6s", [], IP6Field("", "::"), count_from=lambda pkt: pkt.n6),
        FieldLenField("nmac", None, count_of="macs", fmt="B"),
        FieldListField("macs", [], MACField("", "00:00:00:00:00:00"), count_from=lambda pkt: pkt.nmac),
        ByteField("after", 0),
    ]


PORTS = {AddressKinds: 40601, AddressLists: 40602}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
