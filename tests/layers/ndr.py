"""Test layers: NDR (DCE/RPC stub) constructs of scapy's MS-RPC interfaces.

A full pointer (not embedded) is a 4-byte referent id aligned to 4, its
pointee in place when the id is not 0 (NULL: nothing follows). The enums are
2 bytes in NDR32 (NDRInt3264EnumField) or 4 (NDRIntEnumField, v1_enum);
NDRInt3264Field is 4 bytes. Each message is a stub of its own, so alignment
counts from the UDP payload's start.
"""

from scapy.layers.dcerpc import (NDRByteField, NDRFullPointerField, NDRInt3264EnumField, NDRInt3264Field,
                                 NDRIntEnumField, NDRIntField, NDRPacket, NDRPacketField, NDRShortField)
from scapy.layers.inet import UDP
from scapy.packet import bind_layers

# the messages (not the NDR32 base class)
__all__ = ["Pointers", "Enums"]

COLOURS = {0: "none", 1: "red", 2: "green"}


class NDR32(NDRPacket):
    """Marshalled with NDR32, the transfer syntax the dissectors read (scapy's default is conf.ndr64)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("ndr64", False)
        super().__init__(*args, **kwargs)


class Pair(NDR32):
    ALIGNMENT = (4, 4)
    fields_desc = [NDRShortField("left", 0), NDRIntField("right", 0)]


class Pointers(NDR32):
    """An int pointer after a byte (the id is aligned), a struct pointer, a short after them."""

    ALIGNMENT = (4, 4)
    fields_desc = [NDRByteField("tag", 0), NDRFullPointerField(NDRIntField("count", 0)),
                   NDRFullPointerField(NDRPacketField("pair", Pair(), Pair)), NDRShortField("tail", 0)]


class Enums(NDR32):
    ALIGNMENT = (4, 4)
    fields_desc = [NDRByteField("tag", 0), NDRInt3264EnumField("colour", 0, COLOURS),
                   NDRIntEnumField("colour4", 0, COLOURS), NDRInt3264Field("size", 0)]


PORTS = {Pointers: 40691, Enums: 40692}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
