"""Test layer: lists longer than scapy's conf.max_list_count (100 elements).

scapy raises MaximumItemsCount past that many elements and gives up on the
message; the dissectors read every element, so the check compares the fields
before the list and leaves the rest "not compared"."""

from scapy.fields import ByteField, FieldListField, PacketListField, ShortField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers


class Entry(Packet):
    name = "Entry"
    fields_desc = [ByteField("code", 0)]

    def extract_padding(self, s):
        return b"", s


class Entries(Packet):
    name = "Entries"
    fields_desc = [ShortField("count", 0), PacketListField("entries", [], Entry)]


class Words(Packet):
    name = "Words"
    fields_desc = [ByteField("kind", 0), FieldListField("words", [], ShortField("word", 0))]


class Inverted(ByteField):
    """A byte stored inverted: read by code of its own, left undecoded."""

    def getfield(self, pkt, s):
        return s[1:], s[0] ^ 0xFF


class CountedWords(Packet):
    """A counted list past scapy's limit, then a field the dissectors leave undecoded."""

    name = "Counted words"
    fields_desc = [ByteField("n", 0), FieldListField("words", [], ShortField("word", 0), count_from=lambda pkt: pkt.n),
                   Inverted("odd", 0)]


PORTS = {Entries: 40656, Words: 40657, CountedWords: 40671}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
