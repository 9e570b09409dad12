"""What scapy decodes, flattened into the same items the generated Lua shows.

Walks a class's ``fields_desc`` over the original bytes with scapy's own
``getfield`` (so every length, condition and bit run is scapy's decision) and
names each value with the model's filter names. Offsets are relative to the
start of the message.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from scapy import fields as sf
from scapy.config import conf
from scapy.layers import dcerpc as sd
from scapy.layers.dcerpc import _NDRPacket
from scapy.layers.dns import DNSCompressedPacket
from scapy.packet import Packet

from .. import model as M


@dataclass(frozen=True)
class ScapyItem:
    name: str  # filter name
    value: int | float | str  # int, a scaled field's number (scaled_value), or hex of the raw bytes
    offset: int
    size: int


def scaled_value(x, ndigits: int | None) -> int | float:
    """A scaled field's value as both sides are compared: rounded to the
    field's decimals and to the 15 significant digits every Wireshark shows
    (4.6 shows the shortest exact form, 4.0 and 4.4 ``%.15g``); an integral
    value as an int (scapy's int 40 is Wireshark's double 40)."""
    v = float(format(round(float(x), ndigits or 0), ".15g"))
    return int(v) if v.is_integer() else v


def _wire_number(val, sfld, pkt) -> int:
    """An integer field's value as the dissector reads it: scapy's own value when it
    is a number, else (a MultiFlagsField's set of flag names) the field's machine value."""
    if hasattr(val, "__int__") or sfld is None:
        return int(val)
    return int(sfld.i2m(pkt, val))


def _aligned(offset: int, base: int, align: int) -> int:
    """``offset`` (from the message's start, which is ``base`` from the NDR stream's) moved to ``align``."""
    return offset + (-(base + offset)) % align


def _remaining(s) -> int:
    return len(s[0]) if isinstance(s, tuple) else len(s)


def _chosen(fld, mf: M.Field, pkt) -> M.Field:
    """The alternative of a MultipleTypeField scapy read, as the model names it."""
    inner = fld.fld if isinstance(fld, sf.ConditionalField) else fld
    used = inner._find_fld_pkt(pkt)
    return mf.alternatives[next((i for i, (sub, _) in enumerate(inner.flds) if sub is used), -1)]


def _inner(fld):
    """The field a wrapper (ConditionalField, PadField, a configured wrapper) reads through."""
    while not isinstance(fld, (sf.StrField, sf.PacketField, sf.PacketListField, sf.FieldListField)) \
            and isinstance(getattr(fld, "fld", None), sf.Field):
        fld = fld.fld
    return fld


def _union_arm(union, mf: M.Field, pkt, tag: int) -> tuple[M.Field, sf.Field]:
    """The model's arm of an NDR union that scapy's conditions choose for ``tag``
    (its alternatives: the tag, each arm in scapy's order, the default), and scapy's."""
    used, _ = union._find_fld_pkt_val(pkt, sd.NDRUnion(tag=tag))
    arms = [sub for sub, _ in union.flds]
    return mf.alternatives[1 + next((i for i, sub in enumerate(arms) if sub is used), len(arms))], used


def _paired(scapy_fields, fields: list[M.Field]):
    """(scapy field, its model field) in order; a guard (pkt.underlayer) has no scapy field of its own."""
    scapy_fields = iter(scapy_fields)
    for mf in fields:
        if mf.under:
            yield None, mf
            continue
        fld = next(scapy_fields, None)
        if fld is None:
            return
        yield fld, mf


def _stringz_size(raw: bytes, char_size: int) -> int:
    """Bytes a NUL-terminated string takes from ``raw`` as scapy's StrNullField
    reads it: to its NUL element at a multiple of ``char_size``, with it; with no
    NUL, all of them."""
    nul = b"\0" * char_size
    for k in range(0, len(raw) - char_size + 1, char_size):
        if raw[k:k + char_size] == nul:
            return k + char_size
    return len(raw)


def _inner_ndr(fld):
    """The NDR array a ConditionalField holds."""
    while isinstance(fld, sf.ConditionalField):
        fld = fld.fld
    return fld


def _may_end(fld) -> bool:
    """True when scapy's do_dissect stops after ``fld`` once no bytes are left (MayEnd,
    around a ConditionalField or inside one that held)."""
    return bool(getattr(fld, "ismayend", False)
                or isinstance(fld, sf.ConditionalField) and getattr(fld.fld, "ismayend", False))


class _NameRoot(DNSCompressedPacket):
    """Stands for the message DNS compression pointers point into while a
    name of a message in it is walked: scapy's DNSStrField finds it as the
    walked packet's parent, as it finds the real one."""

    fields_desc = []

    def get_full(self):
        return self.full


def dns_name_text(name: bytes) -> str:
    """A DNS name as the dissector's string item shows it: printable ASCII as
    it is, every other byte and the backslash as \\xNN."""
    return "".join(chr(b) if 0x20 <= b <= 0x7E and b != 0x5C else f"\\x{b:02x}" for b in name)


def _dns_name_cut(span: bytes, fqdn: bool) -> bool:
    """True when the name in its own bytes ``span`` is cut short (scapy reads
    what there is without a word): a label or a pointer past the end, or no 0
    label (gtp's FQDNField has none)."""
    p = 0
    while p < len(span):
        c = span[p]
        p += 1
        if c & 0xC0:
            return p >= len(span)
        if c == 0:
            return False
        if p + c > len(span):
            return True
        p += c
    return not fqdn


def _short(fld, mf: M.Field, pkt: Packet, val, start: int, available: int) -> bool:
    """True when scapy read the field short without a word: a length that
    overruns the bytes left (scapy slices what there is) or a counted list that
    ran out of bytes first. Wireshark's dissector says ``truncated`` there."""
    inner = _inner(fld)
    if mf.kind == "bytes_list" and any(len(v) < mf.element.size for v in val or []):
        return True  # the last string cut short
    if mf.kind in ("packet_list", "int_list", "address_list", "bytes_list") and mf.count is not None:
        wanted = inner.count_from(pkt)
        got = len(val or [])
        if mf.takes_rest and got:
            return False  # the first element took the rest as its payload: the list ends there
        return isinstance(wanted, int) and got < wanted
    if mf.kind == "int" and mf.mask and mf.group_end and mf.little_endian and mf.size > available:
        return True  # scapy's LEBitField reads the bytes there are, without a word
    if type(inner).__name__ == "ExtraDataField":  # pfcp: up to the IE's end, its length from its header on
        return pkt.length + 4 - start > len(pkt.original)
    if mf.kind == "prefix":  # only one with its own length byte reads short (scapy fails on the others)
        return bool(mf.parts) and 1 + (pkt.original[start] + 7) // 8 > available
    if mf.kind == "dns_name":
        wanted = inner.length_from(pkt) if inner.length_from else available
        if isinstance(wanted, int) and wanted > available:
            return True
        rest = pkt.original[start:]
        return _dns_name_cut(rest[:wanted] if inner.length_from else rest, mf.fqdn)
    if mf.length is not None or (mf.kind == "bytes" and mf.size is not None):
        wanted = inner.length_from(pkt) if getattr(inner, "length_from", None) else mf.size
        if isinstance(inner, sf.BitLenField) and isinstance(wanted, int):
            wanted = (wanted + 7) // 8  # its length_from counts bits
        return isinstance(wanted, int) and wanted > available
    return False


# --- ASN.1 packets: BER as scapy's codec reads it (the dissectors' BER reader, in Python)

class _BerFail(Exception):
    pass


def _ber_id(buf: bytes, pos: int, limit: int):
    """(identifier as scapy's BER_id_dec composes it, where it ends), or None where scapy raises."""
    if pos >= limit:
        return None
    x = buf[pos]
    if x & 0x1F != 0x1F:
        return x, pos + 1
    v, p = x >> 5, pos + 1
    for _ in range(34):
        if p >= limit:
            return None
        c = buf[p]
        v, p = (v << 7) | (c & 0x7F), p + 1
        if not c & 0x80:
            return (v if v < 2 ** 53 else -1), p
    return None


def _ber_len(buf: bytes, pos: int, limit: int):
    if pos >= limit:
        return None
    n = buf[pos]
    if not n & 0x80:
        return n, pos + 1
    n &= 0x7F
    if limit - pos <= n:
        return None
    return int.from_bytes(buf[pos + 1:pos + 1 + n], "big"), pos + 1 + n


def _ber_oid(content: bytes) -> str | None:
    """BERcodec_OID's dotted text; None where it raises."""
    parts, p = [], 0
    while p < len(content):
        v, i = 0, 0
        while True:
            if p >= len(content) or i > 33:
                return None
            c = content[p]
            v, p, i = (v << 7) | (c & 0x7F), p + 1, i + 1
            if not c & 0x80:
                break
        parts.append(v)
    if parts:
        parts[:1] = [parts[0] // 40, parts[0] % 40]
    return ".".join(map(str, parts))


def ber_bits(content_hex: str) -> str:
    """A BIT STRING's bits as scapy shows them, from the bytes of its value (the unused-bits count first)."""
    content = bytes.fromhex(content_hex)
    bits = "".join(format(b, "08b") for b in content[1:])
    return bits[:-content[0]] if content and content[0] else bits


_ABSENT = object()


def _value_item(n: M.BerNode) -> M.Field | None:
    """The item naming the scapy field that holds an element's value (a list's and a CHOICE's are
    their members')."""
    if n.kind in ("seq_of", "choice"):
        return _value_item(n.members[0])
    return n.item


def _scapy_value(val):
    """An ASN.1 object's value (ASN1_INTEGER(5) -> 5); anything else as it is."""
    return getattr(val, "val", val)


class _Walker:
    def __init__(self, proto: M.Protocol, classes: dict[str, type]) -> None:
        self.proto = proto
        self.classes = classes  # Message.ident -> scapy class
        self.idents = {c: i for i, c in classes.items()}
        self.truncated: set[str] = set()  # filter names of the messages scapy read short
        self.ber_depth = 0  # ASN.1 packets nested, as the BER reader counts them
        # an implicitly tagged packet's (position from the outermost message, identifier read there)
        self.retag: tuple[int, int] | None = None
        self.roots: list[bytes] = []  # the bytes pointers point into, of the messages with a name_root being walked
        # where the dissector stops in the NDR array last laid out, from the NDR stream's start, when it
        # stops before scapy's end (an element scapy read as Raw); else None
        self.stopped_at: int | None = None

    def _ber_ident(self, buf: bytes, pos: int, limit: int, base: int):
        if self.retag is not None and self.retag[0] == base + pos:
            return self.retag[1], pos + 1
        return _ber_id(buf, pos, limit)

    def walk(self, msg: M.Message, cls: type[Packet], buf: bytes, base: int = 0,
             dissected: Packet | None = None, defer_to: list | None = None) -> tuple[list[ScapyItem], int, bool]:
        if msg.name_root is None:
            return self._walk(msg, cls, buf, base, dissected, defer_to)
        self.roots.append(buf[msg.name_root:])
        try:
            return self._walk(msg, cls, buf, base, dissected, defer_to)
        finally:
            self.roots.pop()

    def _walk(self, msg: M.Message, cls: type[Packet], buf: bytes, base: int = 0,
              dissected: Packet | None = None, defer_to: list | None = None) -> tuple[list[ScapyItem], int, bool]:
        """Items of one message; returns (items, bytes consumed, complete?).

        Offsets and sizes come from walking the bytes; integer values from the
        packet scapy really dissected (``dissected``) when there is one, so
        anything scapy does after getfield (post_dissect) counts too. A value
        that cannot be laid out raises ValueError naming ``Class.field``.
        Not complete: a field scapy could not read (its own dissection gives
        up on the message there), or read short (see ``_short``); the message
        is then in ``truncated``. ``defer_to``: where an NDR array's element
        leaves the pointees of its embedded pointers, which follow the array.
        """
        if msg.fields and msg.fields[0].kind == "ber":
            return self._walk_ber(msg, buf, base, dissected)
        pkt = cls()
        pkt.fields = {}
        pkt.underlayer = dissected.underlayer if dissected is not None else None  # pkt.underlayer.<field>
        pkt.original = buf  # what scapy gave the packet: a field may measure itself by it (pfcp's ExtraDataField)
        if isinstance(pkt, _NDRPacket):
            # NDR aligns from the stream's start, which scapy finds from the length of
            # the bytes the outermost NDR packet was given: bytes up to this message's end
            pkt.original = b"\0" * (base + len(buf))
        s = buf
        items: list[ScapyItem] = []
        run_start, run_items = None, 0
        waiting = []  # (field, model field) of a bit run's members whose values its last field gives
        complete = True
        deferred = []  # (pointee, the pointer scapy dissected) of each embedded pointer with a pointee to read
        for fld, mf in _paired(cls.fields_desc, msg.fields):
            start = len(buf) - _remaining(s)
            if mf.kind == "undecoded" and mf.under and self._handed_down(msg, mf, dissected):
                continue  # a guard: the message below handed the fields after it what they read
            if mf.kind == "undecoded":
                # where the dissector stops decoding (when bytes are left); what follows is not compared
                rest = [ScapyItem(mf.abbrev, "", base + start, len(buf) - start)] if start < len(buf) else []
                return items + rest, len(buf), complete
            if mf.kind == "virtual":
                continue  # no bytes: a conformant structure's max_count, read before the structure
            if mf.kind == "int" and mf.group_start:
                run_start, run_items = start, len(items)
            if mf.kind == "dns_name" and self.roots:
                pkt.parent = _NameRoot()
                pkt.parent.full = self.roots[-1]
            try:
                s, val = fld.getfield(pkt, s)
            except sf.MaximumItemsCount:
                # scapy gives up on a message with a list longer than conf.max_list_count, a limit
                # of its own the dissectors do not copy: nothing from the list on is compared
                items.append(ScapyItem(limit_name(self.proto), "", base + start, len(buf) - start))
                return items, len(buf), True
            except Exception:
                self.truncated.add(msg.abbrev)
                if mf.kind == "int" and mf.mask:  # the dissector reads a bit run whole or not at all
                    del items[run_items:]
                    return items, run_start, False
                if mf.kind == "choice" and isinstance(fld, sd._NDRUnionField):
                    return self._cut_union(fld, mf, items, buf, start, base, pkt)
                arm = _chosen(fld, mf, pkt) if mf.kind == "choice" else mf
                if arm.kind == "packet" and arm.sub and not arm.choose and arm.size is None and not arm.length \
                        and not arm.align_before and not arm.split:
                    # a sub-packet of its own size scapy gave up in: as far as it read, as the dissector shows it
                    return self._cut_packet(arm, items, buf, start, base)
                consumed = len(buf) - _remaining(s)
                if mf.align_before or mf.kind == "ndr_pointer":  # the dissector aligns before it finds the end
                    consumed = min(_aligned(start, base, mf.align_before or 4), len(buf))
                if mf.kind == "ndr_pointer":
                    consumed, more = self._cut_pointer(mf, buf, consumed, base, pkt, fld)
                    items.extend(more)
                elif mf.kind in ("ndr_array", "ndr_struct"):
                    consumed, more = self._cut_pointee(mf, buf, start, base, pkt, fld)
                    items.extend(more)
                elif mf.kind in ("packet", "ndr_split") and mf.align_before:  # an NDR structure: as much as there is
                    consumed, more = self._cut_pointee(mf, buf, consumed, base)
                    items.extend(more)
                return items, consumed, False
            if mf.align_before:
                start = _aligned(start, base, mf.align_before)
            if isinstance(fld, sf.ConditionalField) and val is None:
                continue
            union = fld.fld if isinstance(fld, sf.ConditionalField) else fld
            union = union if mf.kind == "choice" and isinstance(union, sd._NDRUnionField) else None
            if mf.kind == "choice" and union is None:
                mf = _chosen(fld, mf, pkt)
            if mf.kind == "int" and mf.mask and not mf.group_end and val is None:
                # an LEBitField: the run's last field sets every member's value
                waiting.append((fld, mf))
                continue
            pkt.fields[fld.name] = val
            if _short(fld, mf, pkt, val, start, len(buf) - start):
                complete = False
                if mf.kind == "int" and mf.mask or mf.wide_int:
                    # an LEBitField run cut short (scapy reads the bytes there are): the dissector reads none of it
                    self.truncated.add(msg.abbrev)
                    del items[run_items if mf.mask else len(items):]
                    return items, run_start if mf.mask else start, False
            if dissected is not None and fld.name in dissected.fields and dissected.fields[fld.name] is not None:
                val = dissected.fields[fld.name]
            if mf.converted and mf.kind == "bytes":
                # scapy's value is its own conversion: the bytes the field read (not PadField's padding)
                read_end = len(buf) - _remaining(s)
                left, _ = _inner(fld).getfield(pkt, buf[start:read_end])
                val = buf[start:read_end - _remaining(left)]
            if union is not None:  # its tag, then the arm the tag chose, read after it
                tag = mf.alternatives[0]
                at = _aligned(start, base, tag.align_before or 1)
                items.append(ScapyItem(tag.abbrev, int(val.tag), base + at, tag.size))
                mf, arm = _union_arm(union, mf, pkt, val.tag)
                start, val = at + tag.size, val.value
            if mf.kind == "ndr_pointer" and mf.members[1].deferred and val is not None:
                deferred.append((mf.members[1], val, (arm if union is not None else fld).fld, pkt))
            nested = [] if mf.kind == "ndr_split" else None
            self.stopped_at = None
            end = len(buf) - _remaining(s)
            if mf.bit_cursor and isinstance(s, tuple):
                end += 1  # its item holds the byte its last bits share with what follows
            try:
                for earlier, emf in waiting if mf.group_end else ():
                    value = (dissected or pkt).fields.get(earlier.name)
                    items.extend(self._items(emf, pkt.fields[earlier.name] if value is None else value, buf, start,
                                             end, base, run_start)[0])
                waiting.clear()
                more, whole = self._items(mf, val, buf, start, end, base, run_start, pkt, fld, nested)
            except Exception as exc:
                raise ValueError(f"{cls.__name__}.{fld.name}: {type(exc).__name__}: {exc}") from exc
            items.extend(more)
            # a structure's pointees scapy reads at this one's end, in field order with its own
            deferred += [(pointee, pointer, inner, holder) for pointee, pointer, inner, _, holder in nested or []]
            complete = complete and whole
            if not whole and self.stopped_at is not None:
                # an NDR array scapy read an element of as Raw: the dissector stops in it
                self.truncated.add(msg.abbrev)
                return items, self.stopped_at - base, False
            if not complete:
                break  # the dissector reads no field after one cut short
            if not _remaining(s) and _may_end(fld):
                break  # scapy's MayEnd: the message ends here, whole
        # the pointees of its embedded pointers, in the order scapy deferred them
        queue = []
        if isinstance(pkt, _NDRPacket):
            # taken out: a pointee structure reads the pointers left in pkt as its own
            queue = list(pkt.deferred_pointers)
            del pkt.deferred_pointers[:]
        entries = [(pointee, pointer, inner, read, holder)
                   for (pointee, pointer, inner, holder), (_, read) in zip(deferred if complete else [], queue)]
        if defer_to is not None:
            # an NDR array's element: its pointees follow the whole array, which reads them
            defer_to.extend(entries)
            entries = []
        more, end, whole = self._read_pointees(entries, buf, s, base, cls.__name__)
        items.extend(more)
        if not complete or not whole:
            self.truncated.add(msg.abbrev)
        return items, end, complete and whole

    def _read_pointees(self, entries, buf: bytes, s, base: int, where: str) -> tuple[list[ScapyItem], int, bool]:
        """The items of deferred pointees scapy reads from ``s`` (the rest of ``buf``), as the dissector lays
        them out; where the dissector stops (from buf's start); whether they were read whole."""
        items = []
        for pointee, pointer, inner, read, holder in entries:
            start = len(buf) - _remaining(s)
            at = min(_aligned(start, base, pointee.align_before or 1), len(buf))
            try:
                s, val = read(s)
            except Exception:
                end, more = self._cut_pointee(pointee, buf, at, base, holder, inner)
                return items + more, end, False
            if pointer.value is not None:
                val = pointer.value
            self.stopped_at = None
            try:
                more, whole = self._items(pointee, val, buf, at, len(buf) - _remaining(s), base, None, holder, inner)
            except Exception as exc:
                raise ValueError(f"{where}.{pointee.name}: {type(exc).__name__}: {exc}") from exc
            items.extend(more)
            if not whole:
                return items, (self.stopped_at - base if self.stopped_at is not None
                               else len(buf) - _remaining(s)), False
        return items, len(buf) - _remaining(s), True

    def _cut_packet(self, mf: M.Field, items: list, buf: bytes, start: int, base: int):
        """A sub-packet (to the end of the bytes) whose dissection raised in scapy, which then gives
        up on the message: its fields up to where scapy gave up, as the dissector lays them out."""
        sub = self.proto.message(mf.sub)
        more, used, _ = self.walk(sub, self.classes[mf.sub], buf[start:], base + start, None)
        self.truncated.add(sub.abbrev)
        size = used if used > 0 and not mf.takes_rest else len(buf) - start
        items.append(ScapyItem(mf.abbrev, buf[start:start + size].hex(), base + start, size))
        return items + more, start + size, False

    def _cut_union(self, fld, mf: M.Field, items: list, buf: bytes, start: int, base: int, pkt):
        """An NDR union scapy could not read whole, laid out as the dissector reads it:
        its tag if there, then as much of the arm the tag chose as there is."""
        tag = mf.alternatives[0]
        at = min(_aligned(start, base, tag.align_before or 1), len(buf))
        if at + tag.size > len(buf):
            return items, at, False
        value = int.from_bytes(buf[at:at + tag.size], "little", signed=tag.signed)
        items.append(ScapyItem(tag.abbrev, value, base + at, tag.size))
        arm, _ = _union_arm(fld, mf, pkt, value)
        end = at + tag.size
        if arm.kind == "ndr_pointer":
            end, more = self._cut_pointer(arm, buf, min(_aligned(end, base, 4), len(buf)), base)
            items.extend(more)
        return items, end, False

    def _handed_down(self, msg: M.Message, guard: M.Field, dissected: Packet | None) -> bool:
        """True when scapy's message below ``msg`` is one of ours that hands down the
        values ``guard`` needs: the dissector then reads on past it, as scapy does."""
        below = dissected.underlayer if dissected is not None else None
        if type(below) not in self.idents:
            return False
        handed = {name for b in self.proto.message(self.idents[type(below)]).payloads if b.message == msg.ident
                  for name, _ in b.under}
        return set(guard.under) <= handed and all(below.getfieldval(n) is not None for n in guard.under)

    def _walk_ber(self, msg: M.Message, buf: bytes, base: int, dissected) -> tuple[list[ScapyItem], int, bool]:
        """An ASN.1 packet's items, laid out as the dissectors' BER reader reads them, with the
        values of the packet scapy dissected (``dissected``; None: scapy could not read it, its
        values are read from the bytes); where it ends (where it failed), complete?"""
        items: list[ScapyItem] = []
        ok, end = self._ber_field(msg.fields[0].ber, buf, 0, len(buf), items, base,
                                  dissected.fields if dissected is not None else None, _ABSENT)
        if not ok:
            self.truncated.add(msg.abbrev)
        return items, end, ok

    def _ber_field(self, n: M.BerNode, buf, pos, limit, out, base, fields, val):
        if n.optional:
            ok, end = self._ber_element(n, buf, pos, limit, None, base, fields, val)
            if not ok:
                return True, pos
            if out is None:
                return ok, end
        return self._ber_element(n, buf, pos, limit, out, base, fields, val)

    def _ber_element(self, n: M.BerNode, buf, pos, limit, out, base, fields, val):
        """``out`` None: only whether it reads; ``fields``: scapy's values by field name (None:
        none); ``val``: this element's value where a list gives it."""
        start = pos
        if n.explicit is not None:
            got = self._ber_ident(buf, pos, limit, base)
            if got is None or got[0] != n.explicit:
                return False, start
            got = _ber_len(buf, got[1], limit)
            if got is None:
                return False, start
            pos = got[1]
        if n.kind == "choice":
            got = self._ber_ident(buf, pos, limit, base)
            for key, m in zip(n.keys, n.members):
                if got is not None and got[0] == key:
                    return self._ber_element(m, buf, pos, limit, out, base, fields, val)
            return False, start
        # scapy's value by its field's name (a list's is its element's)
        named = _value_item(n)
        if val is _ABSENT and fields is not None and named is not None:
            val = fields.get(named.name)
        if n.kind == "packet":
            if (n.explicit is not None or n.tag is not None) and pos >= limit:
                return True, pos
            if self.ber_depth >= M.BER_MAX_DEPTH:
                return False, start
            saved = self.retag
            if n.tag is not None:
                got = self._ber_ident(buf, pos, limit, base)
                if got is None or got[0] != n.tag:
                    return False, start
                self.retag = (base + pos, n.retag)
            sub = self.proto.message(n.sub)
            self.ber_depth += 1
            try:
                if out is None:
                    return self._ber_field(sub.fields[0].ber, buf, pos, limit, None, base, None, _ABSENT)
                sub_pkt = val if isinstance(val, Packet) else None
                more, used, whole = self.walk(sub, self.classes[sub.ident], buf[pos:limit], base + pos, sub_pkt)
            finally:
                self.ber_depth -= 1
                self.retag = saved
            out.append(ScapyItem(n.item.abbrev, buf[pos:pos + used].hex(), base + pos, used))
            out.extend(more)
            return whole, pos + used if whole else start
        got = self._ber_ident(buf, pos, limit, base)
        if got is None or got[0] != n.tag:
            return False, start
        got = _ber_len(buf, got[1], limit)
        if got is None or got[1] + got[0] > limit:
            return False, start
        length, q = got
        stop = q + length
        content = buf[q:stop]
        if n.kind == "oid" and _ber_oid(content) is None or n.kind == "bits" and not content:
            return False, start
        if n.kind in ("seq", "seq_of"):
            at = q
            if n.kind == "seq" and length:
                for m in n.members:
                    ok, end = self._ber_field(m, buf, at, stop, out, base, fields, _ABSENT)
                    if not ok:
                        return False, end
                    at = end
                if at != stop:
                    return False, at
            elif n.kind == "seq_of":
                element = n.members[0]
                listed = val if isinstance(val, list) else None
                i = 0
                while at < stop:
                    elem = listed[i] if listed is not None and i < len(listed) else None if fields is None \
                        else "absent in scapy"
                    ok, end = self._ber_field(element, buf, at, stop, out, base, fields, elem)
                    if not ok:
                        return False, end
                    at, i = end, i + 1
            return True, stop
        if out is not None:
            out.extend(self._ber_leaf(n, buf, pos, q, stop, base, val if fields is not None else None))
        return True, stop

    def _ber_leaf(self, n: M.BerNode, buf, pos, q, stop, base, val) -> list[ScapyItem]:
        """A leaf's item: scapy's value (``val``; None: read from the bytes) in the form compared."""
        content = buf[q:stop]
        missing = val is None or val is _ABSENT or isinstance(val, str) and val == "absent in scapy"
        if n.kind == "int":
            v = int.from_bytes(content, "big", signed=True) if val is None else \
                "absent in scapy" if missing else int(_scapy_value(val))
            if len(content) > 8:
                shown = v.to_bytes(len(content), "big", signed=True).hex() if isinstance(v, int) else v
                return [ScapyItem(n.wide.abbrev, shown, base + q, len(content))]
            return [ScapyItem(n.item.abbrev, v, base + pos, stop - pos)]
        if n.kind == "oid":
            v = _ber_oid(content) if val is None else "absent in scapy" if missing else str(_scapy_value(val))
            return [ScapyItem(n.item.abbrev, v, base + pos, stop - pos)]
        if not content:
            return []
        if val is None:
            v = ber_bits(content.hex()) if n.kind == "bits" else content.hex()
        elif missing:
            v = "absent in scapy"
        elif n.kind == "bits":
            v = str(_scapy_value(val))
        else:
            raw = _scapy_value(val)
            v = (raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)).hex()
        return [ScapyItem(n.item.abbrev, v, base + q, len(content))]

    def _cut_pointer(self, mf: M.Field, buf: bytes, at: int, base: int, pkt=None,
                     sfld=None) -> tuple[int, list[ScapyItem]]:
        """(where the dissector stops, its items) in a pointer scapy could not read
        whole (from ``at``, its aligned start): the referent id, and as much of a
        structure pointee as there is, as the dissector reads them."""
        referent, pointee = mf.members
        if at + 4 > len(buf):
            return at, []
        out = [ScapyItem(referent.abbrev, int.from_bytes(buf[at:at + 4], "little"), base + at, 4)]
        if pointee.deferred:
            return at + 4, out
        end, more = self._cut_pointee(pointee, buf, min(_aligned(at + 4, base, pointee.align_before or 1), len(buf)),
                                      base, pkt, _inner_ndr(sfld).fld if sfld is not None else None)
        return end, out + more

    def _cut_pointee(self, pointee: M.Field, buf: bytes, pos: int, base: int, pkt=None,
                     sfld=None) -> tuple[int, list[ScapyItem]]:
        """(where the dissector stops, its items) in a pointee (or an NDR structure, an NDR array) cut short
        at its aligned start ``pos``; ``pkt`` and ``sfld`` as for ``_items``."""
        out = []
        if pointee.kind == "ndr_struct":
            max_count, struct = pointee.members
            pos = min(_aligned(pos, base, 4), len(buf))
            if pos + 4 > len(buf):
                return pos, out
            out.append(ScapyItem(max_count.abbrev, int.from_bytes(buf[pos:pos + 4], "little"), base + pos, 4))
            pointee, pos = struct, min(_aligned(pos + 4, base, struct.align_before or 1), len(buf))
        if pointee.kind == "ndr_array":
            return self._cut_array(pointee, buf, pos, base, pkt, _inner_ndr(sfld))
        if pointee.kind == "ndr_split":
            pointee = pointee.members[0]
        if pointee.kind == "packet" and pointee.sub is not None and pos < len(buf):
            sub = self.proto.message(pointee.sub)
            # a structure whose pointees follow its holder: the dissector reads none of them here
            more, used, _ = self.walk(sub, self.classes[sub.ident], buf[pos:], base + pos, None,
                                      [] if pointee.split else None)
            # one that read nothing: the dissector's item keeps the bytes there are
            shown = used or len(buf) - pos
            out += [ScapyItem(pointee.abbrev, buf[pos:pos + shown].hex(), base + pos, shown), *more]
            pos += used
        return pos, out

    def _cut_array(self, mf: M.Field, buf: bytes, pos: int, base: int, pkt, sfld) -> tuple[int, list[ScapyItem]]:
        """An NDR array scapy could not read (it gives up on the whole array): the header integers there
        are; the structures there are, then their pointees, as the dissector reads them. scapy fails on a
        partial integer element only when the list ran out of whole ones, where the dissector shows none."""
        *header, elements = mf.members
        out, values = [], []
        pos = min(_aligned(pos, base, 4), len(buf))
        for part in header:
            if pos + 4 > len(buf):
                return pos, out
            values.append(int.from_bytes(buf[pos:pos + 4], "little"))
            out.append(ScapyItem(part.abbrev, values[-1], base + pos, 4))
            pos += 4
        if elements.kind != "packet_list":
            return pos, out
        if len(header) == 3:
            wanted = values[2]
        else:
            wanted = sfld.count_from(pkt) if pkt is not None and isinstance(sfld, sf.PacketListField) else None
        if not isinstance(wanted, int):
            return pos, out
        sub = self.proto.message(elements.sub)
        entries = [] if elements.deferred_elements else None
        for _ in range(max(wanted, 0)):
            pos = _aligned(pos, base, elements.element_align or 1)
            if pos >= len(buf):
                return len(buf), out
            more, used, whole = self.walk(sub, self.classes[sub.ident], buf[pos:], base + pos, None, entries)
            out += [ScapyItem(elements.abbrev, buf[pos:pos + used].hex(), base + pos, used), *more]
            pos += used
            if not whole:
                return pos, out
        if entries:
            more, pos, _ = self._read_pointees(entries, buf, buf[pos:], base, sub.name)
            out += more
        return pos, out

    def _bound_payloads(self, msg: M.Message, layer: Packet | None, buf: bytes,
                        base: int) -> tuple[list[ScapyItem], int]:
        """The items of the payloads after ``layer`` (of ``msg``) that each message binds, in
        ``buf`` (what follows its fields), and how many bytes they take: read as the dissector
        reads them, only where the message below binds the payload's class."""
        binds = lambda below, c: c in self.idents and any(  # noqa: E731
            b.message == self.idents[c] for b in below.payloads)
        items, used = [], 0
        while layer is not None and used < len(buf):
            payload = layer.payload
            failed = failed_class(layer, bytes(payload.load)) if isinstance(payload, conf.raw_layer) else None
            if failed is not conf.raw_layer and binds(msg, failed):
                # scapy chose one of ours for the payload, its dissection raised, and it kept Raw:
                # the fields read before it gave up, as the dissector shows them (truncated)
                more, n, _ = self.walk(self.proto.message(self.idents[failed]), failed, buf[used:], base + used, None)
                payload = None
            elif binds(msg, type(payload)):
                msg = self.proto.message(self.idents[type(payload)])
                more, n, _ = self.walk(msg, type(payload), buf[used:], base + used, payload)
            else:
                break
            items += more
            used += n
            layer = payload
        return items, used

    def _element_message(self, mf: M.Field, elem) -> M.Message | None:
        """The message of a packet or element scapy read: its field's class, or the
        class scapy chose from its bytes (None: scapy's Raw)."""
        if mf.choose is None:
            return self.proto.message(mf.sub)
        if elem is None:
            return None
        if isinstance(elem, conf.raw_layer):
            # scapy's Raw: none chosen, or the chosen class's dissection raised; the dissector
            # reads the class its choice makes of the bytes, as far as they go
            ident = chosen_by_bytes(mf.choose, bytes(elem))
            return self.proto.message(ident) if ident is not None else None
        ident = self.idents.get(type(elem))
        if ident is None:
            raise ValueError(f"scapy chose {type(elem).__name__}, which probing did not find")
        return self.proto.message(ident)

    def _ndr_array(self, mf: M.Field, val, buf: bytes, start: int, end: int, base: int, pkt,
                   sfld) -> tuple[list[ScapyItem], bool]:
        """An NDR conformant (varying) array: its header, then its elements as the dissector lays them out;
        whole when scapy read as many as size_is (or actual_count) says."""
        *header, elements = mf.members
        pos = _aligned(start, base, 4)
        values = [int(val.max_count)]
        data = val.value
        if len(header) == 3:
            varying = data[0] if isinstance(data, list) else data
            values += [int(varying.offset), int(varying.actual_count)]
            data = varying.value
            wanted = values[2]
        else:
            counted_by = sfld.length_from if isinstance(sfld, sf.StrLenField) else sfld.count_from
            wanted = counted_by(pkt)
        out = [ScapyItem(part.abbrev, v, base + pos + 4 * i, 4) for i, (part, v) in enumerate(zip(header, values))]
        pos += 4 * len(header)
        if elements.kind == "bytes":
            data = bytes(data or b"")
            if len(data):
                out.append(ScapyItem(elements.abbrev, buf[pos:pos + len(data)].hex(), base + pos, len(data)))
            size = 2 if isinstance(elements.length, M.Arith) else 1
            return out, not isinstance(wanted, int) or len(data) >= wanted * size
        data = list(data or [])
        if elements.kind == "int_list":
            size = elements.element.size
            pos = _aligned(pos, base, size) if data else pos
            out += [ScapyItem(elements.abbrev, int(v), base + pos + i * size, size) for i, v in enumerate(data)]
            return out, not isinstance(wanted, int) or len(data) >= wanted
        sub = self.proto.message(elements.sub)
        entries = [] if elements.deferred_elements else None
        for elem in data:
            pos = _aligned(pos, base, elements.element_align or 1)
            if pos >= end:  # only padding left: the dissector stops at the end
                self.stopped_at = base + end
                return out, False
            read = elem if isinstance(elem, _NDRPacket) else None  # else Raw: scapy could not read it
            more, used, elem_whole = self.walk(sub, self.classes[sub.ident], buf[pos:end], base + pos, read, entries)
            self.stopped_at = None
            out += [ScapyItem(elements.abbrev, buf[pos:pos + used].hex(), base + pos, used), *more]
            pos += used
            if read is None or not elem_whole:
                self.stopped_at = base + pos
                return out, False
        if isinstance(wanted, int) and len(data) < wanted:
            return out, False  # the dissector reads no pointee then
        if entries:
            # the elements' pointees, element after element (C706 14.3.12.3)
            # the elements measure NDR alignment by the array's end (their packets' original bytes)
            more, stop, whole = self._read_pointees(entries, buf[:end], buf[pos:end], base, sub.name)
            out += more
            if not whole:
                self.stopped_at = base + stop
                return out, False
        return out, True

    def _items(self, mf: M.Field, val, buf: bytes, start: int, end: int, base: int,
               run_start, pkt=None, sfld=None, defer_to: list | None = None) -> tuple[list[ScapyItem], bool]:
        """The items of one field's value, which scapy read from buf[start:end];
        and whether its sub-messages were read whole. ``pkt`` and ``sfld``: the
        packet being read and the scapy field (an NDR array's count is scapy's);
        ``defer_to``: where a structure leaves the pointees scapy reads at the holder's end (ndr_split)."""
        if mf.kind == "ndr_split":
            return self._items(mf.members[0], val, buf, start, end, base, run_start, pkt, sfld, defer_to)
        if mf.kind == "ndr_pointer":
            referent, pointee = mf.members
            at = _aligned(start, base, 4)
            out = [ScapyItem(referent.abbrev, 0 if val is None else int(val.referent_id), base + at, 4)]
            if val is None or pointee.deferred:  # a deferred pointee's items come after the message's fields
                return out, True
            more, whole = self._items(pointee, val.value, buf, _aligned(at + 4, base, pointee.align_before or 1), end,
                                      base, run_start, pkt, sfld.fld if sfld is not None else None)
            return out + more, whole
        if mf.kind == "ndr_struct":
            max_count, struct = mf.members
            at = _aligned(start, base, 4)
            out = [ScapyItem(max_count.abbrev, int(val.max_count), base + at, 4)]
            more, whole = self._items(struct, val, buf, _aligned(at + 4, base, struct.align_before or 1), end, base,
                                      run_start)
            return out + more, whole
        if mf.kind == "ndr_array":
            self.stopped_at = None
            return self._ndr_array(mf, val, buf, start, end, base, pkt, _inner_ndr(sfld))
        if mf.kind == "ndr_conf_var" and not mf.payload:
            # max_count, offset and actual_count, then the elements there are
            varying = val.value[0] if isinstance(val.value, list) else val.value
            header = (int(val.max_count), int(varying.offset), int(varying.actual_count))
            # fewer bytes than actual_count elements: scapy takes those there are, the dissector says truncated
            return [ScapyItem(mf.abbrev, buf[start:end].hex(), base + start, end - start),
                    *(ScapyItem(part.abbrev, v, base + start + 4 * i, 4)
                      for i, (part, v) in enumerate(zip(mf.parts, header)))], \
                mf.null_terminated or end - start >= 12 + header[2] * mf.char_size
        if mf.kind == "int":
            if mf.mask:
                offset, size = run_start, mf.size
            elif mf.size is None or mf.pad_to:  # a PadField's padding follows the value
                offset, size = start, mf.size if mf.size is not None else end - start
            else:
                offset, size = end - mf.size, mf.size
            number = val if mf.scaling else _wire_number(val, sfld, pkt)
            value = scaled_value(val, mf.scaling.ndigits) if mf.scaling else number
            out = [ScapyItem(mf.abbrev, value, base + offset, size)]
            # a flag's mask is its bit in the bit run: the field's value starts at ``shift``
            out += [ScapyItem(flag.abbrev, int(bool(int(number) & (flag.mask >> mf.shift))), base + offset, size)
                    for flag in mf.flags]
            return out, True
        if mf.tbcd:  # scapy's digits, as the dissector's string item shows them
            n = end - start
            return ([ScapyItem(mf.abbrev, bytes(val).decode("ascii"), base + start, n)] if n > 0 else []), True
        if mf.kind == "hex_text":  # the text scapy shows, as the dissector's string item shows it
            return [ScapyItem(mf.abbrev, str(val), base + start, mf.size)], True
        if mf.kind == "prefix":
            # the address (canonical text: scapy's and Wireshark's may compress IPv6 differently), and
            # the length byte of one that has it
            out, at = [], start
            if mf.parts:
                bits, address = val
                out.append(ScapyItem(mf.parts[0].abbrev, int(bits), base + start, 1))
                at += 1
            else:
                address, bits = val
            if end > at:
                out.append(ScapyItem(mf.abbrev, canonical_address(address), base + at, end - at))
            return out, True
        if mf.kind == "dns_name":  # scapy's name, as the dissector's string item shows it
            n = end - start
            return ([ScapyItem(mf.abbrev, dns_name_text(bytes(val)), base + start, n)] if n > 0 else []), True
        if mf.kind == "stringz":  # as the bytes read, with the NUL (scapy's value may be text)
            n = _stringz_size(buf[start:end], mf.char_size)
            return ([ScapyItem(mf.abbrev, buf[start:start + n].hex(), base + start, n)] if n > 0 else []), True
        if mf.kind == "bytes":
            # the value's own bytes: not PadField's padding
            n = (end - start if mf.size is None else mf.size) if mf.wide_int else len(val)
            return ([ScapyItem(mf.abbrev, buf[start:start + n].hex(), base + start, n)] if n > 0 else []), True
        if mf.kind == "packet":
            if val is None:  # a PacketLenField of length 0
                return [], True
            sub_pkt = val if isinstance(val, Packet) else None
            item = ScapyItem(mf.abbrev, buf[start:end].hex(), base + start, end - start)
            sub = self._element_message(mf, sub_pkt)
            if sub is None or start == end:  # scapy's Raw: its bytes only; no bytes: a packet scapy did not read
                return [item], True
            sub_items, _, whole = self.walk(sub, self.classes[sub.ident], buf[start:end], base + start, sub_pkt,
                                            defer_to if mf.split else None)
            return [item, *sub_items], whole
        if mf.kind == "packet_list":
            pos, out, whole = start, [], True
            for elem in val:
                raw = bytes(elem)
                tail = bytes(elem.payload) if elem.payload else b""
                n = len(raw) - len(tail)
                item = len(out)
                sub = self._element_message(mf, elem)
                if sub is not None and sub.undecoded is not None:
                    # the dissector cannot know where an element it leaves undecoded ends: to the list's end
                    more, n, elem_whole = self.walk(sub, self.classes[sub.ident], buf[pos:end], base + pos, elem)
                    out += [ScapyItem(mf.abbrev, buf[pos:pos + n].hex(), base + pos, n), *more]
                    return out, whole and elem_whole
                if sub is not None:
                    more, _, elem_whole = self.walk(sub, self.classes[sub.ident], buf[pos:pos + n], base + pos, elem)
                    # its payload, where the element's class binds it (as the dissector reads it, the element's)
                    after, used = self._bound_payloads(sub, elem, buf[pos + n:pos + len(raw)], base + pos + n)
                    out += more + after
                    n += used
                    whole = whole and elem_whole
                out.insert(item, ScapyItem(mf.abbrev, buf[pos:pos + n].hex(), base + pos, n))
                pos += n
            return out, whole
        if mf.kind == "int_list":
            size = mf.element.size
            return [ScapyItem(mf.abbrev, int(v), base + start + i * size, size) for i, v in enumerate(val)], True
        # an address is compared as its bytes: scapy's text forms (a Net, a MAC in
        # any case) and Wireshark's (names, compressed IPv6) need not match
        if mf.kind == "address" and shown_address(mf):
            return [ScapyItem(mf.abbrev, str(val).lower(), base + start, mf.size)], True
        if mf.kind in ("address", "float"):  # a float as its bytes too: no text form to round
            return [ScapyItem(mf.abbrev, buf[start:start + mf.size].hex(), base + start, mf.size)], True
        if mf.kind == "bytes_list":
            size = mf.element.size
            return [ScapyItem(mf.abbrev, buf[start + i * size:start + i * size + len(v)].hex(), base + start + i * size,
                              len(v)) for i, v in enumerate(val) if len(v)], True
        if mf.kind == "address_list":
            size = mf.element.size
            return [ScapyItem(mf.abbrev, buf[start + i * size:start + (i + 1) * size].hex(), base + start + i * size,
                              size) for i in range(len(val))], True
        raise ValueError(f"kind {mf.kind} is not compared")


def canonical_address(text: str) -> str:
    """An IPv4 or IPv6 address in one text form."""
    return ipaddress.ip_address(text).compressed


def chosen_by_bytes(choice: M.ClassChoice, raw: bytes) -> str | None:
    """The message a ClassChoice makes of ``raw``, as the dissectors choose it (None: Raw)."""
    if len(raw) < choice.need:
        return choice.short
    if not choice.size:
        return choice.default
    key = int.from_bytes(raw[choice.offset:choice.offset + choice.size], "big")
    return dict(choice.entries).get(key, choice.default)


def limit_name(proto: M.Protocol) -> str:
    """The name of the point where scapy stopped at conf.max_list_count (scapy's side only)."""
    return f"{proto.abbrev}.scapy_list_limit"


LIMIT_REASON = ("scapy reads at most conf.max_list_count ({}) elements of a list and gives up on the message "
                "past them; the dissectors read on")


def shown_address(mf: M.Field) -> bool:
    """True for an address whose value is not its bytes in wire order (a
    reversed MAC, a GUID): it is compared as shown, scapy's text against
    Wireshark's (both lower-case, without names: tshark runs with -n)."""
    return mf.kind == "address" and (mf.ftype == "guid" or mf.little_endian)


def failed_class(under: Packet, load: bytes):
    """The class scapy chose for ``load`` after ``under`` (its guess_payload_class,
    then that class's dispatch_hook) when it kept Raw there: the class whose
    dissection raised."""
    try:
        chosen = under.guess_payload_class(load)
        hook = getattr(chosen, "dispatch_hook", None)  # scapy's classes without one have no such attribute
        return hook(load) if hook is not None else chosen
    except Exception:
        return None


def message_reading(proto: M.Protocol, classes: dict[str, type], msg: M.Message, cls: type[Packet],
                    pkt: Packet | None, buf: bytes | None = None) -> tuple[list[ScapyItem], set[str]]:
    """Items of a message of class ``cls`` (``msg`` models it), its trailing bytes
    included; and the filter names of the messages scapy read short.

    ``pkt``: the packet scapy dissected; None when scapy's own dissection gave
    up on the message (an exception: scapy then keeps the bytes as Raw), and
    ``buf`` holds its bytes: the fields read before it gave up are laid out."""
    if buf is None:
        buf = bytes(pkt.original) if pkt.original else bytes(pkt)
    walker = _Walker(proto, classes)
    items, consumed, _ = walker.walk(msg, cls, buf, 0, pkt)
    more, used = walker._bound_payloads(msg, pkt, buf[consumed:], consumed)
    items.extend(more)
    consumed += used
    if consumed < len(buf):
        items.append(ScapyItem(f"{proto.abbrev}.trailing", buf[consumed:].hex(), consumed, len(buf) - consumed))
    return items, walker.truncated


def message_items(proto: M.Protocol, classes: dict[str, type], msg: M.Message, pkt: Packet) -> list[ScapyItem]:
    """Items of a dissected message (``msg`` models its class), its trailing bytes included."""
    return message_reading(proto, classes, msg, type(pkt), pkt)[0]
