"""Test layers: bit runs as scapy's own protocols write them.

FlagsField and BitEnumField anywhere in a run and of any width (IP's 3 flag
bits before a 13-bit offset, TCP's 9 flag bits after 7 others), runs of 5 and 6
bytes, and one integer wider than 64 bits (BGP's 16-byte marker).
"""

from scapy.fields import BitEnumField, BitField, ByteField, ConditionalField, FlagsField, XBitField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers


class IPLikeBits(Packet):
    name = "IP-like bits"
    fields_desc = [BitField("version", 4, 4), BitField("ihl", 5, 4),
                   FlagsField("flags", 0, 3, ["MF", "DF", "evil"]), BitField("frag", 0, 13), ByteField("after", 0)]


class TCPLikeBits(Packet):
    name = "TCP-like bits"
    fields_desc = [BitField("dataofs", 5, 4), BitField("reserved", 0, 3), FlagsField("flags", 0x2, 9, "FSRPAUECN")]


class MidRunFlags(Packet):
    name = "Flags mid-run"
    fields_desc = [BitField("a", 0, 2), FlagsField("f", 0, 4, {0x1: "x", 0x2: "y", 0x8: "w"}),
                   BitEnumField("e", 0, 2, {0: "zero", 3: "three"}), FlagsField("wide", 0, 24, ["b%d" % i for i in range(24)])]


class LongRuns(Packet):
    name = "Long runs"
    fields_desc = [BitField("hi", 0, 10), FlagsField("f", 0, 4, "abcd"), BitField("lo", 0, 26),
                   XBitField("six", 0, 48), XBitField("marker", 0, 128), ByteField("after", 0)]


PORTS = {IPLikeBits: 40621, TCPLikeBits: 40622, MidRunFlags: 40623, LongRuns: 40624}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)


class ConditionalRun(Packet):
    """A bit run present only when ``kind`` says so: every member under one test (PFCP's way)."""

    name = "Conditional run"
    fields_desc = [ByteField("kind", 0),
                   ConditionalField(BitField("hi", 0, 3), lambda pkt: pkt.kind == 1),
                   ConditionalField(FlagsField("f", 0, 5, "abcde"), lambda pkt: pkt.kind == 1),
                   ByteField("after", 0)]


PORTS[ConditionalRun] = 40625
bind_layers(UDP, ConditionalRun, dport=40625)
