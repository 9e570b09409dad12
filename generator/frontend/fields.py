"""Field kinds: one scapy field -> one ``model.Field``.

Integers, enums, flags and bit runs; ScalingField's scaled values; IPv4, IPv6
and MAC addresses; strings and byte runs; nested packets and lists; NDR
(DCE/RPC stub) fields; the ConditionalField and PadField wrappers.
A field the generator cannot read exactly is refused with a GeneratorError.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import re
import struct
import sys

from scapy import fields as sf
from scapy.config import conf
from scapy.layers import dcerpc as sd
from scapy.layers import inet as si
from scapy.layers import inet6 as si6
from scapy.layers import l2 as sl2
from scapy.packet import Packet

from .. import model as M
from ..names import filter_part, lua_ident, unique
from .errors import GeneratorError, location
from .logic import all_of, negation
from .probing import class_picker, learn, least_bytes, picker

_INT_FMT = re.compile(r"^([<>!=@]?)([bBhHiIlLqQ])$")
# bytes a bit run may fill: the integer sizes both backends read and mask exactly
# (7 bytes: a Lua number cannot hold every 56-bit mask)
_RUN_SIZES = (1, 2, 3, 4, 5, 6, 8)
_INT_SIZES = {"b": 1, "B": 1, "h": 2, "H": 2, "i": 4, "I": 4, "l": 4, "L": 4, "q": 8, "Q": 8}
_HEX_CLASSES = (sf.XByteField, sf.XShortField, sf.XIntField, sf.XLongField, sf.XLEIntField,
                sf.XLEShortField, sf.XLELongField, sf.X3BytesField, sf.XLE3BytesField, sf.XByteEnumField,
                sf.XShortEnumField, sf.XLEIntEnumField, sf.XBitField, sf.XNBytesField)


# A function naming an enum's values is called at generation time for every
# value of a field this wide (2**16 calls); a wider field's names stay unknown.
MAX_NAMED_BITS = 16


def _names_of_function(where: str, fld, bits: int, signed: bool) -> dict[int, str]:
    """The names scapy's show() gives the values of an enum whose names come
    from a function (EnumField's (i2s, s2i) pair): the function is asked for
    every value of the field, where scapy asks it for the value read."""
    function = getattr(fld.i2s_cb, "__qualname__", None) or repr(fld.i2s_cb)
    if bits > MAX_NAMED_BITS:
        raise GeneratorError(f"{where}: enum names come from a function ({function}) over {bits}-bit values; the "
                             f"generator names the values of fields up to {MAX_NAMED_BITS} bits; give a dict of "
                             f"value -> name")
    low, high = (-(1 << (bits - 1)), 1 << (bits - 1)) if signed else (0, 1 << bits)
    # how the field writes a number it has no name for (hex for the X... classes)
    unnamed = copy.copy(fld)
    unnamed.i2s, unnamed.i2s_cb = None, None
    names = {}
    for value in range(low, high):
        try:
            name = fld.i2s_cb(value)
        except Exception as exc:
            raise GeneratorError(f"{where}: its enum function {function} raises {type(exc).__name__} for "
                                 f"{value} ({exc}), so scapy cannot show that value either") from None
        # None, the number itself, or the number as scapy writes it, names nothing
        if name is not None and name != value and str(name) != str(unnamed.i2repr_one(None, value)):
            names[value] = str(name)
    return names


# Overrides in scapy's layer modules that only fill in a value left None when
# a packet is built (from the route or the neighbour cache): a value given, or
# read from the wire, goes through IPField's or MACField's own i2m unchanged.
_DEFAULT_FILLING = {si.DestIPField.__dict__["i2m"], sl2.DestMACField.__dict__["i2m"],
                    sl2.SourceMACField.__dict__["i2m"]}

# PacketLenField is no PacketField subclass (both are _PacketFieldSingle in scapy 2.5+)
_PACKET_FIELDS = (sf.PacketField, sf.PacketLenField)
# everything scapy reads as a byte string: their ``fmt`` ("H") must not pass for an integer's
_NOT_INTEGERS = (getattr(sf, "_StrField", sf.StrField), sf.PacketField, sf.PacketLenField, sf.PacketListField,
                 sf.FieldListField)

# scapy address field class -> model address ftype
_ADDRESS_CLASSES = ((sf.IP6Field, "ipv6"), (sf.IPField, "ipv4"), (sf.MACField, "ether"), (sf.UUIDField, "guid"))


# Overrides in scapy's layer modules that compute a length field's value when
# a packet is built (FieldLenField.i2m for a base class without it): a value
# given, or read from the wire, passes through unchanged.
_LENGTH_FILLING = {"scapy.contrib.diameter.I3FieldLenField.i2m"}

# Integer classes of scapy's layer modules that read and write with code of
# their own, the same bytes as an unsigned integer of (size, little-endian):
# only these exact classes (a subclass may change the code again).
_LIBRARY_INTEGERS = {
    # the 3 bytes reversed, then read big-endian
    "scapy.contrib.scada.iec104.iec104_fields.LEThreeBytesField": (3, True),
    # a byte, then a big-endian 32-bit integer: 40 bits big-endian
    "scapy.contrib.pfcp.Int40Field": (5, False),
}


def _qualified(obj) -> str:
    return f"{getattr(obj, '__module__', '')}.{getattr(obj, '__qualname__', '')}"


def _library_integer(fld) -> tuple[int, bool] | None:
    return _LIBRARY_INTEGERS.get(_qualified(type(fld)))


def _converted_string(fld) -> bool:
    """A string field scapy reads and writes as its scapy.fields class does
    (getfield, addfield) but whose value it converts (m2i, i2m: gtp's
    APNStrLenField joins DNS-style labels with dots): its bytes are known, its
    value is scapy's own. The dissector shows the bytes."""
    if not isinstance(fld, getattr(sf, "_StrField", sf.StrField)):
        return False

    def own(meth: str) -> bool:
        return getattr(getattr(type(fld), meth, None), "__module__", "scapy.fields") != "scapy.fields"

    def converts(meth: str) -> bool:
        # scapy.fields has converting string classes of its own too (NetBIOSNameField's
        # first-level encoding, XLEStrLenField's reversed bytes)
        return own(meth) or getattr(type(fld), meth, None) is not getattr(sf._StrField, meth, None)

    return not own("getfield") and not own("addfield") and (converts("m2i") or converts("i2m"))


def _scapy_wire(fld) -> bool:
    """True when the field reads and writes its bytes as scapy.fields' classes do.

    A subclass in one of scapy's own layer modules (NTP's extension list, MQTT's
    variable length...) is as much custom code as a user's: only the methods
    scapy.fields defines are known."""
    for meth in ("getfield", "addfield", "m2i", "i2m"):
        impl = getattr(type(fld), meth, None)
        if (impl is not None and getattr(impl, "__module__", "") != "scapy.fields" and impl not in _DEFAULT_FILLING
                and _qualified(impl) not in _LENGTH_FILLING):
            return False
    return True


def _address_ftype(fld) -> str | None:
    for klass, ftype in _ADDRESS_CLASSES:
        if isinstance(fld, klass):
            return ftype
    return None


# scapy's endianness wrappers: EField (RTPS) and its DCE/RPC subclass _EField
_ENDIANNESS_WRAPPERS = ("scapy.contrib.rtps.common_types.EField", "scapy.layers.dcerpc._EField")


class _NoEndianness:
    """A packet without the ``endianness`` attribute EField asks first."""


def _endianness_set(fld, where: str, cls):
    """The field an EField reads through, in the byte order it reads it.

    EField takes the order from the packet's ``endianness`` (an EPacket's, set
    by the packet that holds it, or a property reading the layer below), else
    from its ``endianness_from`` function of the packet, else the order it was
    given: only that last, fixed order is translated."""
    name = type(fld).__name__
    if cls is not None and hasattr(cls, "endianness"):
        raise GeneratorError(f"{where}: {name} takes its byte order from {cls.__name__}.endianness, which the "
                             f"packet holding it (or the layer below) sets; the generator reads a field in one "
                             f"byte order")
    if not isinstance(fld.fld, sf.Field) or not _scapy_wire(fld.fld):
        raise GeneratorError(f"{where}: {name} around {type(fld.fld).__name__} is not translated; it may hold "
                             f"an integer or a UUIDField")
    if fld.endianness_from is not None:
        return fld  # chosen per packet: FieldKinds.runtime_order
    # what scapy does before every read: the fixed order goes into the inner field
    fld.set_endianness(_NoEndianness())
    return fld.fld


def _configured(fld, where: str, cls=None):
    """The field a configuration-dependent wrapper of scapy's library reads through.

    scapy.contrib's XCP wraps fields in XCPEndiannessField, which sets the inner
    field's byte order from ``conf.contribs['XCP']['byte_order']`` before every
    read: the dissector is generated with the order configured now (a capture
    that changes it midway, as XCP's CONNECT may, is not followed)."""
    if isinstance(fld, sf.Emph):  # only how scapy's show() prints it
        return _configured(fld.fld, where, cls)
    if _qualified(type(fld)) in _ENDIANNESS_WRAPPERS:
        return _endianness_set(fld, where, cls)
    if type(fld).__name__ == "XCPEndiannessField" and type(fld).__module__.startswith("scapy.contrib.automotive.xcp"):
        try:
            fld.set_endianness()
        except Exception as exc:
            raise GeneratorError(f"{where}: XCPEndiannessField takes its byte order from "
                                 f"conf.contribs['XCP']['byte_order'], which is not set ({type(exc).__name__}: "
                                 f"{exc}); import scapy.contrib.automotive.xcp.xcp first") from None
        return fld.fld
    return fld


# A double holds 15 significant decimal digits for sure: more decimals are noise.
MAX_SCALING_DIGITS = 15


def _scaling(where: str, fld, size: int) -> tuple[M.Scaling | None, str]:
    """(the scaling, the unit) of scapy's ScalingField; (None, "") for any other integer.

    scapy's m2i gives ``raw * scaling + offset``, an int when both are ints,
    else a float rounded to ``ndigits``. Scaling 1 and offset 0, both ints,
    leave the raw integer itself: it stays an integer item (exact at 64 bits,
    and expressions may read it); only its unit is shown."""
    if isinstance(fld, sf.BCDFloatField):
        # its value is raw / 256 (STP's times): exact in 8 decimals
        return M.Scaling(factor=1 / 256, offset=0, ndigits=8), ""
    if not isinstance(fld, sf._ScalingField):
        return None, ""
    if isinstance(fld, sf._EnumField):
        raise GeneratorError(f"{where}: a ScalingField with an enum is not translated (scapy has none); "
                             f"use an EnumField for named values or a ScalingField for a physical value")
    factor, offset, ndigits = fld.scaling, fld.offset, fld.ndigits
    for name, number in (("scaling", factor), ("offset", offset)):
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
            raise GeneratorError(f"{where}: ScalingField {name}={number!r} is not a finite int or float")
    unit = str(fld.unit or "")
    integral = isinstance(factor, int) and isinstance(offset, int)
    if integral and factor == 1 and offset == 0:
        return None, unit
    # a double holds every integer up to 2**53 (and Lua 5.4's integers do not wrap below it)
    if integral and 2 ** (8 * size) * abs(factor) + abs(offset) > 2 ** 53:
        raise GeneratorError(f"{where}: a ScalingField scaled by integers whose values can pass 2**53, which "
                             f"a double cannot hold exactly; use scaling=1, offset=0 or a float scaling")
    if not integral and (isinstance(ndigits, bool) or not isinstance(ndigits, int)
                         or not 0 <= ndigits <= MAX_SCALING_DIGITS):
        raise GeneratorError(f"{where}: ScalingField ndigits={ndigits!r}: the generator rounds to 0 to "
                             f"{MAX_SCALING_DIGITS} decimals")
    return M.Scaling(factor=factor, offset=offset, ndigits=None if integral else ndigits), unit


def _dispatches(cls) -> bool:
    """True when the class picks a subclass for the bytes it is given: scapy calls
    a dispatch_hook the class defines itself, not one it inherits."""
    return "dispatch_hook" in vars(cls)


# what probing learned, per class-choosing function or class (probing one takes seconds)
_LEARNED: dict = {}


def learned_choice(fld):
    if fld.cls not in _LEARNED:
        _LEARNED[fld.cls] = learn(picker(fld))
    return _LEARNED[fld.cls]


def _completed_run(fields: list, last) -> list:
    """The members of the bit run ``last`` completes: ``last`` and the fields
    before it that do not end a run."""
    start = len(fields)
    while start and fields[start - 1].kind == "int" and not fields[start - 1].group_end:
        start -= 1
    return [*fields[start:], last]


def _values_of(expr) -> set[str]:
    """The idents of the fields an expression reads."""
    if isinstance(expr, M.Value):
        return {expr.field}
    found = set()
    for part in dataclasses.fields(expr) if dataclasses.is_dataclass(expr) else ():
        value = getattr(expr, part.name)
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, M.Expr):
                found |= _values_of(item)
    return found


def _read_at_bit(where: str, run: list, multi_enum: dict) -> None:
    """Make the members of a bit run each read their own bits at the run's
    current bit (``Field.bit_cursor``): scapy's way when their presence varies."""
    for g in run:
        if g.little_endian:
            raise GeneratorError(f"{where}: a little-endian bit run whose members' presence varies is not "
                                 f"translated")
        if g.enum_by is not None or id(g) in multi_enum:
            raise GeneratorError(f"{where}: a BitMultiEnumField in a bit run whose members' presence varies is "
                                 f"not translated")
        if g.flags:
            raise GeneratorError(f"{where}: flags in a bit run whose members' presence varies (ConditionalFields "
                                 f"with different tests) are not translated; use a BitField")
        if g.bit_width > 64:
            raise GeneratorError(f"{where}: a bit field of {g.bit_width} bits in a bit run whose members' "
                                 f"presence varies is not translated; up to 64 bits")
    for g in run:  # (all refusals first: a refused run is left as it was)
        size = (g.bit_width + 7) // 8
        g.ftype = M.INT_FTYPES[(size if size <= 4 else 8, False)]
        g.size, g.mask, g.shift, g.bit_offset = None, None, 0, 0
        g.group_start = g.group_end = g.bit_cursor = True


def _keeps_rest(cls, seen: frozenset = frozenset()) -> bool:
    """True when ``cls`` keeps what follows its fields (scapy's default
    extract_padding, and a payload that keeps it too), so as a PacketField or a
    list element it takes every byte up to the end of the field's span (the
    list then ends there). A payload of scapy's Padding hands what follows back
    (TPM's; ISIS's sub-TLVs; KNX's HPAI, bound to Padding), and so does a payload
    class that ends itself (Bluetooth's EIR_Hdr, whose EIR_Raw has an extract_padding)."""
    if getattr(cls, "extract_padding", None) is not Packet.extract_padding:
        return False
    if cls in seen:
        return True  # a payload of its own class: scapy's default
    try:
        payloads = _payload_classes(cls)
    except Exception:  # its choice reads the packet's fields: keep scapy's default
        return True
    # None (ICMP's guess for most types): scapy's call of it raises, and it makes Raw
    return any(c is None or c is conf.raw_layer or (c is not conf.padding_layer and _keeps_rest(c, seen | {cls}))
               for c in payloads)


_PROBE_PAYLOADS = (b"", b"\0" * 8, b"\xff" * 8)


def _payload_classes(cls) -> list:
    """The classes scapy may make of what follows a ``cls``'s fields: its bindings',
    up to the first on no field, else its default payload class; and what its own
    guess_payload_class makes of a few payloads after a default packet."""
    pkt = cls()
    out = []
    if getattr(cls, "guess_payload_class", None) is not Packet.guess_payload_class:
        out += [pkt.guess_payload_class(p) for p in _PROBE_PAYLOADS]
    for fval, nxt in cls.payload_guess:
        out.append(nxt)
        if not fval:
            return out  # taken whatever the fields: no later binding, nor the default, is reached
    if getattr(cls, "guess_payload_class", None) is Packet.guess_payload_class:
        out.append(pkt.default_payload_class(b""))
    return out


def _may_end(fld):
    """(the field scapy's MayEnd wraps, True), or (the field, False) without one."""
    if isinstance(fld, sf.MayEnd):
        return fld.fld, True
    return fld, False


def _is_tbcd(fld) -> bool:
    """scapy.contrib.gtp's TBCDByteField itself (gtp_v2 uses it too): the exact
    class, as _LIBRARY_INTEGERS names them."""
    return _qualified(type(fld)) == "scapy.contrib.gtp.TBCDByteField"


def _is_le_bit_field(fld) -> bool:
    """scapy.contrib.ethercat's LEBitField (and its LenField and EnumField, which
    read as it does): a run of them is a little-endian integer whose first
    field holds the lowest bits."""
    getfield = getattr(type(fld), "getfield", None)
    return _qualified(getfield) == "scapy.contrib.ethercat.LEBitField.getfield"


def _is_pfcp_extra_data(fld) -> bool:
    """scapy.contrib.pfcp's ExtraDataField itself: the IE's bytes after its
    fields, up to the end its length field gives."""
    return _qualified(type(fld)) == "scapy.contrib.pfcp.ExtraDataField"


# scapy's DNS name fields, exact classes -> whether the name is gtp's FQDNField
# (no 0 label: the labels run to the end of its length, the value without the last ".")
_DNS_NAMES = {"scapy.layers.dns.DNSStrField": False, "scapy.contrib.gtp.FQDNField": True}


def _dns_name(fld) -> bool | None:
    return _DNS_NAMES.get(_qualified(type(fld)))


# address prefixes, exact classes -> (address ftype, does the field hold its own length byte?)
_PREFIXES = {"scapy.fields.IPPrefixField": ("ipv4", False), "scapy.fields.IP6PrefixField": ("ipv6", False),
             "scapy.contrib.bgp.BGPFieldIPv4": ("ipv4", True), "scapy.contrib.bgp.BGPFieldIPv6": ("ipv6", True)}


# fixed-size ids scapy shows as hex text, exact classes -> (separators before each byte, upper-case?)
_HEX_IDS = {
    "scapy.contrib.isis.ISIS_SystemIdField": (("", "", ".", "", ".", ""), True),  # 0102.0304.0506
    "scapy.contrib.isis.ISIS_NodeIdField": (("", "", ".", "", ".", "", "."), True),  # 0102.0304.0506.07
    "scapy.contrib.isis.ISIS_LspIdField": (("", "", ".", "", ".", "", ".", "-"), True),  # 0102.0304.0506.07-08
}
# a UUID's text: 8-4-4-4-12 hex digits
_UUID_SEPS = ("", "", "", "", "-", "", "-", "", "-", "", "-", "", "", "", "", "")


class _Recorder:
    """Stands for the packet an endianness_from function is given: it notes
    which of the packet's earlier fields the function reads (0 for each), and
    has no other attribute."""

    def __init__(self, known) -> None:
        self._known, self.read = known, []

    def __getattr__(self, name):
        if name.startswith("_") or name not in self._known:
            raise AttributeError(name)
        self.read.append(name)
        return 0


# byte orders scapy's EField may be given: "!" is network order, big-endian
_ORDERS = {"<": True, ">": False, "!": False}
# values of the field an endianness_from function reads that are tried, at most
MAX_ORDER_BITS = 8


def _defers(fields) -> bool:
    """True when NDR fields hold embedded pointers whose pointees scapy reads
    after them (in them, or in structures in them that leave the reading to
    the enclosing one): NDRConstructedType.rec_check_deferral, without changing
    the fields."""
    for f in fields:
        while isinstance(f, sf.ConditionalField):
            f = f.fld
        if isinstance(f, sd.NDRFullPointerField) and f.EMBEDDED:
            return True
        if isinstance(f, sd.NDRConstructedType) and not f.handles_deferred and _defers(f.ndr_fields):
            return True
    return False


class _UnionValue:
    """What an NDR union's dissect-time condition gets as ``val``: its tag."""

    def __init__(self, tag) -> None:
        self.tag = tag


def _on_tag(cond, tag_name: str):
    """An NDR union arm's condition ``cond(pkt, val)`` as a condition of the packet
    alone: ``val.tag`` is the union's tag, read just before."""
    if cond is None:
        return None
    return lambda pkt: cond(pkt, _UnionValue(getattr(pkt, tag_name)))


def _set_condition(f: M.Field, condition: M.Expr | None) -> None:
    """``f`` is read only when ``condition`` holds; an NDR array's members too (each is read on its own)."""
    f.condition = condition
    if f.kind in ("ndr_array", "ndr_struct", "ndr_split"):
        for m in f.members:
            m.condition = condition


class FieldKinds:
    """The field half of ProtocolBuilder (a mixin: it needs message, claim_abbrev, enum_table, expr_of)."""

    def field(self, cls, msg, fld, known, ndr, group) -> M.Field:
        where = location(cls, fld)
        condition = None
        fld, may_end = _may_end(_configured(fld, where, cls))
        if isinstance(fld, sf.ConditionalField):
            condition = self.expr_of(cls, fld, fld.cond, known, "the condition", boolean=True)
            if condition == M.Bool(True):
                condition = None
            fld, inner_may_end = _may_end(_configured(fld.fld, where, cls))
            may_end = may_end or inner_may_end
        pad_to = None
        if isinstance(fld, sf.PadField) and not isinstance(fld, sd.NDRAlign):
            pad_to = fld._align[0] if isinstance(fld._align, tuple) else fld._align
            fld = fld.fld
        if isinstance(fld, sf.MultipleTypeField):
            if pad_to is not None:
                raise GeneratorError(f"{where}: a PadField around a MultipleTypeField is not translated")
            choice = self.choice_field(cls, msg, fld, known, ndr, group, condition)
            for alt in choice.alternatives:
                alt.may_end = may_end
            return choice
        f = self.plain_field(cls, msg, fld, known, ndr, group)
        f.converted = f.kind in ("bytes", "stringz") and not f.tbcd and _converted_string(fld)
        if f.kind == "ndr_pointer":
            if pad_to is not None:
                raise GeneratorError(f"{where}: a PadField around an NDR pointer is not translated")
            if condition is not None and fld.EMBEDDED:
                # scapy's deferral does not see an embedded pointer inside a ConditionalField
                raise GeneratorError(f"{where}: a conditional embedded NDR pointer is not translated")
            referent, pointee = f.members
            referent.condition = condition
            _set_condition(pointee, all_of(*([condition] if condition is not None else []), pointee.condition))
            return f
        if f.kind in ("ndr_array", "ndr_struct", "ndr_split") and pad_to is not None:
            raise GeneratorError(f"{where}: a PadField around an NDR array is not translated")
        _set_condition(f, condition)
        f.pad_to = pad_to
        f.may_end = may_end
        bit_member = isinstance(fld, sf._BitField) and f.kind == "int"
        if bit_member and (f.mask or not f.group_end or msg.fields and msg.fields[-1].bit_cursor):
            # scapy's BitField carries the bit it stopped at to the next one, and a
            # ConditionalField that does not hold passes it on untouched: members
            # under different tests, and every bit field after them, are read at a
            # bit known only when dissecting
            run = [g for g, _ in group] if group else _completed_run(msg.fields, f)
            if any(g.condition != condition for g in run) or msg.fields and msg.fields[-1].bit_cursor:
                try:
                    _read_at_bit(where, run, self.multi_enum_members)
                except GeneratorError:
                    group[:] = [(g, g.bit_width) for g in run]  # the undecoded bytes start with the run
                    raise
                group.clear()
        elif isinstance(fld, sf._BitField) and msg.fields and msg.fields[-1].bit_cursor:
            raise GeneratorError(f"{where}: follows bit fields read at a bit known only when dissecting; "
                                 f"an integer wider than 64 bits there is not translated")
        return f

    def choice_field(self, cls, msg, fld, known, ndr, group, outer: M.Expr | None) -> M.Field:
        """scapy's MultipleTypeField: each alternative read under its own condition,
        made exclusive in scapy's order (the first that holds wins, else the default).
        Alternatives after the first are named ``<name>_2``, ``<name>_3``... (the
        types differ, and Wireshark wants one type per filter name)."""
        where = location(cls, fld)
        options = [(sub, cond[0] if isinstance(cond, tuple) else cond) for sub, cond in fld.flds]
        options.append((fld.dflt, None))
        alternatives, earlier = [], []
        if isinstance(fld, sd._NDRUnionField):
            # an NDR union: its tag, then the arm the tag chooses (scapy's conditions on the tag read)
            tag = self.union_tag(cls, msg, fld, known)
            alternatives.append(tag)
            options = [(sub, _on_tag(cond[1] if isinstance(cond, tuple) else cond, tag.name))
                       for sub, cond in fld.flds] + [(fld.dflt, None)]
        # after bit fields that end mid-byte: a first alternative of bits may complete
        # their run under the run's condition (802.11's frame control: 4 flag bits after
        # the 4-bit cfe, else 8); else the run's members, and bit alternatives, read at
        # the bit reached (GTPv2's header: a 4-bit spare after a 4-bit priority, else a byte)
        run = [g for g, _ in group]
        joins = bool(run) and isinstance(_configured(options[0][0], where, cls), sf._BitField)
        at_bit = bool(run) and not joins or bool(msg.fields) and msg.fields[-1].bit_cursor
        if at_bit and run:
            _read_at_bit(where, run, self.multi_enum_members)
            group.clear()
        first_arm = len(alternatives)
        for i, (sub, cond) in enumerate(options):
            sub = _configured(sub, where, cls)
            bit = isinstance(sub, sf._BitField)
            bits = bit and (at_bit and not isinstance(sub, sf.FlagsField) or joins and i == 0)
            # a FlagsField of whole bytes on a byte boundary: an integer with flags
            whole = (isinstance(sub, sf.FlagsField) and not group and not at_bit and not (joins and i == 0)
                     and sub.size % 8 == 0 and sub.size // 8 in _RUN_SIZES)
            union_arm = isinstance(fld, sd._NDRUnionField) and isinstance(sub, (sd.NDRAlign, sd.NDRFullPointerField))
            if isinstance(sub, (sf.ConditionalField, sf.PadField, sf.MultipleTypeField, sf._BitField)) and not (
                    bits or whole or union_arm):
                raise GeneratorError(f"{where}: a MultipleTypeField of {type(sub).__name__} is not translated; "
                                     f"its alternatives may be whole-byte fields")
            test = None if cond is None else self.expr_of(cls, fld, cond, known, "a MultipleTypeField condition",
                                                          boolean=True)
            condition = all_of(*([outer] if outer is not None else []), *(negation(e) for e in earlier),
                               *([test] if test is not None else []))
            condition = None if condition == M.Bool(True) else condition
            name = fld.name if i == 0 else f"{fld.name}_{i + 1}"
            if bits and any(not a.bit_cursor for a in alternatives[first_arm:]):
                raise GeneratorError(f"{where}: a MultipleTypeField after bit fields that end mid-byte, with a bit "
                                     f"alternative after a whole-byte one, is not translated")
            alt = self.plain_field(cls, msg, sub, known, ndr, group, name=name)
            if union_arm and any(g.kind in ("ndr_split", "ndr_pointees") for g in M.flattened(alt)):
                raise GeneratorError(f"{where}: an NDR union arm holding a structure whose pointees scapy defers "
                                     f"past the union is not translated")
            alt.condition = condition
            if alt.kind == "ndr_pointer":  # its referent read under the condition, its pointee too
                referent, pointee = alt.members
                referent.condition = condition
                _set_condition(pointee, all_of(*([condition] if condition is not None else []), pointee.condition))
                # a union is a constructed type of its own: scapy reads its arm's pointee at its end, right
                # after, unless a structure holding it reads its pointees (scapy's handles_deferred: ms_srvs'
                # LPSHARE_ENUM_STRUCT, held by NetrShareEnum_Response, reads ShareInfo's at its own end)
                for f in (pointee, *pointee.members):
                    f.deferred = not fld.handles_deferred
            if joins and i == 0:
                if group or any(g.condition != condition for g in run):
                    # it does not complete the run under the run's condition: bit by bit
                    try:
                        _read_at_bit(where, [*run, alt], self.multi_enum_members)
                    except GeneratorError:
                        group[:] = [(g, g.bit_width) for g in run]  # the undecoded bytes start with the run
                        raise
                    group.clear()
                    at_bit = True
            elif bits:
                _read_at_bit(where, [alt], self.multi_enum_members)
                group.clear()
            alternatives.append(alt)
            if test is not None:
                earlier.append(test)
        first = alternatives[first_arm]
        return M.Field(name=fld.name, ident=first.ident, abbrev=first.abbrev, label=fld.name, kind="choice",
                       size=None, alternatives=tuple(alternatives))

    def union_tag(self, cls, msg, fld, known) -> M.Field:
        """An NDR union's tag (C706 14.3.8): an integer aligned as the union is, read
        before its arm; known to the arms' conditions by its own name."""
        where = location(cls, fld)
        fmt = fld.switch_fmt[0]
        size = struct.calcsize("<" + fmt)
        if fmt not in "bBhHiIlL" or size not in (1, 2, 4):
            raise GeneratorError(f"{where}: an NDR union tag of format {fmt!r} is not translated")
        name = f"{fld.name}_tag"
        align = fld.align[0] if isinstance(fld.align, tuple) else fld.align
        tag = M.Field(name=name, ident=lua_ident(name), abbrev=self.claim_field_abbrev(
            f"{msg.abbrev}.{filter_part(name)}", where), label="tag", kind="int",
            ftype=M.INT_FTYPES[(size, fmt.islower())], base="DEC", size=size, little_endian=True,
            signed=fmt.islower(), align_before=align if align > 1 else None, referenced=True)
        known[name] = tag
        return tag

    def plain_field(self, cls, msg, fld, known, ndr, group, name: str | None = None) -> M.Field:
        """``name``: the filter and code name, when not the scapy field's (a MultipleTypeField's alternatives)."""
        where = location(cls, fld)
        abbrev = self.claim_field_abbrev(f"{msg.abbrev}.{filter_part(name or fld.name)}", where)
        base = dict(name=fld.name, ident=lua_ident(name or fld.name), abbrev=abbrev, label=fld.name)

        # NDR (DCE/RPC stubs, NDR32 only)
        if isinstance(fld, sd.NDRFullPointerField):
            return self.ndr_pointer(cls, msg, fld, known, group, base, name or fld.name)
        if isinstance(fld, sd.NDRAlign) and isinstance(fld.fld, (sd._NDREnumField, sf.LEIntEnumField)):
            # NDRInt3264EnumField: 2 bytes in NDR32; NDRIntEnumField (v1_enum): 4
            size = 2 if isinstance(fld.fld, sd._NDREnumField) else 4
            enum, _ = self.enum_names(cls, msg, fld.fld, None, 8 * size, False)
            return M.Field(**base, kind="int", ftype=M.INT_FTYPES[(size, False)], base="DEC", size=size,
                           little_endian=True, enum=enum, align_before=size)
        if isinstance(fld, (sd.NDRByteField, sd.NDRSignedByteField)):
            # _NDRLenField's own i2m only fills a size in when building
            signed = isinstance(fld, sd.NDRSignedByteField)
            enum, _ = self.enum_names(cls, msg, fld, None, 8, signed)
            return M.Field(**base, kind="int", ftype=M.INT_FTYPES[(1, signed)], base="DEC", size=1, signed=signed,
                           enum=enum)
        if isinstance(fld, sd.NDRInt3264Field):
            signed = isinstance(fld, sd.NDRSignedInt3264Field)
            return M.Field(**base, kind="int", ftype=M.INT_FTYPES[(4, signed)], base="DEC", size=4,
                           little_endian=True, signed=signed, align_before=4)
        if isinstance(fld, sd._NDRConfField) and isinstance(fld, sd._NDRVarField) and \
                isinstance(fld, (sf.StrLenField, sf.StrNullField)):
            return self.ndr_conf_var(cls, msg, fld, base)
        if type(fld) is sd._VirtualField:
            # a conformant structure's max_count, which the NDRPacketField holding it reads before it
            return M.Field(**base, kind="virtual", size=0)
        if isinstance(fld, sd._NDRConfField) and isinstance(fld, (sd._NDRPacketListField, sd.NDRFieldListField,
                                                                  sf.StrLenField)):
            return self.ndr_array(cls, msg, fld, known, base)
        if isinstance(fld, sd.NDRPacketField):
            if not fld.handles_deferred and _defers(fld.ndr_fields):
                return self.ndr_split(cls, msg, fld, base)
            if fld.handles_deferred and any(f.deferred for g in msg.fields for f in g.members):
                raise GeneratorError(f"{where}: follows an embedded NDR pointer, whose pointee scapy reads after "
                                     f"this structure; the generator reads it at the end of {cls.__name__}")
            if fld.DEPORTED_CONFORMANTS:
                return self.ndr_conformant_struct(cls, msg, fld, base)
            sub = self.message(fld.fld.cls, sub_only=True)
            # aligned as scapy's NDRAlign aligns it, to its class's NDR32 alignment (RPC_SID's
            # IdentifierAuthority: 1)
            return M.Field(**base, kind="packet", sub=sub.ident, size=sub.fixed_size,
                           align_before=fld.fld.cls.ALIGNMENT[0])
        if isinstance(fld, sd._NDRField) and not isinstance(fld, sd.NDRInt3264Field):
            size = _INT_SIZES[fld.FMT]
            signed = isinstance(fld, (sd.NDRSignedIntField, sd.NDRSignedShortField, sd.NDRSignedLongField))
            return M.Field(**base, kind="int", ftype=M.INT_FTYPES[(size, signed)], base="DEC", size=size,
                           little_endian=True, signed=signed, align_before=size)
        if ndr and not isinstance(fld, (sf.LEIntField, sf.StrFixedLenField)):
            raise GeneratorError(f"{where}: NDR field {type(fld).__name__} is not translated; "
                                 f"the generator knows NDR ints and enums, NDR pointers, "
                                 f"NDRPacketField, NDRConfVarStrLenField and conformant arrays")

        if _qualified(type(fld)) in _ENDIANNESS_WRAPPERS:
            return self.runtime_order(cls, msg, fld, known, ndr, group, base)
        if not isinstance(fld, sf.Field):
            # a container (MultipleTypeField, TrailerField...) answers attribute
            # lookups with its default field's: it must not pass for that field
            what = "(its type depends on other fields) " if isinstance(fld, sf.MultipleTypeField) else ""
            raise GeneratorError(f"{where}: {type(fld).__name__} {what}is not translated; supported are "
                                 f"integer/enum/flags/bit fields, addresses, strings, packets and lists, "
                                 f"ConditionalField and PadField")
        if isinstance(fld, si6.IP6ListField) and type(fld).getfield is si6.IP6ListField.getfield:
            return self.ip6_list(cls, fld, base, known)
        if _is_pfcp_extra_data(fld):
            return self.pfcp_extra_data(cls, fld, base, known)
        if _is_tbcd(fld):
            return self.tbcd(cls, fld, base, known)
        if _is_le_bit_field(fld) and not isinstance(fld, sf._ScalingField):
            return self.bit_field(cls, msg, fld, base, group, known)
        hex_id = _HEX_IDS.get(_qualified(type(fld)))
        if hex_id is not None or isinstance(fld, sf.UUIDField) and fld.uuid_fmt == sf.UUIDField.FORMAT_REV \
                and type(fld).i2repr is sf.UUIDField.i2repr and _scapy_wire(fld):
            if group:
                raise GeneratorError(f"{where}: follows bit fields that end mid-byte; pad the bit run to whole bytes")
            # FORMAT_REV: Bluetooth LE's 16 bytes reversed, shown as the UUID scapy makes of them (no
            # Wireshark GUID encoding reverses all 16, and a Lua GUID item cannot take a value)
            seps, upper = hex_id or (_UUID_SEPS, False)
            return M.Field(**base, kind="hex_text", ftype="string", size=len(seps), hex_seps=seps, hex_upper=upper,
                           hex_reversed=hex_id is None)
        prefix = _PREFIXES.get(_qualified(type(fld)))
        if prefix is not None:
            if group:
                raise GeneratorError(f"{where}: follows bit fields that end mid-byte; pad the bit run to whole bytes")
            return self.prefix(cls, fld, base, known, *prefix)
        fqdn = _dns_name(fld)
        if fqdn is not None:
            if group:
                raise GeneratorError(f"{where}: follows bit fields that end mid-byte; pad the bit run to whole bytes")
            length = self.expr_of(cls, fld, fld.length_from, known, "length_from") if fld.length_from else None
            return M.Field(**base, kind="dns_name", ftype="string", length=length, fqdn=fqdn)
        library = _library_integer(fld)
        if library is not None:
            if group:
                raise GeneratorError(f"{where}: follows bit fields that end mid-byte; pad the bit run to whole bytes")
            size, little = library
            return self.int_field(cls, msg, fld, base, size=size, little=little, known=known)
        if not _scapy_wire(fld) and not _converted_string(fld):
            raise GeneratorError(f"{where}: {type(fld).__name__} overrides how scapy reads or writes it, "
                                 f"so the generator cannot know its wire format; use a plain scapy field")
        if isinstance(fld, sf.BitExtendedField):
            # scapy.fields' own, but of as many bytes as their extension bits say: no fixed integer
            raise GeneratorError(f"{where}: {type(fld).__name__} (an integer of 7 bits per byte, as many bytes "
                                 f"as their extension bit says) is not translated")
        # FlagsField and BitEnumField are bit fields too: a FlagsField of whole bytes
        # on its own is an integer with flags, anywhere else a member of a bit run
        if isinstance(fld, sf.FlagsField) and not group and fld.size % 8 == 0 and fld.size // 8 in _RUN_SIZES:
            return self.flags_field(cls, msg, fld, base)
        if isinstance(fld, sf.BitLenField):
            return self.bit_len_field(cls, msg, fld, base, group, known)
        if isinstance(fld, sf._BitField):
            return self.bit_field(cls, msg, fld, base, group, known)
        if group:
            raise GeneratorError(f"{where}: follows bit fields that end mid-byte; pad the bit run to whole bytes")
        if _address_ftype(fld):
            return self.address_field(cls, fld, base)
        if re.fullmatch(r"[<>!=]?[fd]", str(getattr(fld, "fmt", ""))):  # IEEEFloatField, IEEEDoubleField
            fmt = str(fld.fmt)
            return M.Field(**base, kind="float", ftype="float" if fmt[-1] == "f" else "double",
                           size=4 if fmt[-1] == "f" else 8, little_endian=fmt[0] == "<")
        # LEThreeBytesField is no ThreeBytesField subclass; both pack through 4-byte formats
        if isinstance(fld, (sf.ThreeBytesField, sf.LEThreeBytesField)):
            return self.int_field(cls, msg, fld, base, size=3, little=isinstance(fld, sf.LEThreeBytesField),
                                  known=known)
        if isinstance(fld, sf.NBytesField):
            # an unsigned big-endian integer of sz bytes; wider than a ProtoField: its bytes
            if (fld.sz, False) in M.INT_FTYPES:
                return self.int_field(cls, msg, fld, base, size=fld.sz, little=False, known=known)
            return M.Field(**base, kind="bytes", ftype="bytes", size=fld.sz, wide_int=True)
        if isinstance(fld, sf.PacketListField):
            return self.packet_list(cls, msg, fld, base, known)
        if isinstance(fld, _PACKET_FIELDS):
            sub, choose = self._elements(cls, fld)
            length = None
            if isinstance(fld, sf.PacketLenField):
                length = self.expr_of(cls, fld, fld.length_from, known, "length_from")
            takes_rest = length is None and self._keep_rest(sub, choose)
            size = None if length or takes_rest or not sub else self.messages_by_ident[sub].fixed_size
            return M.Field(**base, kind="packet", sub=sub, choose=choose, size=size, length=length,
                           rest=length is None and size is None, takes_rest=takes_rest)
        if isinstance(fld, sf.FieldListField):
            return self.field_list(cls, msg, fld, base, known)
        if isinstance(fld, sf.StrFixedLenField):
            try:
                size = fld.length_from(None) if fld.length_from else None
            except Exception:  # length_from reads the packet: a length like StrLenField's
                length = self.expr_of(cls, fld, fld.length_from, known, "length_from")
                return M.Field(**base, kind="bytes", ftype="bytes", length=length)
            if not isinstance(size, int):
                raise GeneratorError(f"{where}: StrFixedLenField needs a fixed length=")
            return M.Field(**base, kind="bytes", ftype="bytes", size=size)
        if isinstance(fld, sf.StrNullField):
            return M.Field(**base, kind="stringz", ftype="bytes", char_size=len(fld.DELIMITER))
        if isinstance(fld, sf.StrLenField):
            length = self.expr_of(cls, fld, fld.length_from, known, "length_from")
            return M.Field(**base, kind="bytes", ftype="bytes", length=length)
        if _INT_FMT.match(str(getattr(fld, "fmt", ""))) and not isinstance(fld, _NOT_INTEGERS):
            return self.int_field(cls, msg, fld, base, known=known)
        if type(fld) in (sf.StrField, sf.XStrField):
            # it takes every byte left: a later field reads none (scapy then fails
            # on a later integer, and the dissector says truncated)
            if fld.remain:
                raise GeneratorError(f"{where}: a StrField leaving the last {fld.remain} bytes to later fields "
                                     f"is not translated; use StrLenField(length_from=...)")
            return M.Field(**base, kind="bytes", ftype="bytes", rest=True)
        raise GeneratorError(f"{where}: {type(fld).__name__} is not supported by the generator; supported are "
                             f"integer/enum/flags/bit fields, IP/IP6/MAC address fields, Str(Fixed|Len|Null)Field, "
                             f"Packet(List)Field, FieldListField, ConditionalField and PadField")

    def int_field(self, cls, msg, fld, base, size=None, little=None, known=None) -> M.Field:
        where = location(cls, fld)
        if size is None:
            m = _INT_FMT.match(str(fld.fmt))
            if not m:
                raise GeneratorError(f"{where}: unsupported integer format {fld.fmt!r}")
            order, code = m.groups()
            # "@" and "=" are the machine's own order (NativeShortField), as scapy reads them here
            size, little = _INT_SIZES[code], order == "<" or (order in ("@", "=") and sys.byteorder == "little")
            if order == "@":
                size = struct.calcsize(order + code)  # native sizes too: a long of 8 bytes
            signed = code.islower()
        else:
            signed = False
        enum, enum_by = self.enum_names(cls, msg, fld, known, 8 * size, signed)
        hexa = isinstance(fld, _HEX_CLASSES)
        unknown = getattr(fld, "unknown_label", None) if enum else None
        scaling, unit = _scaling(where, fld, size)
        return M.Field(**base, kind="int", ftype="double" if scaling else M.INT_FTYPES[(size, signed)],
                       base="NONE" if scaling else "HEX" if hexa else "DEC", size=size,
                       little_endian=bool(little), signed=signed, enum=enum, enum_by=enum_by,
                       unknown_label=str(unknown) if unknown else None,
                       referenced=bool(unknown) or enum_by is not None, scaling=scaling, unit=unit)

    def pfcp_extra_data(self, cls, fld, base, known) -> M.Field:
        """ExtraDataField reads ``pkt.length + 4`` bytes from the IE's start (its
        4-byte type and length header counted) less those its fields took."""
        end = self.expr_of(cls, fld, lambda pkt: pkt.length + 4, known, "the IE's end (ExtraDataField)")
        return M.Field(**base, kind="bytes", ftype="bytes", length=M.Arith("-", end, M.Offset()))

    def ip6_list(self, cls, fld, base, known) -> M.Field:
        """scapy.layers.inet6's IP6ListField: IPv6 addresses in length_from's bytes,
        or count_from of them, or to the end; a partial last one is left unread."""
        count = length = None
        if fld.length_from is not None:
            length = self.expr_of(cls, fld, fld.length_from, known, "length_from")
        elif fld.count_from is not None:
            count = self.expr_of(cls, fld, fld.count_from, known, "count_from")
        shape = dict(name=fld.name, ident=base["ident"], abbrev=base["abbrev"], label=fld.name)
        element = M.Field(**shape, kind="address", ftype="ipv6", size=M.ADDRESS_SIZES["ipv6"])
        return M.Field(**base, kind="address_list", count=count, length=length, rest=count is None and length is None,
                       element=element, ftype="ipv6", keeps_partial=True)

    def runtime_order(self, cls, msg, fld, known, ndr, group, base) -> M.Field:
        """RTPS's EField and DCE/RPC's _EField whose byte order a function
        (endianness_from) chooses per packet from one earlier field: the
        function is asked for every value of that field, and the dissector
        reads the inner field little-endian where it said "<"."""
        where = location(cls, fld)
        function = fld.endianness_from
        name = getattr(function, "__qualname__", None) or repr(function)
        refused = (f"{where}: {type(fld).__name__} chooses its byte order per packet ({name}); the generator "
                   f"translates a function of one earlier integer field of up to {MAX_ORDER_BITS} bits giving "
                   f"'<', '>' or '!'")
        recorder = _Recorder(known)
        try:
            function(recorder)
        except Exception:
            raise GeneratorError(refused) from None
        if len(set(recorder.read)) != 1:
            raise GeneratorError(refused)
        selector = known[recorder.read[0]]
        bits = selector.bit_width or 8 * (selector.size or 0)
        if selector.kind != "int" or selector.signed or selector.scaling or not 0 < bits <= MAX_ORDER_BITS:
            raise GeneratorError(refused)
        little = []
        for value in range(1 << bits):
            probe = _Recorder({selector.name})
            probe.__dict__[selector.name] = value  # read as an attribute, not through __getattr__
            try:
                order = function(probe)
            except Exception:
                raise GeneratorError(refused) from None
            if order not in _ORDERS:
                raise GeneratorError(refused)
            if _ORDERS[order]:
                little.append(value)
        del self.abbrevs[base["abbrev"]]  # the inner field's, under the same name
        f = self.plain_field(cls, msg, fld.fld, known, ndr, group)
        if not (f.kind == "int" and f.group_start and f.group_end and not f.mask and not f.flags and not f.scaling
                or f.kind == "address" and f.ftype == "guid"):
            raise GeneratorError(f"{where}: {type(fld).__name__} with a byte order chosen per packet around "
                                 f"{type(fld.fld).__name__} is not translated; it may hold a whole-byte integer "
                                 f"or a UUIDField")
        selector.referenced = True
        value = M.Value(selector.ident)
        if len(little) in (0, 1 << bits):
            f.little_endian, f.little_endian_if = bool(little), None
        else:
            # not the order scapy's last read left in the inner field: the packet's
            f.little_endian = False
            f.little_endian_if = M.Compare("==", value, M.Const(little[0])) if len(little) == 1 else \
                M.InSet(value, self.value_set(tuple(little)).ident)
        return f

    def prefix(self, cls, fld, base, known, ftype: str, own_length: bool) -> M.Field:
        """An address prefix: its length in bits (an earlier field's, or its own
        first byte), then the bytes they need."""
        size = M.ADDRESS_SIZES[ftype]
        if own_length:
            part = M.Field(name=f"{fld.name}_length", ident=lua_ident(f"{fld.name}_length"),
                           label=f"{fld.name} length", kind="int", ftype="uint8", base="DEC", size=1,
                           abbrev=self.claim_abbrev(f"{base['abbrev']}.length", location(cls, fld)))
            return M.Field(**base, kind="prefix", ftype=ftype, size=size, parts=(part,))
        word = fld.wordbytes
        if isinstance(word, bool) or not isinstance(word, int) or word < 1:
            raise GeneratorError(f"{location(cls, fld)}: {type(fld).__name__} wordbytes={word!r}: the generator "
                                 f"reads words of a positive number of bytes")
        length = self.expr_of(cls, fld, fld.length_from, known, "length_from")
        return M.Field(**base, kind="prefix", ftype=ftype, size=size, length=length, word=word)

    def tbcd(self, cls, fld, base, known) -> M.Field:
        """TBCDByteField: a StrFixedLenField's bytes, shown as the digits scapy makes of them."""
        try:
            size = fld.length_from(None)
        except Exception:  # length_from reads the packet
            length = self.expr_of(cls, fld, fld.length_from, known, "length_from")
            return M.Field(**base, kind="bytes", ftype="string", length=length, tbcd=True)
        if not isinstance(size, int):
            raise GeneratorError(f"{location(cls, fld)}: TBCDByteField needs a length")
        return M.Field(**base, kind="bytes", ftype="string", size=size, tbcd=True)

    def enum_names(self, cls, msg, fld, known, bits: int, signed: bool):
        """(enum, enum_by) of an integer field of ``bits`` bits: the names scapy shows for its values.

        ``known`` is None where no earlier field can choose the table (a list's
        elements, a bit run)."""
        if not isinstance(fld, sf._EnumField):
            return None, None
        where = location(cls, fld)
        if isinstance(fld, sf._MultiEnumField):
            if known is None:
                raise GeneratorError(f"{where}: a {type(fld).__name__} here (a bit run or a list's elements) "
                                     f"is not translated; its names depend on another field")
            return None, self.enum_choice(cls, msg, fld, known)
        hint = f"{msg.name}_{fld.name}"
        i2s, i2s_cb = getattr(fld, "i2s", None), getattr(fld, "i2s_cb", None)
        # scapy asks a non-empty table first, the function only without one
        if isinstance(i2s, dict) and (i2s or not i2s_cb):
            return self.enum_table(i2s, hint), None
        if not callable(i2s_cb):
            raise GeneratorError(f"{where}: enum names come from {type(i2s).__name__}; "
                                 f"give a dict of value -> name")
        names = _names_of_function(where, fld, bits, signed)
        return (self.enum_table(names, hint) if names else None), None

    def enum_choice(self, cls, msg, fld, known) -> M.EnumChoice:
        """scapy's MultiEnumField: a table per value of ``depends_on``."""
        where = location(cls, fld)
        selector = self.expr_of(cls, fld, fld.depends_on, known, "depends_on")
        if isinstance(selector, M.BOOLEAN_EXPRS):
            raise GeneratorError(f"{where}: depends_on gives a truth value; the generator picks a table by an "
                                 f"integer (write lambda pkt: pkt.<field>)")
        tables = []
        for key, names in fld.i2s_multi.items():
            if isinstance(key, bool) or not isinstance(key, int) or not isinstance(names, dict):
                raise GeneratorError(f"{where}: MultiEnumField table {key!r}: the generator reads integer keys, "
                                     f"each with a dict of value -> name")
            tables.append((key, self.enum_table(names, f"{msg.name}_{fld.name}_{key}")))
        # no table: every value shows as its number, as without an enum
        return M.EnumChoice(selector=selector, tables=tuple(sorted(tables, key=lambda t: t[0]))) if tables else None

    def address_field(self, cls, fld, base) -> M.Field:
        where = location(cls, fld)
        ftype = _address_ftype(fld)
        little = isinstance(fld, sf.LEMACField)
        if ftype == "guid":
            if type(fld).i2repr is not sf.UUIDField.i2repr:
                raise GeneratorError(f"{where}: {type(fld).__name__} shows its values its own way (names for "
                                     f"UUIDs, say); a Wireshark GUID item shows the UUID; use UUIDField")
            if fld.uuid_fmt == sf.UUIDField.FORMAT_REV:
                raise GeneratorError(f"{where}: UUIDField with uuid_fmt=FORMAT_REV (all 16 bytes reversed, as "
                                     f"Bluetooth LE writes them) has no Wireshark GUID encoding, and a Lua "
                                     f"dissector cannot give a GUID item a value of its own; use FORMAT_BE or "
                                     f"FORMAT_LE, or StrFixedLenField(length=16)")
            little = fld.uuid_fmt == sf.UUIDField.FORMAT_LE
        return M.Field(**base, kind="address", ftype=ftype, size=M.ADDRESS_SIZES[ftype], little_endian=little)

    def bit_len_field(self, cls, msg, fld, base, group, known) -> M.Field:
        """scapy's BitLenField: an unsigned big-endian integer of as many bits as
        length_from says. Whole bytes of them (``lambda pkt: pkt.length * 8``, SSH's
        Mpint), from a whole byte on, are its bytes; any other width is not translated."""
        where = location(cls, fld)
        bits = self.expr_of(cls, fld, fld.length_from, known, "length_from")
        in_bytes = next((side for side, other in ((bits.left, bits.right), (bits.right, bits.left))
                         if other == M.Const(8)), None) if isinstance(bits, M.Arith) and bits.op == "*" else None
        if group or in_bytes is None:
            raise GeneratorError(f"{where}: a BitLenField is translated only as whole bytes from a whole byte "
                                 f"(length_from a number of bytes times 8)")
        return M.Field(**base, kind="bytes", ftype="bytes", length=in_bytes, wide_int=True)

    def bit_field(self, cls, msg, fld, base, group, known) -> M.Field:
        """One field of a run of bit fields; the run's masks are set when it fills whole bytes."""
        where = location(cls, fld)
        if isinstance(fld, sf._ScalingField):
            raise GeneratorError(f"{where}: a BitScalingField (a scaled value in a bit run) is not translated; "
                                 f"use a ScalingField of whole bytes")
        lsb_first = _is_le_bit_field(fld)
        # scapy reverses a run's bytes when its first field is little-endian
        # (a negative size or tot_size) and says how many (tot_size)
        reversed_bytes = getattr(fld, "tot_size", 0) if not group and getattr(fld, "rev", False) else 0
        if group and lsb_first != (id(group[0][0]) in self.lsb_first_runs):
            raise GeneratorError(f"{where}: a bit run mixing LEBitField and other bit fields is not translated "
                                 f"(scapy cannot read it either)")
        if isinstance(fld, sf.FlagsField) and (lsb_first or reversed_bytes > 1 or
                                               group and group[0][0].little_endian):
            raise GeneratorError(f"{where}: flags in a little-endian bit run are not translated")
        # a BitMultiEnumField's table is chosen when its run is complete: the
        # selector may read a later member (802.11's subtype, by type)
        multi = isinstance(fld, sf._MultiEnumField)
        enum, _ = (None, None) if multi else self.enum_names(cls, msg, fld, None, fld.size, False)
        flags = self._flags(fld, base, where) if isinstance(fld, sf.FlagsField) else ()
        f = M.Field(**base, kind="int", enum=enum, group_end=False, group_start=False, flags=flags, bit_width=fld.size,
                    base="HEX" if isinstance(fld, (sf.XBitField, sf.FlagsField)) else "DEC")
        if multi:
            self.multi_enum_members[id(f)] = (f, fld)
        if lsb_first:
            self.lsb_first_runs[id(f)] = f
            f.little_endian = True
        elif reversed_bytes > 1:
            f.little_endian = True  # the run's first field says how scapy reads the run
            f.size = reversed_bytes
        group.append((f, fld.size))
        bits = sum(w for _, w in group)
        if bits % 8:
            return f
        size = bits // 8
        little = group[0][0].little_endian
        if little and not lsb_first and group[0][0].size != size:
            raise GeneratorError(f"{where}: a little-endian bit run of {size} bytes whose first field reverses "
                                 f"{group[0][0].size} (tot_size) is not translated")
        little = little or lsb_first
        if len(group) == 1 and size > 8 and not flags:
            # one integer wider than any ProtoField: its bytes
            group.clear()
            return M.Field(**{**base, "label": fld.name}, kind="bytes", ftype="bytes", size=size, wide_int=True)
        if size not in _RUN_SIZES and not little and not flags:
            # no integer of its bytes (7: a Lua number cannot hold every mask): each
            # member reads its own bits, as in a run whose members' presence varies
            _read_at_bit(where, [g for g, _ in group], self.multi_enum_members)  # (refused: the group stays)
            group.clear()
            return f
        if size not in _RUN_SIZES or little and size > 4:
            sizes = (1, 2, 3, 4) if little else _RUN_SIZES
            raise GeneratorError(f"{where}: a {'little-endian ' if little else ''}bit run of {size} bytes has no "
                                 f"ProtoField type; use {', '.join(map(str, sizes[:-1]))} or {sizes[-1]}")
        pos = 0
        for i, (g, width) in enumerate(group):
            # LEBitField: the first field holds the integer's lowest bits
            g.shift = pos if lsb_first else bits - pos - width
            g.little_endian = little
            g.mask = ((1 << width) - 1) << g.shift
            g.size = size
            g.ftype = M.INT_FTYPES[(size, False)]
            g.bit_offset, g.bit_width = bits - g.shift - width, width
            g.group_start = i == 0
            # a flag's mask was the bit in its field: now the bit in the run
            g.flags = tuple(dataclasses.replace(flag, mask=flag.mask << g.shift) for flag in g.flags)
            pos += width
        group[-1][0].group_end = True
        members = {g.name: g for g, _ in group}
        for i, (g, _) in enumerate(group):
            if id(g) in self.multi_enum_members:
                g.enum_by = self.enum_choice(cls, msg, self.multi_enum_members.pop(id(g))[1],
                                             {**known, **members})
                g.referenced = True
                used = _values_of(g.enum_by.selector) if g.enum_by else set()
                g.selector_reads = tuple(later for later, _ in group[i + 1:] if later.ident in used)
        group.clear()
        return f

    def flags_field(self, cls, msg, fld, base) -> M.Field:
        size = fld.size // 8
        return M.Field(**base, kind="int", ftype=M.INT_FTYPES[(size, False)], base="HEX", size=size,
                       little_endian=bool(getattr(fld, "rev", False)),
                       flags=self._flags(fld, base, location(cls, fld)))

    def _flags(self, fld, base: dict, where: str) -> tuple[M.Flag, ...]:
        """A FlagsField's named bits, each with its mask in the field's value."""
        names = fld.names
        items = sorted(names.items()) if isinstance(names, dict) else list(enumerate(names))
        abbrev = base["abbrev"]
        # a MultipleTypeField's alternative has a name of its own (<field>_2): so do its flags
        owner = fld.name if base["ident"] == lua_ident(fld.name) else base["ident"]
        flags, parts, idents = [], set(), set()
        for key, name in items:
            mask = int(key) if isinstance(names, dict) else 1 << key
            if not isinstance(names, dict) and name == f"bit_{key}":
                continue  # scapy's placeholder for a bit the layer did not name
            # layers repeat flag names (VXLAN's "R") or use none ("?"): the filter
            # name then says which bit, and a repeat gets _2, _3 in bit order
            part, ident = filter_part(str(name)), lua_ident(f"{owner}_{name}")
            if not part.strip("_"):
                part = f"bit{mask.bit_length() - 1}"
                ident = lua_ident(f"{owner}_{part}")
            part, ident = unique(part, parts), unique(ident, idents)
            flags.append(M.Flag(ident=ident, abbrev=self.claim_abbrev(f"{abbrev}.{part}", where),
                                label=str(name).strip() or part, mask=mask))
        return tuple(flags)

    def _elements(self, cls, fld) -> tuple[str | None, M.ClassChoice | None]:
        """What a PacketField or PacketListField holds: (its message, None), or
        (None, the choice) when scapy chooses each element's class from its bytes."""
        chooser = fld.cls
        if isinstance(chooser, type) and issubclass(chooser, Packet) and not _dispatches(chooser):
            return self.message(chooser, sub_only=True).ident, None
        name = getattr(chooser, "__qualname__", None) or repr(chooser)
        if chooser is None or not callable(chooser):
            raise GeneratorError(f"{location(cls, fld)}: its packets' class is chosen by {name}, not given; "
                                 f"the generator needs a Packet class or a class-choosing function here")
        learned = learned_choice(fld)
        if learned is not None and not learned.classes:
            raise GeneratorError(f"{location(cls, fld)}: its packets' class is chosen by {name}, which gave no "
                                 f"Packet class for any probe; give a Packet class")
        if learned is None:
            raise GeneratorError(f"{location(cls, fld)}: its packets' class is chosen by {name} from bytes no "
                                 f"key of 1 or 2 bytes within the first four explains; give a Packet class")
        return None, self.class_choice(learned)

    def class_choice(self, learned, sub_only: bool = True, least: int = 0) -> M.ClassChoice:
        """The model of a choice probing learned; its classes become messages.
        ``least``: a keyless choice's fewest bytes (fewer: scapy's Raw)."""
        ident = lambda c: self.message(c, sub_only=sub_only).ident if c is not None else None  # noqa: E731
        short = None if least else ident(learned.short)
        shape = dict(offset=learned.offset, size=learned.size, entries=tuple((k, ident(c)) for k, c in learned.table),
                     default=ident(learned.default), short=short, least=least)
        for known in self.choices:  # the same choice twice (a class as a list's and on its own): one table
            if known == M.ClassChoice(ident=known.ident, **shape):
                return known
        choice = M.ClassChoice(ident=f"choice_{len(self.choices) + 1}", **shape)
        self.choices.append(choice)
        return choice

    def top_choice(self, cls) -> None:
        """A class with a dispatch_hook, dissected on its own, becomes the class
        scapy's hook chooses for the bytes; left as it is when probing finds no key."""
        if not _dispatches(cls) or self.messages[cls].choose is not None or self.messages[cls].unsure is not None:
            return
        if cls not in _LEARNED:
            _LEARNED[cls] = learn(class_picker(cls))
        learned = _LEARNED[cls]
        if learned is None:
            # the hook chooses by more than a small key (Dot11Encrypted's byte arithmetic, TLS's
            # versions): the class itself is decoded, and an expert says scapy may make another
            reason = (f"{cls.__name__}.dispatch_hook: chooses the class from the bytes by code no key of 1 or 2 "
                      f"bytes within the first 4 explains; not translated")
            if self.strict:
                raise GeneratorError(reason)
            msg = self.messages[cls]
            msg.unsure = f"{reason}: decoded as {cls.__name__}, scapy may choose another class"
            msg.unsure_abbrev = self.claim_abbrev(unique(f"{msg.abbrev}.class_unsure", set(self.abbrevs)),
                                                  cls.__name__)
            return
        if learned.size:
            self.messages[cls].choose = self.class_choice(learned, sub_only=False)
        elif learned.default not in (None, cls):
            # the hook always chooses another class (its registry empty at generation
            # time, as scapy's is when nothing registered): that class, from the
            # bytes it needs, fewer being scapy's Raw
            least = least_bytes(class_picker(cls), learned.default)
            self.messages[cls].choose = self.class_choice(learned, sub_only=False, least=least)

    def packet_list(self, cls, msg, fld, base, known) -> M.Field:
        if getattr(fld, "next_cls_cb", None) is not None:
            # scapy asks it before each element whether one follows, and of which
            # class: reading on regardless would decode elements scapy does not see
            raise GeneratorError(f"{location(cls, fld)}: next_cls_cb (a function choosing whether and which element "
                                 f"follows) is not translated; use count_from, length_from or a class-choosing "
                                 f"function of the element's bytes")
        sub, choose = self._elements(cls, fld)
        count = length = None
        if fld.count_from is not None:
            count = self.expr_of(cls, fld, fld.count_from, known, "count_from")
        elif fld.length_from is not None:
            length = self.expr_of(cls, fld, fld.length_from, known, "length_from")
        # counted elements are read one after another, each taking its own size, as scapy reads them
        return M.Field(**base, kind="packet_list", sub=sub, choose=choose, count=count, length=length,
                       rest=count is None and length is None, takes_rest=self._keep_rest(sub, choose))

    def _keep_rest(self, sub: str | None, choose: M.ClassChoice | None) -> bool:
        """True when the element class (every class a choice may make) keeps what
        follows its fields as its payload (scapy's default extract_padding)."""
        idents = choose.messages if choose else [sub]
        return bool(idents) and all(_keeps_rest(self.class_of[i]) for i in idents)

    def field_list(self, cls, msg, fld, base, known) -> M.Field:
        # scapy reads count_from elements, or elements to the end of length_from's
        # bytes, or to the end of the message (a later field then reads nothing)
        count = length = None
        if fld.count_from is not None:
            count = self.expr_of(cls, fld, fld.count_from, known, "count_from")
        elif fld.length_from is not None:
            length = self.expr_of(cls, fld, fld.length_from, known, "length_from")
        shape_of_list = dict(count=count, length=length, rest=count is None and length is None)
        inner = fld.field
        shape = dict(name=fld.name, ident=lua_ident(fld.name), abbrev=base["abbrev"], label=fld.name)
        if _address_ftype(inner):
            if not _scapy_wire(inner):
                raise GeneratorError(f"{location(cls, fld)}: its elements' {type(inner).__name__} overrides how "
                                     f"scapy reads or writes them, so the generator cannot know their wire format; "
                                     f"use a plain scapy field")
            element = self.address_field(cls, inner, shape)
            if element.ftype == "guid" or element.little_endian:
                raise GeneratorError(f"{location(cls, fld)}: a FieldListField of {type(inner).__name__} is not "
                                     f"translated; its elements may be IP/IP6/MAC address fields")
            return M.Field(**base, kind="address_list", **shape_of_list, element=element, ftype=element.ftype)
        if type(inner) in (sf.StrFixedLenField, sf.XStrFixedLenField) and isinstance(getattr(inner, "sz", None), int) \
                and inner.sz > 0:
            element = M.Field(**shape, kind="bytes", ftype="bytes", size=inner.sz)
            return M.Field(**base, kind="bytes_list", **shape_of_list, element=element)
        if isinstance(inner, _NOT_INTEGERS) or not _scapy_wire(inner):
            # a StrField's fmt ("H") would pass for an integer's
            raise GeneratorError(f"{location(cls, fld)}: a FieldListField of {type(inner).__name__} is not "
                                 f"supported; its elements may be plain integer or IP/IP6/MAC address fields, "
                                 f"or StrFixedLenField(length=...)")
        if isinstance(inner, sf._ScalingField):
            raise GeneratorError(f"{location(cls, fld)}: a FieldListField of ScalingField is not translated; "
                                 f"its elements may be plain integer or IP/IP6/MAC address fields")
        if isinstance(inner, sf._BitField):
            # a bit field of whole bytes is an integer of them (mspac's FlagsField of -32: little-endian);
            # its fmt is Field's default, not its own
            size = inner.size // 8
            if inner.size % 8 or (size, False) not in M.INT_FTYPES:
                raise GeneratorError(f"{location(cls, fld)}: a FieldListField of {inner.size}-bit fields is not "
                                     f"translated; its elements may be whole bytes (1 to 8)")
            element = M.Field(**shape, kind="int", ftype=M.INT_FTYPES[(size, False)],
                              base="HEX" if isinstance(inner, sf.FlagsField) else "DEC", size=size,
                              little_endian=bool(getattr(inner, "rev", False)))
        else:
            element = self.int_field(cls, msg, inner, shape)
        return M.Field(**base, kind="int_list", **shape_of_list, element=element, ftype=element.ftype,
                       base=element.base, enum=element.enum, size=None)

    def ndr_conf_var(self, cls, msg, fld, base) -> M.Field:
        parts = tuple(
            M.Field(name=p, ident=lua_ident(f"{fld.name}_{p}"), label=p, kind="int", ftype="uint32",
                    base="DEC", size=4, little_endian=True,
                    abbrev=self.claim_abbrev(f"{base['abbrev']}.{p}", location(cls, fld)))
            for p in ("max_count", "offset", "actual_count")
        )
        where = location(cls, fld)
        if fld.conformant_in_struct:
            raise GeneratorError(f"{where}: an NDR conformant array whose max_count is a field of the structure "
                                 f"(conformant_in_struct) is not translated")
        null = isinstance(fld, sf.StrNullField)
        utf16 = isinstance(fld, sf.StrNullFieldUtf16) if null else \
            isinstance(fld, sf.StrLenFieldUtf16) and not fld.ON_WIRE_SIZE_UTF16
        payload = self.carried.get((cls, fld.name))
        return M.Field(**base, kind="ndr_conf_var", ftype="bytes", align_before=4, parts=parts,
                       payload=payload, char_size=2 if utf16 else 1, null_terminated=null)

    def ndr_array(self, cls, msg, fld, known, base) -> M.Field:
        """NDR conformant arrays (C706 14.3.3.2, 14.3.3.4): max_count (4 bytes,
        aligned to 4), for a varying one offset and actual_count, then the
        elements: structures (NDRConf(Var)PacketListField), integers
        (NDRConf(Var)FieldListField) or bytes (NDRConfStrLenField, UTF-16 code
        units for its Utf16 form). scapy counts them by size_is (by
        actual_count when varying), not by max_count: so do the dissectors."""
        where = location(cls, fld)
        name = type(fld).__name__
        varying = isinstance(fld, sd._NDRVarField)
        if fld.conformant_in_struct:
            return self.ndr_struct_array(cls, msg, fld, known, base)
        header = tuple(
            M.Field(name=p, ident=lua_ident(f"{fld.name}_{p}"), label=p, kind="int", ftype="uint32",
                    base="DEC", size=4, little_endian=True, align_before=4, referenced=p == "actual_count",
                    abbrev=self.claim_abbrev(f"{base['abbrev']}.{p}", where))
            for p in (("max_count", "offset", "actual_count") if varying else ("max_count",)))
        counted_by = fld.length_from if isinstance(fld, sf.StrLenField) else fld.count_from
        if varying:
            # scapy's own count: lambda pkt: pkt.actual_count (the NDRVaryingArray it reads into), or
            # with length_is, lambda pkt: _length_is(pkt.underlayer) or pkt.actual_count
            count = M.Value(header[-1].ident)
            names = getattr(getattr(counted_by, "__code__", None), "co_freevars", ())
            if "_length_is" in names:
                length_is = counted_by.__closure__[names.index("_length_is")].cell_contents
                given = self.expr_of(cls, fld, length_is, known, "length_is")
                count = M.IfElse(M.Compare("~=", given, M.Const(0)), given, count)
        elif counted_by is None:
            raise GeneratorError(f"{where}: {name} without size_is (scapy then reads no element, or every "
                                 f"byte left) is not translated")
        else:
            count = self.expr_of(cls, fld, counted_by, known, "size_is")
        shape = dict(name=fld.name, ident=base["ident"], abbrev=base["abbrev"], label=fld.name)
        if isinstance(fld, sd._NDRPacketListField):
            if fld.ptr_lvl:
                raise GeneratorError(f"{where}: an NDR array of pointers to structures is not translated")
            element = fld.fld.fld.cls
            if element.DEPORTED_CONFORMANTS:
                raise GeneratorError(f"{where}: an NDR array of conformant structures is not translated")
            sub = self.message(element, sub_only=True)
            split = _defers(element.fields_desc)
            if split:
                if sub.undecoded is not None or not sub.pointees_read:
                    raise GeneratorError(f"{where}: an NDR array of {element.__name__}, whose embedded pointers' "
                                         f"pointees follow the whole array (C706 14.3.12.3), and {element.__name__} "
                                         f"is not decoded whole")
                if not fld.handles_deferred:
                    raise GeneratorError(f"{where}: an NDR array whose elements' pointees follow the structure "
                                         f"enclosing it (C706 14.3.12.3) is not translated")
                sub.split_pointees = True
            elements = M.Field(**shape, kind="packet_list", sub=sub.ident, count=count,
                               element_align=element.ALIGNMENT[0], deferred_elements=split)
        elif isinstance(fld, sd.NDRFieldListField):
            inner = fld.field
            if not isinstance(inner, sd._NDRField) or isinstance(inner, sd.NDRInt3264Field):
                raise GeneratorError(f"{where}: an NDR array of {type(inner).__name__} is not translated; its "
                                     f"elements may be NDR integers")
            size = _INT_SIZES[inner.FMT]
            signed = isinstance(inner, (sd.NDRSignedIntField, sd.NDRSignedShortField, sd.NDRSignedLongField))
            item = M.Field(**shape, kind="int", ftype=M.INT_FTYPES[(size, signed)], base="DEC", size=size,
                           little_endian=True, signed=signed)
            # the header ends aligned to 4: only 8-byte elements may need padding
            elements = M.Field(**shape, kind="int_list", count=count, element=item, ftype=item.ftype,
                               base=item.base, align_before=size)
        else:
            utf16 = isinstance(fld, sf.StrLenFieldUtf16) and not fld.ON_WIRE_SIZE_UTF16
            elements = M.Field(**shape, kind="bytes", ftype="bytes",
                               length=M.Arith("*", count, M.Const(2)) if utf16 else count)
        return M.Field(**base, kind="ndr_array", members=(*header, elements))

    def ndr_split(self, cls, msg, fld, base) -> M.Field:
        """An NDR structure whose embedded pointers' pointees scapy reads at the end of the structure
        holding it (C706 14.3.12.3: UNICODE_STRING in a structure): its fields in place, its pointees
        where the holder's own deferred pointees are, in field order."""
        where = location(cls, fld)
        inner = fld.fld.cls
        if fld.DEPORTED_CONFORMANTS:
            raise GeneratorError(f"{where}: a conformant NDR structure whose pointees follow the structure "
                                 f"enclosing it is not translated")
        sub = self.message(inner, sub_only=True)
        if sub.undecoded is not None or not sub.pointees_read:
            raise GeneratorError(f"{where}: NDR structure {inner.__name__} has embedded pointers whose pointees "
                                 f"follow the structure enclosing it (C706 14.3.12.3), and {inner.__name__} is "
                                 f"not decoded whole")
        sub.split_pointees = True
        struct = M.Field(**base, kind="packet", sub=sub.ident, align_before=4, split=True)
        pointees = M.Field(name=fld.name, ident=lua_ident(f"{fld.name}_pointees"), label=f"{fld.name} pointees",
                           kind="ndr_pointees", sub=sub.ident, at=struct.ident, deferred=True,
                           abbrev=self.claim_abbrev(f"{base['abbrev']}.pointees", where))
        return M.Field(**base, kind="ndr_split", members=(struct, pointees), align_before=4)

    def ndr_struct_array(self, cls, msg, fld, known, base) -> M.Field:
        """The conformant array of a conformant structure (C706 14.3.7.1): its max_count precedes the
        structure (the structure's NDRPacketField reads it); here only its integer elements, aligned to
        the structure's alignment, counted by size_is."""
        where = location(cls, fld)
        if not isinstance(fld, sd.NDRFieldListField) or isinstance(fld, sd._NDRVarField) \
                or not isinstance(fld.field, sd._NDRField) or isinstance(fld.field, sd.NDRInt3264Field):
            raise GeneratorError(f"{where}: an NDR conformant array whose max_count precedes the structure "
                                 f"(conformant_in_struct) is translated for NDR integers only")
        if fld.count_from is None:
            raise GeneratorError(f"{where}: {type(fld).__name__} without size_is is not translated")
        count = self.expr_of(cls, fld, fld.count_from, known, "size_is")
        inner = fld.field
        size = _INT_SIZES[inner.FMT]
        signed = isinstance(inner, (sd.NDRSignedIntField, sd.NDRSignedShortField, sd.NDRSignedLongField))
        shape = dict(name=fld.name, ident=base["ident"], abbrev=base["abbrev"], label=fld.name)
        item = M.Field(**shape, kind="int", ftype=M.INT_FTYPES[(size, signed)], base="DEC", size=size,
                       little_endian=True, signed=signed)
        return M.Field(**base, kind="int_list", count=count, element=item, ftype=item.ftype, base=item.base,
                       align_before=max(cls.ALIGNMENT[0], size))

    def ndr_conformant_struct(self, cls, msg, fld, base) -> M.Field:
        """An NDRPacketField of a conformant structure (DEPORTED_CONFORMANTS, C706 14.3.7.1): the
        max_count of its conformant array (4 bytes, aligned to 4), then the structure."""
        where = location(cls, fld)
        inner = fld.fld.cls
        if len(fld.DEPORTED_CONFORMANTS) != 1:
            raise GeneratorError(f"{where}: an NDR structure with {len(fld.DEPORTED_CONFORMANTS)} conformant "
                                 f"arrays is not translated")
        max_count = M.Field(name="max_count", ident=lua_ident(f"{fld.name}_max_count"), label="max_count",
                            kind="int", ftype="uint32", base="DEC", size=4, little_endian=True, align_before=4,
                            abbrev=self.claim_abbrev(f"{base['abbrev']}.max_count", where))
        sub = self.message(inner, sub_only=True)
        struct = M.Field(**base, kind="packet", sub=sub.ident, size=sub.fixed_size,
                         align_before=inner.ALIGNMENT[0] if inner.ALIGNMENT[0] > 1 else None)
        return M.Field(**base, kind="ndr_struct", members=(max_count, struct))

    def ndr_pointer(self, cls, msg, fld, known, group, base, name: str) -> M.Field:
        """NDRFullPointerField: a 4-byte referent id (aligned to 4), then its
        pointee when the id is not 0; an embedded pointer's (NDRFullEmbPointerField,
        NDRRefEmbPointerField) after the other fields of its structure."""
        where = location(cls, fld)
        if isinstance(fld.fld, sd.NDRFullPointerField):
            raise GeneratorError(f"{where}: a pointer to a pointer is not translated")
        referent = M.Field(name="referent_id", ident=lua_ident(f"{name}_referent_id"), label="referent_id",
                           kind="int", ftype="uint32", base="HEX", size=4, little_endian=True, align_before=4,
                           referenced=True,
                           abbrev=self.claim_abbrev(f"{base['abbrev']}.referent_id", where))
        # the pointee is the field scapy names: its filter name is the pointer's
        del self.abbrevs[base["abbrev"]]
        pointee = self.plain_field(cls, msg, fld.fld, known, True, group, name=name)
        if pointee.kind in ("ndr_pointer", "choice", "undecoded") or pointee.payload:
            raise GeneratorError(f"{where}: a pointer to {pointee.kind} is not translated")
        # an embedded reference pointer's pointee is there whatever its id
        _set_condition(pointee, None if fld.EMBEDDED_REF else M.Compare("~=", M.Value(referent.ident), M.Const(0)))
        referent.referenced = not fld.EMBEDDED_REF
        for f in (pointee, *pointee.members):
            f.deferred = fld.EMBEDDED
        return M.Field(**base, kind="ndr_pointer", members=(referent, pointee))
