"""What a layer author imports: a scapy Packet that checks its spec rules, the
rules themselves, dispatch tables, the protocol declaration and summaries.

    from scapy_layers.spec import F, SpecPacket, SpecRule, eq

Depends on scapy only; knows no protocol.
"""

from .dispatch import Dispatch
from .packet import SpecPacket, Violation, fixed_size
from .protocol import Carrier, ProtocolInfo, carry
from .rules import (
    BufferLength,
    F,
    SpecRule,
    all_of,
    any_of,
    eq,
    ge,
    le,
    lt,
    ne,
    not_,
    one_of,
    request,
    single_bit,
)

__all__ = [
    "BufferLength",
    "Carrier",
    "Dispatch",
    "F",
    "ProtocolInfo",
    "SpecPacket",
    "SpecRule",
    "Violation",
    "all_of",
    "any_of",
    "carry",
    "eq",
    "fixed_size",
    "ge",
    "le",
    "lt",
    "ne",
    "not_",
    "one_of",
    "request",
    "single_bit",
]
