"""A scapy Packet that knows its spec rules and survives short input."""

from __future__ import annotations

import re
import struct
from typing import NamedTuple

from scapy.fields import (
    BitField, ConditionalField, FieldListField, PacketField, PacketListField, StrField, StrFixedLenField,
)
from scapy.packet import Packet, Raw

from .rules import RuleContext, SpecRule


class Violation(NamedTuple):
    rule: str
    severity: str
    message: str


_INT_FMT = re.compile(r"^[<>!=@]?[bBhHiIlLqQ]$")


def fixed_size(field) -> int | None:
    """Wire size of a fixed-size integer or fixed-length bytes field, else None.

    Not ``field.sz``: every scapy Field has one, variable-length ones too.
    """
    if isinstance(field, StrFixedLenField) and field.length_from is not None:
        n = field.length_from(None)
        return n if isinstance(n, int) else None
    if isinstance(field, (StrField, PacketField, PacketListField, FieldListField, ConditionalField, BitField)):
        return None
    fmt = getattr(field, "fmt", None)
    if not (isinstance(fmt, str) and _INT_FMT.match(fmt)):
        return None
    # three-byte integers pack through "!I"/"<I" and keep 3 bytes: their sz says so
    return field.sz if isinstance(field.sz, int) else struct.calcsize(fmt)


_LAYOUTS: dict[int, tuple] = {}


class SpecPacket(Packet):
    """Base of layers that declare ``spec_rules``.

    Dissection never raises on a short buffer: it stops before the first
    fixed-size field that does not fit and keeps the rest as Raw, so a
    truncated message still shows every field it has.
    """

    __slots__ = ["truncated", "request"]
    spec_rules: tuple[SpecRule, ...] = ()

    def __init__(self, *args, request: "Packet | None" = None, **kwargs):
        self.truncated = False
        self.request = request
        super().__init__(*args, **kwargs)
        if args and isinstance(args[0], (bytes, bytearray)) and not args[0]:
            # scapy takes b"" as "no packet" and keeps defaults; an empty
            # buffer is a message with nothing in it.
            self.do_dissect(b"")

    def copy(self):
        # scapy copies through a fresh instance: without these a copy (and so
        # every `a / b`, as DceRpcSession builds its packets) would forget it
        # was cut short, how long its buffer was and the request it answers.
        clone = super().copy()
        clone.truncated, clone.request, clone.original = self.truncated, self.request, self.original
        return clone

    def _layout(self) -> tuple[list, int | None]:
        """Per field its fixed size (or None); and the bytes a whole message of
        fixed-size fields (the last one may vary) needs, else None. Cached per
        fields_desc: computing it was an eighth of read_tapi."""
        key = id(self.fields_desc)
        cached = _LAYOUTS.get(key)
        if cached is None or cached[0] is not self.fields_desc:
            sizes = [fixed_size(f) for f in self.fields_desc]
            whole = sum(n or 0 for n in sizes) if all(sizes[:-1]) else None
            cached = _LAYOUTS[key] = (self.fields_desc, sizes, whole)
        return cached[1], cached[2]

    def do_dissect(self, s):
        sizes, whole = self._layout()
        if whole is not None and len(s) >= whole:
            return super().do_dissect(s)
        raw = s
        self.raw_packet_cache_fields = {}
        for f, size in zip(self.fields_desc, sizes):
            if self.truncated or (size is not None and len(s) < size):
                # Shown as None: absent, not a default value.
                self.truncated = True
                self.fields[f.name] = None
                continue
            s, self.fields[f.name] = f.getfield(self, s)
        self.raw_packet_cache = raw[: len(raw) - len(s)]
        self.explicit = 1
        return s

    def guess_payload_class(self, payload):
        return Raw

    def mysummary(self):
        template = getattr(self, "summary_template", None)
        if template is None:
            return super().mysummary()
        from .summary import render, violation_suffix

        return render(self, template) + violation_suffix([v.message for v in self.violations()])

    # --- spec checks

    def present_values(self) -> dict[str, int]:
        """Integer values of the fields this message really carries."""
        out = {}
        for f in self.fields_desc:
            v = self.getfieldval(f.name)
            if isinstance(v, int):
                out[f.name] = v
        return out

    def buffer_length(self) -> int:
        # scapy leaves original b"" on built packets; a dissected empty
        # buffer is truncated.
        if self.original or self.truncated:
            return len(self.original or b"")
        return len(bytes(self))

    def violations(self, request: "Packet | None" = None) -> list[Violation]:
        """The spec rules this message breaks; empty when it conforms."""
        req = request if request is not None else self.request
        ctx = RuleContext(
            fields=self.present_values(),
            length=self.buffer_length(),
            request=req.present_values() if isinstance(req, SpecPacket) else None,
        )
        return [
            Violation(r.id, r.severity, r.message)
            for r in self.spec_rules
            if r.violated(ctx)
        ]

    @classmethod
    def rule(cls, rule_id: str) -> SpecRule:
        for r in cls.spec_rules:
            if r.id == rule_id:
                return r
        raise KeyError(f"{cls.__name__} has no rule {rule_id!r}")
