"""Test layers: NDR unions of scapy's MS-RPC interfaces (C706 14.3.8).

A union is its tag (an integer aligned as the union is), then the arm the tag
chooses; scapy's arms test the tag read (``val.tag == 2``). An arm that is an
embedded pointer (PFILE_ENUM_STRUCT's shape) has its referent in place and its
pointee right after the union, a constructed type of its own; but when the
structure holding the union is itself held by a structure (``Listing``, as
NetrShareEnum_Response holds LPSHARE_ENUM_STRUCT), that structure reads the
pointee at its end (scapy's handles_deferred). The default arm reads nothing. Each
message is a stub of its own, so alignment counts from the UDP payload's start.
"""

from scapy.fields import StrFixedLenField
from scapy.layers.dcerpc import (NDRByteField, NDRFullEmbPointerField, NDRIntField, NDRPacketField,
                                 NDRShortField, NDRUnionField)
from scapy.layers.inet import UDP
from scapy.packet import bind_layers

from layers.ndr import NDR32

__all__ = ["Numbers", "Enumerated", "Listing"]


class Info1(NDR32):
    ALIGNMENT = (4, 8)
    fields_desc = [NDRIntField("count", 0), NDRShortField("flags", 0)]


class Info2(NDR32):
    ALIGNMENT = (2, 2)
    fields_desc = [NDRShortField("a", 0), NDRShortField("b", 0)]


class Numbers(NDR32):
    """Arms of plain NDR integers, chosen by a 2-byte tag."""

    ALIGNMENT = (4, 8)
    fields_desc = [
        NDRByteField("kind", 0),
        NDRUnionField([(NDRIntField("value", 0), ((lambda pkt: pkt.kind == 1), (lambda _, val: val.tag == 1))),
                       (NDRShortField("value", 0), ((lambda pkt: pkt.kind == 2), (lambda _, val: val.tag == 2)))],
                      StrFixedLenField("value", "", length=0), align=(2, 8), switch_fmt=("H", "H")),
        NDRByteField("tail", 0),
    ]


def _info_union() -> NDRUnionField:
    """A union of embedded pointers to Info1 or Info2 by Level; a new field each time, since
    scapy marks which structure reads its pointees on the field itself (handles_deferred)."""
    return NDRUnionField([(NDRFullEmbPointerField(NDRPacketField("Info", Info1(), Info1)),
                           ((lambda pkt: getattr(pkt, "Level", None) == 1), (lambda _, val: val.tag == 1))),
                          (NDRFullEmbPointerField(NDRPacketField("Info", Info2(), Info2)),
                           ((lambda pkt: getattr(pkt, "Level", None) == 2), (lambda _, val: val.tag == 2)))],
                         StrFixedLenField("Info", "", length=0), align=(4, 8), switch_fmt=("L", "L"))


class Enumerated(NDR32):
    """PFILE_ENUM_STRUCT's shape: a level, then a union of embedded pointers to structures."""

    ALIGNMENT = (4, 8)
    fields_desc = [
        NDRIntField("Level", 0),
        _info_union(),
        NDRShortField("after", 0),
    ]


class EnumStruct(NDR32):
    """LPSHARE_ENUM_STRUCT's shape: a union of embedded pointers, then a field after it."""

    ALIGNMENT = (4, 8)
    fields_desc = [
        NDRIntField("Level", 0),
        _info_union(),
        NDRShortField("count", 0),
    ]


class Listing(NDR32):
    """NetrShareEnum_Response's shape: a structure holding the union, then a field of its own."""

    ALIGNMENT = (4, 8)
    fields_desc = [NDRPacketField("Enum", EnumStruct(), EnumStruct), NDRIntField("total", 0)]


PORTS = {Numbers: 41601, Enumerated: 41602, Listing: 41603}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
