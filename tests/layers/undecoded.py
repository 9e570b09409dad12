"""Test layers: fields no generator can translate, and what is decoded around them.

``Scrambled`` and ``ScrambledBits`` read their bits through code of their own (scapy runs it, the
generator cannot know it): decoding stops there and the rest of the message is
one undecoded item with an expert. Decoding also stops at the start of a bit
run it cuts short. A message whose bounded sub-message stops early goes on
after it; one whose unbounded list stops early stops with it.
"""

from scapy.fields import (
    BitField, ByteField, ConditionalField, FieldLenField, PacketField, PacketLenField, PacketListField, ShortField,
    StrField,
)
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers


class Scrambled(ByteField):
    """A byte stored inverted: custom wire code the generator cannot read."""

    def getfield(self, pkt, s):
        return s[1:], s[0] ^ 0xFF

    def addfield(self, pkt, s, val):
        return s + bytes([(val or 0) ^ 0xFF])


class ScrambledBits(BitField):
    """Bits stored inverted."""

    def m2i(self, pkt, x):
        return x ^ ((1 << self.size) - 1)

    def i2m(self, pkt, x):
        return (x or 0) ^ ((1 << self.size) - 1)


class StopsAtField(Packet):
    name = "Stops at a field"
    fields_desc = [ByteField("kind", 1), ShortField("before", 0), Scrambled("odd", 0), ShortField("after", 0)]


class StopsInBitRun(Packet):
    name = "Stops in a bit run"
    fields_desc = [ByteField("kind", 2), BitField("hi", 0, 3), BitField("mid", 0, 2), ScrambledBits("odd", 0, 3),
                   ByteField("after", 0)]


class Element(Packet):
    name = "Element"
    fields_desc = [ByteField("tag", 0), Scrambled("odd", 0), ByteField("value", 0)]

    def extract_padding(self, s):
        return b"", s


class BoundedElement(Packet):
    """Holds one Element in ``n`` bytes: what follows is decoded again."""

    name = "Bounded element"
    fields_desc = [FieldLenField("n", None, length_of="element", fmt="B"),
                   PacketLenField("element", Element(), Element, length_from=lambda pkt: pkt.n),
                   ShortField("tail", 0)]


class OpenList(Packet):
    """Elements to the end: the first one's undecoded bytes run to the end."""

    name = "Open list"
    fields_desc = [ByteField("count", 0), PacketListField("elements", [], Element)]


class CountedList(Packet):
    """Counted elements: past the first one's undecoded bytes the dissector cannot
    count the others, and does not call the message truncated."""

    name = "Counted list"
    fields_desc = [ByteField("count", 0), PacketListField("elements", [], Element, count_from=lambda pkt: pkt.count)]


class Opaque(StrField):
    """As many bytes as the element's kind says, read by code of its own (zigbee's _DiscreteString)."""

    def getfield(self, pkt, s):
        return s[pkt.kind:], s[:pkt.kind]


class TailElement(Packet):
    """Its last field is undecoded, and may read no bytes at all."""

    name = "Tail element"
    fields_desc = [ByteField("kind", 0), Opaque("data", b"")]

    def extract_padding(self, s):
        return b"", s


class TailList(Packet):
    """Elements to the end whose undecoded field ends them: the first one's runs to the end."""

    name = "Tail list"
    fields_desc = [PacketListField("elements", [], TailElement)]


class Unreached(Packet):
    """Reached only through a field left undecoded: the C plugin's function for it is never called."""

    name = "Unreached"
    fields_desc = [ByteField("x", 0)]


class CutReference(Packet):
    """``n`` is read for a bit run left undecoded (its members' conditions differ):
    the C plugin keeps a value nothing reads (scapy.contrib.gtp's GTPHeader)."""

    name = "Cut reference"
    fields_desc = [ByteField("n", 0), ConditionalField(BitField("hi", 0, 4), lambda pkt: pkt.n == 1),
                   ConditionalField(BitField("lo", 0, 4), lambda pkt: pkt.n == 2),
                   PacketField("sub", Unreached(), Unreached)]


PORTS = {StopsAtField: 40611, StopsInBitRun: 40612, BoundedElement: 40613, OpenList: 40614, CountedList: 40615,
         TailList: 40616}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
