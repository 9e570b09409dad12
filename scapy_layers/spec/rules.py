"""Spec rules as data.

A rule says what MUST hold for a conforming message, as a small expression tree
over the message's fields. The same tree is evaluated here (``SpecPacket.violations``)
and translated to Lua by the generator, so a rule is written exactly once, on the
layer, and both dissectors enforce it.

Semantics shared by both evaluators:
- an operand that cannot be read (a field missing from a truncated buffer, a
  request field when the request is unknown) makes the whole rule inapplicable:
  it neither holds nor fails;
- ``when`` narrows where a rule applies; ``must`` is what has to hold there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

SEVERITIES = ("chat", "note", "warn", "error")
GROUPS = ("protocol", "malformed", "response_code", "sequence")
COMPARISONS = ("==", "!=", "<", "<=", ">", ">=")


class Unavailable(Exception):
    """An operand has no value in this context (rule does not apply)."""


@dataclass(frozen=True)
class Expr:
    def evaluate(self, ctx: "RuleContext") -> Any:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass(frozen=True)
class FieldRef(Expr):
    """The value of a field of the message being checked."""

    name: str

    def evaluate(self, ctx):
        try:
            return ctx.fields[self.name]
        except KeyError:
            raise Unavailable(self.name) from None


@dataclass(frozen=True)
class RequestRef(Expr):
    """The value of a field of the request this reply answers."""

    name: str

    def evaluate(self, ctx):
        if ctx.request is None or self.name not in ctx.request:
            raise Unavailable("request." + self.name)
        return ctx.request[self.name]


@dataclass(frozen=True)
class BufferLength(Expr):
    """The length in bytes of the whole message buffer."""

    def evaluate(self, ctx):
        return ctx.length


@dataclass(frozen=True)
class Const(Expr):
    value: int

    def evaluate(self, ctx):
        return self.value


@dataclass(frozen=True)
class Compare(Expr):
    op: str
    left: Expr
    right: Expr

    def __post_init__(self):
        if self.op not in COMPARISONS:
            raise ValueError(f"unknown comparison {self.op!r}")

    def evaluate(self, ctx):
        a, b = self.left.evaluate(ctx), self.right.evaluate(ctx)
        return {
            "==": a == b, "!=": a != b, "<": a < b,
            "<=": a <= b, ">": a > b, ">=": a >= b,
        }[self.op]


@dataclass(frozen=True)
class OneOf(Expr):
    """The operand is one of a fixed set of values (an enum table's keys)."""

    operand: Expr
    values: tuple[int, ...]

    def evaluate(self, ctx):
        return self.operand.evaluate(ctx) in self.values


@dataclass(frozen=True)
class SingleBit(Expr):
    """Exactly one bit of the (unsigned 32-bit) operand is set."""

    operand: Expr

    def evaluate(self, ctx):
        v = self.operand.evaluate(ctx)
        return v > 0 and v & (v - 1) == 0


@dataclass(frozen=True)
class AllOf(Expr):
    terms: tuple[Expr, ...]

    def evaluate(self, ctx):
        # No short-circuit: every operand must be readable (see AnyOf).
        values = [t.evaluate(ctx) for t in self.terms]
        return all(values)


@dataclass(frozen=True)
class AnyOf(Expr):
    terms: tuple[Expr, ...]

    def evaluate(self, ctx):
        # Every operand must be readable, as in Lua, so both sides agree on
        # applicability whatever the order of the terms.
        values = [t.evaluate(ctx) for t in self.terms]
        return any(values)


@dataclass(frozen=True)
class Not(Expr):
    term: Expr

    def evaluate(self, ctx):
        return not self.term.evaluate(ctx)


@dataclass(frozen=True)
class RuleContext:
    fields: Mapping[str, int]
    length: int
    request: Mapping[str, int] | None = None


@dataclass(frozen=True)
class SpecRule:
    """One MUST of the specification.

    ``field`` names the offending field (expert info is attached to it); None
    means the message as a whole.
    """

    id: str
    message: str
    must: Expr
    field: str | None = None
    when: Expr | None = None
    severity: str = "warn"
    group: str = "protocol"
    spec: str = ""

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise ValueError(f"rule {self.id}: severity {self.severity!r} not in {SEVERITIES}")
        if self.group not in GROUPS:
            raise ValueError(f"rule {self.id}: group {self.group!r} not in {GROUPS}")

    def violated(self, ctx: RuleContext) -> bool:
        try:
            if self.when is not None and not self.when.evaluate(ctx):
                return False
            return not self.must.evaluate(ctx)
        except Unavailable:
            return False


# Small constructors so rules read like the spec sentence they encode.

def F(name: str) -> FieldRef:
    return FieldRef(name)


def request(name: str) -> RequestRef:
    return RequestRef(name)


def _operand(x) -> Expr:
    return x if isinstance(x, Expr) else Const(int(x))


def eq(a, b) -> Compare:
    return Compare("==", _operand(a), _operand(b))


def ne(a, b) -> Compare:
    return Compare("!=", _operand(a), _operand(b))


def lt(a, b) -> Compare:
    return Compare("<", _operand(a), _operand(b))


def le(a, b) -> Compare:
    return Compare("<=", _operand(a), _operand(b))


def ge(a, b) -> Compare:
    return Compare(">=", _operand(a), _operand(b))


def one_of(a, values) -> OneOf:
    return OneOf(_operand(a), tuple(sorted(int(v) for v in values)))


def single_bit(a) -> SingleBit:
    return SingleBit(_operand(a))


def all_of(*terms) -> AllOf:
    return AllOf(tuple(terms))


def any_of(*terms) -> AnyOf:
    return AnyOf(tuple(terms))


def not_(term) -> Not:
    return Not(term)


def referenced_fields(expr: Expr) -> set[str]:
    """Names of the message's own fields an expression reads."""
    if isinstance(expr, FieldRef):
        return {expr.name}
    out: set[str] = set()
    for child in _children(expr):
        out |= referenced_fields(child)
    return out


def referenced_request_fields(expr: Expr) -> set[str]:
    if isinstance(expr, RequestRef):
        return {expr.name}
    out: set[str] = set()
    for child in _children(expr):
        out |= referenced_request_fields(child)
    return out


def _children(expr: Expr):
    if isinstance(expr, Compare):
        return (expr.left, expr.right)
    if isinstance(expr, (OneOf, SingleBit)):
        return (expr.operand,)
    if isinstance(expr, (AllOf, AnyOf)):
        return expr.terms
    if isinstance(expr, Not):
        return (expr.term,)
    return ()
