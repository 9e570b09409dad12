"""Test layer: flags above bit 31 of a 64-bit FlagsField, in both byte orders
(Bluetooth LE's feature set, a little-endian FlagsField of -64 bits). Lua before
Wireshark 4.2 keeps 32 bits of a ProtoField's mask, and a bool of 64 bits with
its mask cut to 0 does not load; such a flag's value is read from its byte."""

from scapy.fields import FlagsField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers

NAMES = [f"f{i}" for i in range(64)]


class Features(Packet):
    name = "Features"
    fields_desc = [FlagsField("little", 0, -64, NAMES), FlagsField("big", 0, 64, NAMES)]


PORT = 40667
bind_layers(UDP, Features, dport=PORT)
