"""Test layers: fields whose byte order another field's value chooses, as
DCE/RPC's _EField reads them (its drep's 4-bit ``endian``: 1 little-endian,
0 big, anything else network order), bound to a UDP port."""

from scapy.fields import BitEnumField, BitField, IntField, ShortField, UUIDField, XShortField
from scapy.layers.dcerpc import _EField
from scapy.layers.inet import UDP
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


PORTS = {ChosenOrder: 41431}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
