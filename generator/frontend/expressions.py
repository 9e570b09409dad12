"""Expressions: scapy lambdas (lengths, counts, conditions), spec rules and
summary templates -> model expressions."""

from __future__ import annotations

from scapy import fields as sf
from scapy.config import conf

from scapy_layers.spec import rules as R
from scapy_layers.spec.summary import parse_summary, short_name

from .. import model as M
from ..names import filter_part, lua_ident
from .errors import GeneratorError, location
from .trace import Untranslatable, translate

def _scapy_field(cls, name):
    for fld in cls.fields_desc:
        while isinstance(fld, (sf.ConditionalField, sf.PadField)):
            fld = fld.fld
        if getattr(fld, "name", None) == name:
            return fld
    return None


def _class_constant(cls, name: str):
    """A number or string the class (or a base) defines as a plain attribute, not
    a field of its own (DNS's and HSFZ's settings): the same for every packet."""
    if any(getattr(f, "name", None) == name for f in cls.fields_desc):
        return None
    for base in cls.__mro__:
        if name in vars(base):
            value = vars(base)[name]
            return value if isinstance(value, (bool, int, str, bytes)) else None
    return None


def _flag_mask(fld):
    """For a FlagsField: flag attribute -> the bits scapy's FlagValue tests for it
    (``pkt.flags.SA`` is S and A), asked of FlagValue itself; else None."""
    if not isinstance(fld, sf.FlagsField):
        return None
    width = abs(fld.size)
    every = (1 << width) - 1

    def holds(value, attr):
        if attr.startswith("_") or attr in sf.FlagValue.__slots__:
            return None
        try:
            answer = getattr(sf.FlagValue(value, fld.names), attr)
        except AttributeError:
            return None
        return answer if isinstance(answer, bool) else None

    def mask(attr):
        if holds(every, attr) is not True:
            return None
        bits = sum(1 << i for i in range(width) if holds(every & ~(1 << i), attr) is False)
        return bits or None

    return mask


SEVERITY = {"chat": "CHAT", "note": "NOTE", "warn": "WARN", "error": "ERROR"}
GROUP = {"protocol": "PROTOCOL", "malformed": "MALFORMED", "response_code": "RESPONSE_CODE",
         "sequence": "SEQUENCE"}


class Expressions:
    """The expression half of ProtocolBuilder (a mixin: it needs claim_abbrev, value_set, enum_table)."""

    def expr_of(self, cls, fld, fn, known, what, boolean=False) -> M.Expr:
        def resolve(name):
            if name not in known:
                constant = _class_constant(cls, name)
                if constant is not None:
                    return constant
                raise Untranslatable(f"pkt.{name} is not a field before {fld.name}")
            if known[name].kind == "virtual":
                raise Untranslatable(f"pkt.{name} is read by the structure holding it, before it")
            if known[name].kind == "choice":
                raise Untranslatable(f"pkt.{name} is a MultipleTypeField: its type depends on other fields")
            if known[name].scaling is not None:
                raise Untranslatable(f"pkt.{name} is a ScalingField's scaled value; the dissectors compute "
                                     f"integers here")
            known[name].referenced = True
            return M.Value(known[name].ident)

        def flags(name):
            return _flag_mask(_scapy_field(cls, name))

        def below(name):
            carriers = [c for c in conf.layers if any(nxt is cls for _, nxt in getattr(c, "payload_guess", ()))]
            if not any(_scapy_field(c, name) is not None for c in carriers):
                raise Untranslatable(f"pkt.underlayer.{name}: no class carrying {cls.__name__} as its payload "
                                     f"(bind_layers) has a field {name}")
            self.below_reads.setdefault(cls, []).append(name)
            return M.UnderValue(name)

        try:
            return translate(fn, resolve, boolean, flags, below)
        except Untranslatable as exc:
            raise GeneratorError(
                f"{location(cls, fld)}: cannot translate {what} ({exc}); write it as a lambda of earlier "
                f"fields, e.g. lambda pkt: pkt.length - 4 or lambda pkt: pkt.kind == 1") from None

    def rule(self, cls, msg, rule: R.SpecRule, known) -> M.Rule:
        where = f"{cls.__name__} rule {rule.id!r}"

        def conv(e: R.Expr) -> M.Expr:
            if isinstance(e, R.FieldRef):
                if e.name not in known:
                    raise GeneratorError(f"{where}: {e.name!r} is not a field of {cls.__name__}")
                known[e.name].referenced = True
                return M.Value(known[e.name].ident)
            if isinstance(e, R.RequestRef):
                if e.name not in self.request_slots:
                    self.request_slots.append(e.name)
                return M.RequestValue(e.name, "req_" + lua_ident(e.name))
            if isinstance(e, R.BufferLength):
                return M.MessageLength()
            if isinstance(e, R.Const):
                return M.Const(int(e.value))
            if isinstance(e, R.Compare):
                return M.Compare("~=" if e.op == "!=" else e.op, conv(e.left), conv(e.right))
            if isinstance(e, R.OneOf):
                return M.InSet(conv(e.operand), self.value_set(e.values).ident)
            if isinstance(e, R.SingleBit):
                return M.SingleBit(conv(e.operand))
            if isinstance(e, R.AllOf):
                return M.AllOf(tuple(conv(t) for t in e.terms))
            if isinstance(e, R.AnyOf):
                return M.AnyOf(tuple(conv(t) for t in e.terms))
            if isinstance(e, R.Not):
                return M.Not(conv(e.term))
            raise GeneratorError(f"{where}: expression {type(e).__name__} is not translated")

        if rule.field is not None and rule.field not in known:
            raise GeneratorError(f"{where}: field {rule.field!r} is not a field of {cls.__name__}")
        return M.Rule(
            ident=lua_ident(f"{msg.ident}_{rule.id}"), rule_id=rule.id,
            abbrev=self.claim_abbrev(f"{msg.abbrev}.rule.{filter_part(rule.id)}", where),
            message=rule.message, group=GROUP[rule.group], severity=SEVERITY[rule.severity],
            field=known[rule.field].ident if rule.field else None,
            when=conv(rule.when) if rule.when is not None else None, must=conv(rule.must),
        )

    def summary(self, cls, template, known) -> tuple[M.SummaryPart, ...]:
        try:
            parts = parse_summary(template)
        except ValueError as exc:
            raise GeneratorError(f"{cls.__name__}.summary_template: {exc}") from None
        out = []
        for p in parts:
            if p.text is not None:
                out.append(M.SummaryPart(text=p.text))
                continue
            f = known.get(p.field)
            if f is None or f.kind != "int":
                raise GeneratorError(f"{cls.__name__}.summary_template: {{{p.field}}} is not an integer field")
            f.referenced = True
            style = p.style
            if style == "value":
                style = "name" if f.enum else ("hex" if f.base == "HEX" else "dec")
            if style in ("name", "short") and f.enum is None:
                style = "dec"
            table = None
            if style == "name":
                table = f.enum.ident
            elif style == "short":
                short = {v: short_name(n) for v, n in f.enum.entries}
                table = self.enum_table(short, f"{cls.__name__}_{f.name}_short").ident
                style = "name"
            out.append(M.SummaryPart(field=f.ident, style=style, table=table,
                                     unknown_label=f.unknown_label if style == "name" else None,
                                     digits=2 * f.size if style == "hex" and f.size else 1))
        return tuple(out)
