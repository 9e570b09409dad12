"""Test layer: flags above bit 31 of a 64-bit FlagsField, in both byte orders
(Bluetooth LE's feature set, a little-endian FlagsField of -64 bits). Lua before
Wireshark 4.2 keeps 32 bits of a ProtoField's mask, and a bool of 64 bits with
its mask cut to 0 does not load; such a flag's value is read from its byte.
Lists of bit fields of whole bytes are lists of integers, in their byte order."""

from scapy.fields import BitField, ByteField, FieldListField, FlagsField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers

NAMES = [f"f{i}" for i in range(64)]


class Features(Packet):
    name = "Features"
    fields_desc = [FlagsField("little", 0, -64, NAMES), FlagsField("big", 0, 64, NAMES)]


class FlagLists(Packet):
    """Lists of bit fields of whole bytes (mspac's PAC_ATTRIBUTES_INFO: FlagsFields of -32 bits, little-endian)."""

    name = "Flag lists"
    fields_desc = [ByteField("n", 0),
                   FieldListField("flags", [], FlagsField("", 0, -32, {1: "REQUESTED", 2: "GIVEN"}),
                                  count_from=lambda pkt: pkt.n),
                   FieldListField("words", [], BitField("", 0, 16))]


PORT = 40667
LISTS_PORT = 40670
bind_layers(UDP, Features, dport=PORT)
bind_layers(UDP, FlagLists, dport=LISTS_PORT)
