"""Test layers: NDR conformant arrays of scapy's MS-RPC interfaces (C706 14.3.3).

A conformant array is max_count (4 bytes, aligned to 4), then its elements;
a conformant varying one has offset and actual_count after max_count. scapy
counts the elements by size_is (a field of the structure before it), a
varying array by length_is or else actual_count, never by max_count: so do
the dissectors. Each structure element is aligned (``Odd``'s 5 bytes take 3
of padding before the next). An array behind an embedded pointer follows its
structure (``Container``, SHARE_INFO_0_CONTAINER's shape). An array of
structures with embedded pointers reads every element's fields, then their
pointees, element after element (C706 14.3.12.3; ``Pointing``,
``NamedContainer``); one whose pointees scapy defers to the structure
enclosing it (``Nesting.inner``) is left undecoded. Each message is a stub of its own, so alignment counts from
the UDP payload's start.
"""

from scapy.layers.dcerpc import (NDRByteField, NDRConfFieldListField, NDRConfPacketListField, NDRConfStrLenField,
                                 NDRConfStrLenFieldUtf16, NDRConfVarFieldListField, NDRConfVarPacketListField,
                                 NDRFullEmbPointerField, NDRFullPointerField, NDRIntField, NDRPacketField,
                                 NDRShortField, NDRConfVarStrLenField)
from scapy.fields import StrFixedLenField
from scapy.layers.inet import UDP
from scapy.packet import bind_layers

from layers.ndr import NDR32

# the messages (not the NDR32 base class and the elements)
__all__ = ["Points", "Container", "Numbers", "Blobs", "Varying", "Pointing", "NamedContainer", "Nesting", "Sids"]


class Point(NDR32):
    ALIGNMENT = (4, 8)
    fields_desc = [NDRShortField("x", 0), NDRIntField("y", 0)]


class Odd(NDR32):
    """5 bytes, aligned to 4: the next element starts 3 bytes of padding later."""

    ALIGNMENT = (4, 8)
    fields_desc = [NDRIntField("a", 0), NDRByteField("b", 0)]


class Points(NDR32):
    ALIGNMENT = (4, 8)
    fields_desc = [NDRByteField("tag", 0), NDRIntField("n", None, size_of="points"),
                   NDRConfPacketListField("points", [], Point, size_is=lambda pkt: pkt.n),
                   NDRShortField("tail", 0)]


class Container(NDR32):
    """SHARE_INFO_0_CONTAINER's shape: the array behind an embedded pointer, after the structure's fields."""

    ALIGNMENT = (4, 8)
    fields_desc = [NDRIntField("EntriesRead", None, size_of="Buffer"),
                   NDRFullEmbPointerField(NDRConfPacketListField("Buffer", [], Odd,
                                                                 size_is=lambda pkt: pkt.EntriesRead)),
                   NDRShortField("after", 0)]


class Numbers(NDR32):
    ALIGNMENT = (4, 8)
    fields_desc = [NDRShortField("n", None, size_of="ints"),
                   NDRConfFieldListField("ints", [], NDRIntField("", 0), size_is=lambda pkt: pkt.n),
                   NDRConfFieldListField("shorts", [], NDRShortField("", 0), size_is=lambda pkt: pkt.n),
                   NDRByteField("tail", 0)]


class Blobs(NDR32):
    """Conformant byte arrays (tower_octet_string's shape), in place and behind a pointer; UTF-16 units."""

    ALIGNMENT = (4, 8)
    fields_desc = [NDRIntField("n", None, size_of="data"),
                   NDRConfStrLenField("data", b"", size_is=lambda pkt: pkt.n),
                   NDRIntField("m", 0),
                   NDRFullPointerField(NDRConfStrLenField("more", b"", size_is=lambda pkt: pkt.m)),
                   NDRConfStrLenFieldUtf16("wide", "", size_is=lambda pkt: pkt.m),
                   NDRByteField("tail", 0)]


class Varying(NDR32):
    """Conformant varying arrays: counted by length_is (else actual_count), or by actual_count."""

    ALIGNMENT = (4, 8)
    fields_desc = [NDRIntField("n", 0),
                   NDRConfVarPacketListField("points", [], Point, size_is=lambda pkt: pkt.n,
                                             length_is=lambda pkt: pkt.n),
                   NDRConfVarFieldListField("ints", [], NDRIntField("", 0), size_is=lambda pkt: pkt.n),
                   NDRByteField("tail", 0)]


class WithName(NDR32):
    ALIGNMENT = (4, 8)
    fields_desc = [NDRIntField("id", 0), NDRFullEmbPointerField(NDRConfVarStrLenField("name", b""))]


class Pointing(NDR32):
    """Structures with embedded pointers in an array: every element's fields, then their pointees."""

    ALIGNMENT = (4, 8)
    fields_desc = [NDRIntField("n", None, size_of="named"),
                   NDRConfPacketListField("named", [], WithName, size_is=lambda pkt: pkt.n),
                   NDRShortField("tail", 0)]


class NamedContainer(NDR32):
    """SHARE_INFO_1_CONTAINER's shape: a pointed array of structures with embedded pointers."""

    ALIGNMENT = (4, 8)
    fields_desc = [NDRIntField("EntriesRead", None, size_of="Buffer"),
                   NDRFullEmbPointerField(NDRConfPacketListField("Buffer", [], WithName,
                                                                 size_is=lambda pkt: pkt.EntriesRead))]


class Listing(NDR32):
    """Pointing's fields (scapy marks the fields, not the class, as reading the pointees: one class, one use)."""

    ALIGNMENT = (4, 8)
    fields_desc = [NDRIntField("n", None, size_of="named"),
                   NDRConfPacketListField("named", [], WithName, size_is=lambda pkt: pkt.n)]


class Nesting(NDR32):
    """An array whose elements' pointees follow the structure enclosing it: left undecoded."""

    ALIGNMENT = (4, 8)
    fields_desc = [NDRShortField("tag", 0), NDRPacketField("inner", Listing(), Listing)]


class Sid(NDR32):
    """RPC_SID's shape, a conformant structure (C706 14.3.7.1): the max_count of its SubAuthority array
    precedes it (scapy's own max_count field takes no bytes)."""

    ALIGNMENT = (1, 1)
    DEPORTED_CONFORMANTS = ["SubAuthority"]
    fields_desc = [NDRByteField("Revision", 1), NDRByteField("SubAuthorityCount", None, size_of="SubAuthority"),
                   StrFixedLenField("IdentifierAuthority", b"\0\0\0\0\0\5", length=6),
                   NDRConfFieldListField("SubAuthority", [], NDRIntField("", 0),
                                         size_is=lambda pkt: pkt.SubAuthorityCount, conformant_in_struct=True)]


class OtherSid(NDR32):
    """Sid behind a pointer (a class of its own: scapy's metaclass adds max_count to each class)."""

    ALIGNMENT = (1, 1)
    DEPORTED_CONFORMANTS = ["SubAuthority"]
    fields_desc = [NDRByteField("Revision", 1), NDRByteField("SubAuthorityCount", None, size_of="SubAuthority"),
                   StrFixedLenField("IdentifierAuthority", b"\0\0\0\0\0\5", length=6),
                   NDRConfFieldListField("SubAuthority", [], NDRIntField("", 0),
                                         size_is=lambda pkt: pkt.SubAuthorityCount, conformant_in_struct=True)]


class Sids(NDR32):
    ALIGNMENT = (4, 8)
    fields_desc = [NDRShortField("tag", 0), NDRPacketField("sid", Sid(), Sid),
                   NDRFullPointerField(NDRPacketField("other", OtherSid(), OtherSid)), NDRShortField("tail", 0)]


PORTS = {Points: 40711, Container: 40712, Numbers: 40713, Blobs: 40714, Varying: 40715, Pointing: 40716,
         NamedContainer: 40717, Nesting: 40718, Sids: 40719}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
