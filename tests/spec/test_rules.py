"""The rule evaluator: values, and applicability when operands are missing."""

import pytest

from scapy_layers.spec.rules import (
    BufferLength, RuleContext, SpecRule, F, all_of, any_of, eq, ge, le, ne, not_, one_of,
    referenced_fields, referenced_request_fields, request, single_bit,
)


def ctx(length=60, request_fields=None, **fields):
    return RuleContext(fields=fields, length=length, request=request_fields)


@pytest.mark.parametrize("value,expected", [(0, False), (1, True), (2, True), (3, False), (0x80000000, True), (0xFFFFFFFF, False)])
def test_single_bit(value, expected):
    assert single_bit(F("x")).evaluate(ctx(x=value)) is expected


def test_rule_violated_and_conforming():
    r = SpecRule("r", "x must be zero", must=eq(F("x"), 0), field="x")
    assert r.violated(ctx(x=1))
    assert not r.violated(ctx(x=0))


def test_missing_operand_makes_rule_inapplicable():
    r = SpecRule("r", "m", must=eq(F("x"), 0))
    assert not r.violated(ctx())
    echo = SpecRule("e", "m", must=eq(F("a"), request("id")))
    assert not echo.violated(ctx(a=1))  # request unknown
    assert echo.violated(ctx(a=1, request_fields={"id": 2}))
    # AnyOf needs every operand, as the Lua does, whatever the term order
    assert not SpecRule("o", "m", must=any_of(eq(F("x"), 0), eq(F("y"), 0))).violated(ctx(x=5))


def test_when_narrows_the_rule():
    r = SpecRule("k", "m", when=single_bit(F("x")), must=one_of(F("x"), [1, 2]))
    assert not r.violated(ctx(x=3))  # not single bit: out of scope
    assert r.violated(ctx(x=4))
    assert not r.violated(ctx(x=2))


def test_buffer_length_and_combinators():
    r = SpecRule("b", "m", must=all_of(ge(BufferLength(), 60), not_(eq(F("x"), 1)), le(F("x"), 5), ne(F("x"), 4)))
    assert r.violated(ctx(length=59, x=0))
    assert not r.violated(ctx(length=60, x=0))
    assert r.violated(ctx(x=4))
    assert referenced_fields(r.must) == {"x"}
    assert referenced_request_fields(eq(F("a"), request("id"))) == {"id"}


def test_bad_severity_or_group_rejected():
    with pytest.raises(ValueError, match="severity"):
        SpecRule("r", "m", must=eq(F("x"), 0), severity="fatal")
    with pytest.raises(ValueError, match="group"):
        SpecRule("r", "m", must=eq(F("x"), 0), group="nope")
