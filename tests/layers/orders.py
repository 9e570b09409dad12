"""Test layers: fields whose byte order another field's value chooses, as
DCE/RPC's _EField reads them (its drep's 4-bit ``endian``: 1 little-endian,
0 big, anything else network order), bound to a UDP port; and fields in the
machine's own order (NativeShortField's "@H", TUN's ifreq), read as scapy reads
them here."""

from scapy.fields import BitEnumField, BitField, Field, IntField, ShortField, UUIDField, XShortField
from scapy.layers.dcerpc import _EField
from scapy.layers.inet import UDP
from scapy.layers.tuntap import NativeShortField
from scapy.packet import Packet, bind_layers


class ChosenOrder(Packet):
    name = "Chosen order"
    fields_desc = [
        BitEnumField("endian", 1, 4, ["big", "little"]),
        BitField("encoding", 0, 4),
        _EField(IntField("seqnum", 0)),
        _EField(UUIDField("if_id", None)),
        _EField(XShortField("opnum", 0)),
        ShortField("tail", 0),
    ]


class NativeOrder(Packet):
    name = "Native order"
    fields_desc = [NativeShortField("flags", 0), Field("count", 0, fmt="=I"), Field("big", 0, fmt="@q"),
                   ShortField("tail", 0)]


PORTS = {ChosenOrder: 41431, NativeOrder: 41432}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
