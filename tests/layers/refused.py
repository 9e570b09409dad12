"""A layer the Lua backend takes and the C backend refuses: an enum on an
8-byte integer (a C value_string holds 32-bit values)."""

from scapy.fields import EnumField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers


class WideEnum(Packet):
    name = "Wide enum"
    fields_desc = [EnumField("big", 0, {1: "one", 2**40: "huge"}, fmt="!Q")]


bind_layers(UDP, WideEnum, dport=40500)
