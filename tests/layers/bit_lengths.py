"""Test layer: scapy's BitLenField, an unsigned integer of as many bits as
length_from says. A number of bytes times 8 (SSH's Mpint) is its bytes; any
other width is not translated, and the message is decoded up to it."""

from scapy.fields import BitLenField, ByteField, FieldLenField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers


class Number(Packet):
    """As SSH's Mpint: a byte count, then that many bytes of one integer."""

    name = "Number"
    fields_desc = [FieldLenField("length", None, length_of="value", fmt="B"),
                   BitLenField("value", 0, length_from=lambda pkt: pkt.length * 8), ByteField("after", 0)]


class Bits(Packet):
    name = "Bits"
    fields_desc = [ByteField("width", 0), BitLenField("value", 0, length_from=lambda pkt: pkt.width)]


PORTS = {Number: 40665, Bits: 40666}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
