"""Test layer: conditions, lengths and counts as Python writes them.

``and``/``or``/``not``/``if``-``else``/``in``, bit operations, floor division,
``max()``, constants and helper functions, as scapy's own layers use them;
each one's branches are exercised by tests/check/test_conditions.py.
"""

from scapy.fields import (ByteEnumField, ByteField, ConditionalField, FieldListField, FlagsField, IntField,
                          MultipleTypeField, ShortField, StrField, StrLenField)
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers

LONG_FORM = 3  # a module constant, as layers name their type codes


def _long_form(pkt):
    """A helper function with statements, as scapy's layers write longer conditions."""
    if pkt.type != LONG_FORM:
        return False
    return pkt.n > 0x20


class Conditions(Packet):
    name = "Conditions"
    fields_desc = [
        FlagsField("flags", 0, 8, ["odd", "big", "c", "d", "e", "f", "g", "h"]),
        ByteEnumField("type", 0, {0: "untyped", 1: "one", 2: "two", LONG_FORM: "long form"}),
        ConditionalField(ShortField("wide", 0), lambda pkt: pkt.flags & 0x2 and pkt.type == 1),
        ConditionalField(ByteField("untyped", 0), lambda pkt: not pkt.type),
        ConditionalField(ByteField("odd_byte", 0), lambda pkt: pkt.flags.odd),  # scapy's FlagValue attribute
        ConditionalField(IntField("two_three", 0), lambda pkt: pkt.type in (2, 3)),
        ConditionalField(ByteField("never", 0), lambda pkt: False),
        ConditionalField(ByteField("always", 0), lambda pkt: 1),
        ByteField("len", 0),
        StrLenField("data", b"", length_from=lambda pkt: (pkt.len or 2) - 2),
        ConditionalField(ByteField("long_len", 0), lambda pkt: pkt.len is not None and pkt.len > 4),
        ByteField("n", 0),
        FieldListField("words", [], ShortField("", 0), count_from=lambda pkt: pkt.n >> 4),
        StrLenField("odd_block", b"", length_from=lambda pkt: pkt.n & 0x0F if pkt.flags & 1 else 0),
        StrLenField("align", b"", length_from=lambda pkt: (4 - pkt.n) % 4),
        ConditionalField(ByteField("long_form", 0), _long_form),
        ByteField("m", 0),
        StrLenField("clipped", b"", length_from=lambda pkt: max(pkt.m - 250, 0)),
        ConditionalField(ByteField("top_clear", 0), lambda pkt: ~pkt.m & 0x80),
        ConditionalField(ByteField("xor_one", 0), lambda pkt: (pkt.m ^ 0xFF) | 1 == 0xFF),
        ConditionalField(ByteField("shifted", 0), lambda pkt: (pkt.m << 2) > 600 or pkt.m == 1),
        ConditionalField(ByteField("floor_div", 0), lambda pkt: (pkt.m - 100) // 16 == -2),
        ConditionalField(ByteField("floor_mod", 0), lambda pkt: (pkt.m - 100) % 7 == 3),
        StrField("rest", b""),
    ]


class Identified(Packet):
    """LLDP's chassis id: a condition that reads a field only some packets have
    (``family``, there when subtype is 5). scapy's value of an absent field is
    None, equal to nothing: ``==`` on it is false, ``!=`` true."""

    name = "Identified"
    fields_desc = [
        ByteField("subtype", 0),
        ConditionalField(ByteField("family", 0), lambda pkt: pkt.subtype == 5),
        MultipleTypeField([(IntField("id", 0), lambda pkt: pkt.subtype == 5 and pkt.family == 1),
                           (ShortField("id", 0), lambda pkt: pkt.family != 2 and pkt.subtype == 6)],
                          StrField("id", b"")),
    ]


PORT = 40600
IDENTIFIED_PORT = 40603
PORTS = {Conditions: PORT, Identified: IDENTIFIED_PORT}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
