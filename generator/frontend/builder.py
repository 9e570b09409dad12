"""ProtocolBuilder: the state of one translation (names taken, enum tables,
messages in order) and the message walk that calls the field kinds."""

from __future__ import annotations

import inspect
import itertools
import re

from scapy.layers import dcerpc as sd
from scapy.layers.dns import DNSCompressedPacket
from scapy.layers.inet import TCP
from scapy.packet import Packet

from scapy_layers.spec import rules as R

from .. import model as M
from ..names import filter_part, lua_ident, unique
from .errors import GeneratorError, location
from .expressions import Expressions
from .asn1 import Asn1Kinds, is_asn1_packet
from .fields import FieldKinds


_WORD_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def _name_root(cls) -> int | None:
    """How many bytes after the class's start the DNS compression pointers in
    it count from, when they point into its own bytes: a DNSCompressedPacket
    whose get_full gives the bytes it was dissected from, less the same first
    few over UDP as over TCP (DNS's skips a length prefix over TCP only: its
    pointers are not placed, and the dissector fails where one is met, as
    scapy does without the message). None otherwise."""
    if not issubclass(cls, DNSCompressedPacket):
        return None
    original = bytes(range(1, 9))
    skips = set()
    try:
        for under in (None, TCP()):
            pkt = cls()
            pkt.original = original
            pkt.underlayer = under
            full = pkt.get_full()
            skips.add(next((k for k in range(3) if full == original[k:]), None))
    except Exception:
        return None
    return skips.pop() if len(skips) == 1 else None


# do_dissect of these read the fields as scapy's fields say (NDR, ASN.1, our toolkit's truncation)
_KNOWN_READERS = ("scapy.layers.dcerpc._NDRPacket", "scapy.asn1packet.ASN1_Packet")


def _own_reader(cls) -> str | None:
    """Why ``cls`` is read by code of its own (a do_dissect that does not read its
    fields through scapy's: HICP's, HTTP's), or None. One that calls scapy's own
    do_dissect (DceRpc5's on its fragment; GARP's before a warning) reads as its fields say."""
    owner = next(k for k in cls.__mro__ if "do_dissect" in vars(k))
    name = f"{owner.__module__}.{owner.__qualname__}"
    if owner is Packet or name in _KNOWN_READERS or owner.__module__.startswith("scapy_layers."):
        return None
    try:
        source = inspect.getsource(owner.do_dissect)
    except (OSError, TypeError):
        source = ""
    if re.search(r"super\([^)]*\)\.do_dissect\(|Packet\.do_dissect\(", source):
        return None
    return (f"{owner.__name__}.do_dissect reads {cls.__name__}'s bytes with code of its own, not through its "
            f"fields; not translated")


def _display_name(cls) -> str:
    """A class's scapy ``name`` (the metaclass keeps it as ``_name``); a class
    without one reads as its words (``NDRContextHandle``: "NDR Context Handle")."""
    name = getattr(cls, "_name", None)
    if isinstance(name, str) and name:
        return name
    return " ".join(_WORD_BREAK.sub(" ", cls.__name__).replace("_", " ").split())


class ProtocolBuilder(Asn1Kinds, FieldKinds, Expressions):
    def __init__(self, abbrev: str, title: str, source: str, strict: bool = False) -> None:
        """``strict``: a field the generator cannot translate refuses the whole
        translation (GeneratorError); else the message is decoded up to it and
        the rest of its bytes are one undecoded item."""
        self.abbrev = abbrev
        self.title = title
        self.source = source
        self.strict = strict
        self.messages: dict[type, M.Message] = {}
        # the same messages by Message.ident, and their classes (kept as messages are made)
        self.messages_by_ident: dict[str, M.Message] = {}
        self.class_of: dict[str, type] = {}
        self.order: list[type] = []
        self.enums: dict[tuple, M.EnumTable] = {}
        self.sets: dict[tuple, M.ValueSet] = {}
        self.choices: list[M.ClassChoice] = []  # classes chosen from bytes, by probing scapy
        # the LEBitField members of bit runs, by id (held: an id is not reused)
        self.lsb_first_runs: dict[int, M.Field] = {}
        # BitMultiEnumField members of open bit runs, by id: (model field, scapy field)
        self.multi_enum_members: dict[int, tuple] = {}
        self.abbrevs: dict[str, str] = {}  # filter name -> where it came from
        self.request_slots: list[str] = []
        self.roles: dict[type, str] = {}
        self.carried: dict[tuple[type, str], str] = {}  # (stub class, field) -> role it carries
        self.below_reads: dict[type, list[str]] = {}  # class -> the fields of its underlayer it reads
        self.ber_counter = itertools.count(1)  # BER elements of ASN.1 packets, numbered

    # --- names

    def claim_abbrev(self, abbrev: str, where: str) -> str:
        if abbrev in self.abbrevs:
            raise GeneratorError(f"{where}: filter name {abbrev!r} is also used by {self.abbrevs[abbrev]}; "
                                 f"rename one of them")
        self.abbrevs[abbrev] = where
        return abbrev

    def claim_field_abbrev(self, abbrev: str, where: str) -> str:
        """A field's filter name: ``abbrev``, or ``abbrev_2``... when an earlier field
        took it (scapy names may differ only in case: pfcp's ``URL`` and ``url``)."""
        out, n = abbrev, 2
        while out in self.abbrevs:
            out, n = f"{abbrev}_{n}", n + 1
        return self.claim_abbrev(out, where)

    def enum_table(self, mapping: dict, hint: str) -> M.EnumTable:
        entries = tuple(sorted((int(k), str(v)) for k, v in mapping.items()))
        if entries not in self.enums:
            base = "vs_" + lua_ident(hint).lower()
            taken = {t.ident for t in self.enums.values()}
            ident, n = base, 2
            while ident in taken:
                ident, n = f"{base}_{n}", n + 1
            self.enums[entries] = M.EnumTable(ident, entries)
        return self.enums[entries]

    def value_set(self, values: tuple[int, ...]) -> M.ValueSet:
        key = tuple(sorted(values))
        if key not in self.sets:
            self.sets[key] = M.ValueSet(f"set_{len(self.sets) + 1}", key)
        return self.sets[key]

    # --- messages

    def message(self, cls: type[Packet], sub_only: bool = False) -> M.Message:
        if cls in self.messages:
            msg = self.messages[cls]
            msg.sub_only = msg.sub_only and sub_only
            return msg
        if not (isinstance(cls, type) and issubclass(cls, Packet)):
            raise GeneratorError(f"{cls!r} is not a scapy Packet class")
        # two classes of one name (from two modules, or "A.B" and "A_B"): the later one is <name>_2
        ident = unique(lua_ident(cls.__name__), set(self.messages_by_ident))
        abbrev = unique(f"{self.abbrev}.{filter_part(cls.__name__)}", set(self.abbrevs))
        msg = M.Message(
            ident=ident, name=cls.__name__, label=_display_name(cls),
            abbrev=self.claim_abbrev(abbrev, cls.__name__),
            fields=[], sub_only=sub_only, role=self.roles.get(cls), name_root=_name_root(cls),
        )
        self.messages[cls] = msg  # before the fields: sub-messages may refer back
        self.messages_by_ident[ident] = msg
        self.class_of[ident] = cls
        self.order.append(cls)
        ndr = issubclass(cls, sd.NDRPacket)
        idents: dict[str, str] = {}
        fields_by_name: dict[str, M.Field] = {}
        group: list[M.Field] = []
        if is_asn1_packet(cls):
            try:
                msg.fields.append(self.ber_field(cls, msg))
            except GeneratorError as exc:
                if self.strict:
                    raise
                self._undecoded(cls, msg, cls.fields_desc[0] if cls.fields_desc else None, str(exc), group,
                                fields_by_name, idents)
        own_reader = _own_reader(cls)
        if own_reader is not None:
            if self.strict:
                raise GeneratorError(own_reader)
            self._undecoded(cls, msg, cls.fields_desc[0] if cls.fields_desc else None, own_reader, group,
                            fields_by_name, idents)
        for fld in () if is_asn1_packet(cls) or own_reader else cls.fields_desc:
            read_below = len(self.below_reads.get(cls, ()))
            try:
                f = self.field(cls, msg, fld, fields_by_name, ndr, group)
                for ident in [a.ident for a in f.alternatives or f.members] or [f.ident]:
                    if ident in idents:
                        raise GeneratorError(f"{location(cls, fld)}: its Lua name {ident!r} collides with "
                                             f"{cls.__name__}.{idents[ident]}")
                below = self.below_reads.get(cls, [])[read_below:]
                if below:
                    self._guard(cls, msg, fld, f, below, group, idents)
            except GeneratorError as exc:
                if self.strict:
                    raise
                self._undecoded(cls, msg, fld, str(exc), group, fields_by_name, idents)
                break
            for ident in [a.ident for a in f.alternatives or f.members] or [f.ident]:
                idents[ident] = fld.name
            if msg.may_end:
                for g in f.alternatives or (f,):
                    g.after_may_end = True
            msg.fields.append(f)
            fields_by_name[fld.name] = f
            if self._ends_undecoded(f):
                # its last message reads to the end: nothing after it can be found
                msg.undecoded = next(self.messages_by_ident[s].undecoded for s in
                                     (f.choose.messages if f.choose else [f.sub])
                                     if self.messages_by_ident[s].undecoded is not None)
                break
        else:
            if group:
                error = (f"{cls.__name__}.{group[-1][0].name}: bit fields end mid-byte "
                         f"({sum(w for _, w in group)} bits); pad the run to whole bytes")
                if self.strict:
                    raise GeneratorError(error)
                self._undecoded(cls, msg, None, error, group, fields_by_name, idents)
        read = msg.flat_fields
        for f, after in zip(read, [*read[1:], None]):
            f.bits_end = f.bit_cursor and not (after is not None and after.bit_cursor)
        msg.fixed_size = self._fixed_size(msg)
        rules = []
        for r in getattr(cls, "spec_rules", ()):
            try:
                rules.append((r, self.rule(cls, msg, r, fields_by_name)))
            except GeneratorError:
                if self.strict or msg.undecoded is None:
                    raise
                # a rule about bytes left undecoded is not checked
        msg.rules = [m for _, m in rules]
        msg.request_slots = tuple(dict.fromkeys(
            slot for r, _ in rules
            for e in (r.when, r.must) if e is not None
            for slot in sorted(R.referenced_request_fields(e))
        ))
        template = getattr(cls, "summary_template", None)
        if template:
            try:
                msg.summary = self.summary(cls, template, fields_by_name)
            except GeneratorError:
                if self.strict or msg.undecoded is None:
                    raise
        return msg

    # --- what is not translated

    def _undecoded(self, cls, msg: M.Message, fld, reason: str, group: list, fields_by_name: dict,
                   idents: dict) -> None:
        """The rest of the message, from ``fld`` (or the bit run it ends), is one undecoded item."""
        if group:  # a bit run cut short: its bytes are read together or not at all
            first = group[0][0]
            if any(f is first for f in msg.fields):  # (not when the run's first field is the one refused)
                del msg.fields[next(i for i, f in enumerate(msg.fields) if f is first):]
            for f, _ in group:
                fields_by_name.pop(f.name, None)
                idents.pop(f.ident, None)
            name = first.name
            group.clear()
        else:
            name = fld.name if fld is not None else "ASN1_root"
        msg.undecoded = reason
        msg.fields.append(self._undecoded_field(cls, msg, name, unique("undecoded", set(idents)), reason, rest=True))

    def _undecoded_field(self, cls, msg: M.Message, name: str, ident: str, reason: str, **how) -> M.Field:
        """An undecoded item of ``msg``, its own filter name, and the message's one
        "not decoded" expert (a guard's, when one came before)."""
        earlier = next((g for g in msg.fields if g.kind == "undecoded"), None)
        return M.Field(
            name=name, ident=ident, kind="undecoded", reason=reason, label="Undecoded", **how,
            abbrev=self.claim_abbrev(unique(f"{msg.abbrev}.undecoded", set(self.abbrevs)), cls.__name__),
            expert_abbrev=earlier.expert_abbrev if earlier else self.claim_abbrev(
                unique(f"{msg.abbrev}.not_decoded", set(self.abbrevs)), cls.__name__),
        )

    def _guard(self, cls, msg: M.Message, fld, f: M.Field, below: list[str], group: list, idents: dict) -> None:
        """Before the first field reading the message below (scapy's pkt.underlayer), a
        guard: reached with no such message (on a port, as a sub-packet), the rest
        is undecoded. Later fields' names join it: one guard per message."""
        guard = next((g for g in msg.fields if g.under), None)
        if guard is not None:
            guard.under = tuple(dict.fromkeys(guard.under + tuple(below)))
        else:
            if any(g is not f for g, _ in group):
                raise GeneratorError(f"{location(cls, fld)}: reads pkt.underlayer inside a bit run; the dissectors "
                                     f"read a run whole")
            # the reason names the messages that hand the values down, once bindings are known
            reason = f"{cls.__name__}.{fld.name}: reads pkt.underlayer.{below[0]}"
            ident = unique("undecoded", set(idents))
            idents[ident] = fld.name
            msg.fields.append(self._undecoded_field(cls, msg, fld.name, ident, reason,
                                                    under=tuple(dict.fromkeys(below))))
        msg.under = tuple(dict.fromkeys(msg.under + tuple(below)))

    def _ends_undecoded(self, f: M.Field) -> bool:
        """True when ``f``'s message(s) end in undecoded bytes that reach the end of
        the enclosing message's bytes (no length or size bounds them)."""
        if f.kind not in ("packet", "packet_list") or f.length is not None or f.size is not None:
            return False
        subs = f.choose.messages if f.choose else [f.sub] if f.sub else []
        return any(self.messages_by_ident[s].undecoded is not None for s in subs)

    @staticmethod
    def _fixed_size(msg: M.Message) -> int | None:
        if msg.undecoded is not None or msg.may_end:
            return None
        total = 0
        for f in msg.fields:
            if f.kind == "int" and not f.group_end:
                continue
            if f.condition is not None or f.size is None or f.align_before or f.pad_to:
                return None
            total += f.size
        return total
