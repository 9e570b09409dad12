"""What scapy decodes, flattened into the same items the generated Lua shows.

Walks a class's ``fields_desc`` over the original bytes with scapy's own
``getfield`` (so every length, condition and bit run is scapy's decision) and
names each value with the model's filter names. Offsets are relative to the
start of the message.
"""

from __future__ import annotations

from dataclasses import dataclass

from scapy import fields as sf
from scapy.config import conf
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


def _short(fld, mf: M.Field, pkt: Packet, val, available: int) -> bool:
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
    if mf.length is not None or (mf.kind == "bytes" and mf.size is not None):
        wanted = inner.length_from(pkt) if getattr(inner, "length_from", None) else mf.size
        return isinstance(wanted, int) and wanted > available
    return False


class _Walker:
    def __init__(self, proto: M.Protocol, classes: dict[str, type]) -> None:
        self.proto = proto
        self.classes = classes  # Message.ident -> scapy class
        self.idents = {c: i for i, c in classes.items()}
        self.truncated: set[str] = set()  # filter names of the messages scapy read short

    def walk(self, msg: M.Message, cls: type[Packet], buf: bytes, base: int = 0,
             dissected: Packet | None = None) -> tuple[list[ScapyItem], int, bool]:
        """Items of one message; returns (items, bytes consumed, complete?).

        Offsets and sizes come from walking the bytes; integer values from the
        packet scapy really dissected (``dissected``) when there is one, so
        anything scapy does after getfield (post_dissect) counts too. A value
        that cannot be laid out raises ValueError naming ``Class.field``.
        Not complete: a field scapy could not read (its own dissection gives
        up on the message there), or read short (see ``_short``); the message
        is then in ``truncated``.
        """
        pkt = cls()
        pkt.fields = {}
        s = buf
        items: list[ScapyItem] = []
        run_start = None
        complete = True
        for fld, mf in zip(cls.fields_desc, msg.fields):
            start = len(buf) - _remaining(s)
            if mf.kind == "undecoded":
                # where the dissector stops decoding (when bytes are left); what follows is not compared
                rest = [ScapyItem(mf.abbrev, "", base + start, len(buf) - start)] if start < len(buf) else []
                return items + rest, len(buf), complete
            if mf.kind == "int" and mf.group_start:
                run_start = start
            try:
                s, val = fld.getfield(pkt, s)
            except Exception:
                self.truncated.add(msg.abbrev)
                return items, len(buf) - _remaining(s), False
            if isinstance(fld, sf.ConditionalField) and val is None:
                continue
            if mf.kind == "choice":
                mf = _chosen(fld, mf, pkt)
            pkt.fields[fld.name] = val
            if _short(fld, mf, pkt, val, len(buf) - start):
                complete = False
            if dissected is not None and fld.name in dissected.fields and dissected.fields[fld.name] is not None:
                val = dissected.fields[fld.name]
            try:
                more, whole = self._items(mf, val, buf, start, len(buf) - _remaining(s), base, run_start)
            except Exception as exc:
                raise ValueError(f"{cls.__name__}.{fld.name}: {type(exc).__name__}: {exc}") from exc
            items.extend(more)
            complete = complete and whole
            if not complete:
                break  # the dissector reads no field after one cut short
        if not complete:
            self.truncated.add(msg.abbrev)
        return items, len(buf) - _remaining(s), complete

    def _element_message(self, mf: M.Field, elem) -> M.Message | None:
        """The message of a packet or element scapy read: its field's class, or the
        class scapy chose from its bytes (None: scapy's Raw)."""
        if mf.choose is None:
            return self.proto.message(mf.sub)
        if elem is None or isinstance(elem, conf.raw_layer):
            return None
        ident = self.idents.get(type(elem))
        if ident is None:
            raise ValueError(f"scapy chose {type(elem).__name__}, which probing did not find")
        return self.proto.message(ident)

    def _items(self, mf: M.Field, val, buf: bytes, start: int, end: int, base: int,
               run_start) -> tuple[list[ScapyItem], bool]:
        """The items of one field's value, which scapy read from buf[start:end];
        and whether its sub-messages were read whole."""
        if mf.kind == "int":
            if mf.mask:
                offset, size = run_start, mf.size
            elif mf.size is None:
                offset, size = start, end - start
            else:
                offset, size = end - mf.size, mf.size
            value = scaled_value(val, mf.scaling.ndigits) if mf.scaling else int(val)
            out = [ScapyItem(mf.abbrev, value, base + offset, size)]
            # a flag's mask is its bit in the bit run: the field's value starts at ``shift``
            out += [ScapyItem(flag.abbrev, int(bool(int(val) & (flag.mask >> mf.shift))), base + offset, size)
                    for flag in mf.flags]
            return out, True
        if mf.kind in ("bytes", "stringz"):
            # the value's own bytes: not PadField's padding; a C string with its NUL
            n = mf.size if mf.wide_int else len(val) + (1 if mf.kind == "stringz" else 0)
            return ([ScapyItem(mf.abbrev, buf[start:start + n].hex(), base + start, n)] if n > 0 else []), True
        if mf.kind == "packet":
            sub_pkt = val if isinstance(val, Packet) else None
            item = ScapyItem(mf.abbrev, buf[start:end].hex(), base + start, end - start)
            sub = self._element_message(mf, sub_pkt)
            if sub is None:  # scapy's Raw: its bytes only
                return [item], True
            sub_items, _, whole = self.walk(sub, self.classes[sub.ident], buf[start:end], base + start, sub_pkt)
            return [item, *sub_items], whole
        if mf.kind == "packet_list":
            pos, out, whole = start, [], True
            for elem in val:
                raw = bytes(elem)
                tail = bytes(elem.payload) if elem.payload else b""
                n = len(raw) - len(tail)
                out.append(ScapyItem(mf.abbrev, buf[pos:pos + n].hex(), base + pos, n))
                sub = self._element_message(mf, elem)
                if sub is not None:
                    more, _, elem_whole = self.walk(sub, self.classes[sub.ident], buf[pos:pos + n], base + pos, elem)
                    out += more
                    whole = whole and elem_whole
                pos += n
            return out, whole
        if mf.kind == "int_list":
            size = mf.element.size
            return [ScapyItem(mf.abbrev, int(v), base + start + i * size, size) for i, v in enumerate(val)], True
        # an address is compared as its bytes: scapy's text forms (a Net, a MAC in
        # any case) and Wireshark's (names, compressed IPv6) need not match
        if mf.kind == "address" and shown_address(mf):
            return [ScapyItem(mf.abbrev, str(val).lower(), base + start, mf.size)], True
        if mf.kind == "address":
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


def shown_address(mf: M.Field) -> bool:
    """True for an address whose value is not its bytes in wire order (a
    reversed MAC, a GUID): it is compared as shown, scapy's text against
    Wireshark's (both lower-case, without names: tshark runs with -n)."""
    return mf.kind == "address" and (mf.ftype == "guid" or mf.little_endian)


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
    bound = {c: ident for ident, c in classes.items()}
    layer = pkt
    while layer is not None and consumed < len(buf) and type(layer.payload) in bound:
        layer = layer.payload
        more, used, _ = walker.walk(proto.message(bound[type(layer)]), type(layer), buf[consumed:], consumed, layer)
        items.extend(more)
        consumed += used
    if consumed < len(buf):
        items.append(ScapyItem(f"{proto.abbrev}.trailing", buf[consumed:].hex(), consumed, len(buf) - consumed))
    return items, walker.truncated


def message_items(proto: M.Protocol, classes: dict[str, type], msg: M.Message, pkt: Packet) -> list[ScapyItem]:
    """Items of a dissected message (``msg`` models its class), its trailing bytes included."""
    return message_reading(proto, classes, msg, type(pkt), pkt)[0]
