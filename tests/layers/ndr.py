"""Test layers: NDR (DCE/RPC stub) constructs of scapy's MS-RPC interfaces.

A full pointer (not embedded) is a 4-byte referent id aligned to 4, its
pointee in place when the id is not 0 (NULL: nothing follows). The enums are
2 bytes in NDR32 (NDRInt3264EnumField) or 4 (NDRIntEnumField, v1_enum);
NDRInt3264Field is 4 bytes. An embedded pointer's pointee is deferred
(C706 14.3.12.3): read after the structure holding it (``Holder``: after each
``Counted``), after the message's fields at the top (``Embedded``); a pointee
structure's own pointees follow it (``Chained``). A structure's pointees that
scapy defers to the structure enclosing it follow that one (``Wrapper.counted``).
Each message is a stub of its own, so alignment
counts from the UDP payload's start.
"""

from scapy.layers.dcerpc import (NDRByteField, NDRConfVarStrLenField, NDRConfVarStrLenFieldUtf16,
                                 NDRConfVarStrNullField, NDRConfVarStrNullFieldUtf16, NDRFullEmbPointerField, NDRFullPointerField, NDRInt3264EnumField,
                                 NDRInt3264Field, NDRIntEnumField, NDRIntField, NDRPacket, NDRPacketField,
                                 NDRRefEmbPointerField, NDRShortField)
from scapy.layers.inet import UDP
from scapy.packet import bind_layers

# the messages (not the NDR32 base class)
__all__ = ["Pointers", "Enums", "Holder", "Embedded", "Chained", "Nested", "Strings", "NullStrings"]

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


class Counted(NDR32):
    """RPC_UNICODE_STRING's shape: sizes around an embedded pointer."""

    ALIGNMENT = (4, 4)
    fields_desc = [NDRShortField("length", 0), NDRFullEmbPointerField(NDRIntField("value", 0)),
                   NDRShortField("after", 0)]


class Holder(NDR32):
    ALIGNMENT = (4, 4)
    fields_desc = [NDRIntField("id", 0), NDRPacketField("first", Counted(), Counted),
                   NDRPacketField("second", Counted(), Counted), NDRShortField("tail", 0)]


class Embedded(NDR32):
    """Embedded pointers at the top: their pointees after the message's fields."""

    ALIGNMENT = (4, 4)
    fields_desc = [NDRByteField("tag", 0), NDRFullEmbPointerField(NDRIntField("a", 0)),
                   NDRRefEmbPointerField(NDRShortField("b", 0)), NDRShortField("c", 0)]


class Chained(NDR32):
    ALIGNMENT = (4, 4)
    fields_desc = [NDRShortField("tag", 0), NDRFullEmbPointerField(NDRPacketField("inner", Counted(), Counted)),
                   NDRShortField("tail", 0)]


class Wrapper(NDR32):
    ALIGNMENT = (4, 4)
    fields_desc = [NDRIntField("n", 0), NDRPacketField("counted", Counted(), Counted)]


class Nested(NDR32):
    ALIGNMENT = (4, 4)
    fields_desc = [NDRShortField("tag", 0), NDRPacketField("outer", Wrapper(), Wrapper)]


class UnicodeString(NDR32):
    """RPC_UNICODE_STRING: sizes in bytes, the UTF-16 buffer deferred."""

    ALIGNMENT = (4, 4)
    fields_desc = [NDRShortField("Length", 0), NDRShortField("MaximumLength", 0),
                   NDRFullEmbPointerField(NDRConfVarStrLenFieldUtf16("Buffer", ""))]


class Strings(NDR32):
    """A byte string behind a full pointer, a UTF-16 one in a structure, a short after them."""

    ALIGNMENT = (4, 4)
    fields_desc = [NDRByteField("tag", 0), NDRFullPointerField(NDRConfVarStrLenField("data", b"")),
                   NDRPacketField("name", UnicodeString(), UnicodeString), NDRShortField("tail", 0)]


class NullStrings(NDR32):
    """NUL-terminated strings (LPWSTR's shape): scapy reads to the first NUL element, whatever actual_count says."""

    ALIGNMENT = (4, 4)
    fields_desc = [NDRByteField("tag", 0), NDRFullPointerField(NDRConfVarStrNullFieldUtf16("wide", "")),
                   NDRFullPointerField(NDRConfVarStrNullField("narrow", b"")), NDRShortField("tail", 0)]


PORTS = {NullStrings: 40698, Strings: 40697, Pointers: 40691, Enums: 40692, Holder: 40693, Embedded: 40694, Chained: 40695, Nested: 40696}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
