"""ProtocolBuilder: the state of one translation (names taken, enum tables,
messages in order) and the message walk that calls the field kinds."""

from __future__ import annotations

import re

from scapy.layers import dcerpc as sd
from scapy.packet import Packet

from scapy_layers.spec import rules as R

from .. import model as M
from ..names import filter_part, lua_ident
from .errors import GeneratorError, location
from .expressions import Expressions
from .fields import FieldKinds


_WORD_BREAK = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def _display_name(cls) -> str:
    """A class's scapy ``name`` (the metaclass keeps it as ``_name``); a class
    without one reads as its words (``NDRContextHandle``: "NDR Context Handle")."""
    name = getattr(cls, "_name", None)
    if isinstance(name, str) and name:
        return name
    return " ".join(_WORD_BREAK.sub(" ", cls.__name__).replace("_", " ").split())


class ProtocolBuilder(FieldKinds, Expressions):
    def __init__(self, abbrev: str, title: str, source: str) -> None:
        self.abbrev = abbrev
        self.title = title
        self.source = source
        self.messages: dict[type, M.Message] = {}
        self.order: list[type] = []
        self.enums: dict[tuple, M.EnumTable] = {}
        self.sets: dict[tuple, M.ValueSet] = {}
        self.abbrevs: dict[str, str] = {}  # filter name -> where it came from
        self.request_slots: list[str] = []
        self.roles: dict[type, str] = {}
        self.carried: dict[tuple[type, str], str] = {}  # (stub class, field) -> role it carries

    # --- names

    def claim_abbrev(self, abbrev: str, where: str) -> str:
        if abbrev in self.abbrevs:
            raise GeneratorError(f"{where}: filter name {abbrev!r} is also used by {self.abbrevs[abbrev]}; "
                                 f"rename one of them")
        self.abbrevs[abbrev] = where
        return abbrev

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
        ident = lua_ident(cls.__name__)
        if any(m.ident == ident for m in self.messages.values()):
            raise GeneratorError(f"{cls.__name__}: its Lua name {ident!r} collides with another class")
        msg = M.Message(
            ident=ident, name=cls.__name__, label=_display_name(cls),
            abbrev=self.claim_abbrev(f"{self.abbrev}.{filter_part(cls.__name__)}", cls.__name__),
            fields=[], sub_only=sub_only, role=self.roles.get(cls),
        )
        self.messages[cls] = msg  # before the fields: sub-messages may refer back
        self.order.append(cls)
        ndr = issubclass(cls, sd.NDRPacket)
        idents: dict[str, str] = {}
        fields_by_name: dict[str, M.Field] = {}
        group: list[M.Field] = []
        for fld in cls.fields_desc:
            f = self.field(cls, msg, fld, fields_by_name, ndr, group)
            if f.ident in idents:
                raise GeneratorError(f"{location(cls, fld)}: its Lua name {f.ident!r} collides with "
                                     f"{cls.__name__}.{idents[f.ident]}")
            idents[f.ident] = fld.name
            msg.fields.append(f)
            fields_by_name[fld.name] = f
        if group:
            raise GeneratorError(f"{cls.__name__}.{group[-1][0].name}: bit fields end mid-byte "
                                 f"({sum(w for _, w in group)} bits); pad the run to whole bytes")
        msg.fixed_size = self._fixed_size(msg)
        msg.rules = [self.rule(cls, msg, r, fields_by_name) for r in getattr(cls, "spec_rules", ())]
        msg.request_slots = tuple(dict.fromkeys(
            slot for r in getattr(cls, "spec_rules", ())
            for e in (r.when, r.must) if e is not None
            for slot in sorted(R.referenced_request_fields(e))
        ))
        template = getattr(cls, "summary_template", None)
        if template:
            msg.summary = self.summary(cls, template, fields_by_name)
        return msg

    @staticmethod
    def _fixed_size(msg: M.Message) -> int | None:
        total = 0
        for f in msg.fields:
            if f.kind == "int" and not f.group_end:
                continue
            if f.condition is not None or f.size is None or f.align_before or f.pad_to:
                return None
            total += f.size
        return total
