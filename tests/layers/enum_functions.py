"""Test layers: enum names scapy takes from a function, or from a table
another field's value chooses (MultiEnumField, as ICMP's code by its type).

Each class is bound to its own UDP port, so scapy finds it in a capture by
itself and the generated dissectors register it on that port.
"""

from scapy.fields import (
    BitEnumField, BitField, ByteEnumField, ByteField, ConditionalField, IntEnumField, MultiEnumField,
    ShortEnumField, XByteEnumField,
)
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers

KINDS = {0: "reply", 3: "unreachable", 5: "redirect", 8: "request", 9: "advert"}
# kind -> the names of its codes; 9 has an empty table, 8 none (bare numbers)
CODES = {3: {0: "net-unreachable", 1: "host-unreachable", 3: "port-unreachable"},
         5: {0: "network-redirect", 1: "host-redirect"},
         9: {}}
DETAILS = {1: {7: "seven"}, 2: {0x1234: "big"}}


class ChosenNames(Packet):
    name = "Chosen names"
    fields_desc = [
        ByteEnumField("kind", 0, KINDS),
        MultiEnumField("code", 0, CODES, depends_on=lambda pkt: pkt.kind, fmt="B"),
        ConditionalField(ByteField("sub", 0), lambda pkt: pkt.kind == 5),
        # chosen by a field that may be absent: then scapy shows the number
        MultiEnumField("detail", 0, DETAILS, depends_on=lambda pkt: pkt.sub, fmt="H"),
    ]


def _byte_name(value):
    return {1: "one", 2: "two", 200: "two hundred"}.get(value)  # None: no name


def _short_name(value):
    # a range named by rule; the number itself: no name
    return f"reserved {value & 0xFF}" if value >= 0xFF00 else value


def _hex_name(value):
    return "low" if value < 0x10 else hex(value)  # scapy's own text of the number: no name


def _nibble_name(value):
    return "half" if value == 8 else None


def _s2i(name):
    return None


class FunctionNames(Packet):
    name = "Function names"
    fields_desc = [
        ByteEnumField("byte", 0, (_byte_name, _s2i)),
        ShortEnumField("short", 0, (_short_name, _s2i)),
        XByteEnumField("hexa", 0, (_hex_name, _s2i)),
        BitEnumField("nibble", 0, 4, (_nibble_name, _s2i)),
        BitField("rest", 0, 4),
        ByteField("after", 0),
    ]


class WideFunctionNames(Packet):
    name = "Wide function names"
    fields_desc = [
        ByteField("before", 0),
        # 2**32 values: too many to ask the function for each; decoding stops here
        IntEnumField("wide", 0, (_byte_name, _s2i)),
        ByteField("after", 0),
    ]


PORTS = {ChosenNames: 40631, FunctionNames: 40632, WideFunctionNames: 40633}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
