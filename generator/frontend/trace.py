"""Translate scapy lambdas (length_from, count_from, conditions) to model expressions.

The function is called with a stand-in packet whose attributes are symbols:
``lambda pkt: pkt.len - 4`` returns ``Arith("-", Value(len), Const(4))``.
Python's ``if``/``and``/``or``/``not``/``in`` and ``max()`` test a symbol's
truth, which a symbol cannot know: each test answers True on one run and
False on another, so the function runs once per path through it and the
paths' results fold into one expression (``IfElse``, ``AllOf``, ``AnyOf``).
Running the real function, rather than reading its source, also takes in what
it computes from anything but the packet (scapy's configuration, constants,
helper functions). A symbol refuses what it cannot stand for (``int()``,
dict or set lookups, division by a field, other attributes than fields) with
``Untranslatable``.
"""

from __future__ import annotations

from typing import Callable

from .. import model
from .logic import as_int, choice, negation, truth

MAX_PATHS = 256
FlagMask = Callable[[str], "int | None"]  # a flag attribute (pkt.flags.A) -> the bits it names
Flags = Callable[[str], "FlagMask | None"]  # a field name -> its FlagMask, for a FlagsField  # a longer enumeration is not a layer's condition but a program


class Untranslatable(Exception):
    pass


class _Run:
    """One run of the function: it answers truth tests from ``plan``, then True."""

    def __init__(self, plan: tuple[bool, ...]) -> None:
        self.plan = plan
        self.tests: list[model.Expr] = []
        self.answers: list[bool] = []

    def known(self, condition: model.Expr) -> bool | None:
        """The answer this path already gave ``condition`` (or its negation), if any."""
        if isinstance(condition, model.Bool):
            return condition.value
        for earlier, answer in zip(self.tests, self.answers):
            if earlier == condition:
                return answer
            if earlier == negation(condition):
                return not answer
        return None

    def decide(self, condition: model.Expr) -> bool:
        condition = truth(condition)
        # a test repeated on one path has the answer it had, and no other branch
        answer = self.known(condition)
        if answer is not None:
            return answer
        i = len(self.answers)
        answer = self.plan[i] if i < len(self.plan) else True
        self.tests.append(condition)
        self.answers.append(answer)
        return answer


def _const(x) -> model.Expr:
    if isinstance(x, (bool, int)):
        return model.Const(int(x))
    raise Untranslatable(f"only integer constants can be used, not {x!r}")


class _Sym:
    __slots__ = ("expr", "run", "flag_mask")

    def __init__(self, expr: model.Expr, run: _Run, flag_mask: FlagMask | None = None) -> None:
        object.__setattr__(self, "expr", expr)
        object.__setattr__(self, "run", run)
        object.__setattr__(self, "flag_mask", flag_mask)

    def _new(self, expr: model.Expr) -> _Sym:
        return _Sym(expr, self.run)

    @staticmethod
    def _int(x) -> model.Expr:
        return as_int(x.expr) if isinstance(x, _Sym) else _const(x)

    def _binary(self, node, op, other, reverse=False):
        a, b = self._int(self), self._int(other)
        return self._new(node(op, b, a) if reverse else node(op, a, b))

    def __add__(self, o):
        return self._binary(model.Arith, "+", o)

    def __radd__(self, o):
        return self._binary(model.Arith, "+", o, True)

    def __sub__(self, o):
        return self._binary(model.Arith, "-", o)

    def __rsub__(self, o):
        return self._binary(model.Arith, "-", o, True)

    def __mul__(self, o):
        return self._binary(model.Arith, "*", o)

    def __rmul__(self, o):
        return self._binary(model.Arith, "*", o, True)

    def __and__(self, o):
        return self._binary(model.Bits, "&", o)

    def __rand__(self, o):
        return self._binary(model.Bits, "&", o, True)

    def __or__(self, o):
        return self._binary(model.Bits, "|", o)

    def __ror__(self, o):
        return self._binary(model.Bits, "|", o, True)

    def __xor__(self, o):
        return self._binary(model.Bits, "^", o)

    def __rxor__(self, o):
        return self._binary(model.Bits, "^", o, True)

    def _shift(self, op, count):
        if isinstance(count, _Sym) or not isinstance(count, int) or not 0 <= count <= 63:
            raise Untranslatable(f"a shift ({op}) needs a constant count of 0 to 63, not {_shown(count)}")
        return self._binary(model.Bits, op, count)

    def __lshift__(self, o):
        return self._shift("<<", o)

    def __rshift__(self, o):
        return self._shift(">>", o)

    def _divide(self, op, divisor):
        if isinstance(divisor, _Sym) or not isinstance(divisor, int) or divisor == 0:
            raise Untranslatable(f"{op} needs a nonzero constant divisor, not {_shown(divisor)}")
        return self._binary(model.FloorDiv, op, divisor)

    def __floordiv__(self, o):
        return self._divide("//", o)

    def __mod__(self, o):
        return self._divide("%", o)

    def _by_field(self, *_):
        raise Untranslatable("a field is a divisor or a shift count; only constants are translated there")

    __rfloordiv__ = __rmod__ = __rlshift__ = __rrshift__ = _by_field

    def _no_float(self, *_):
        raise Untranslatable("/ makes a float; use // for a length or a count")

    __truediv__ = __rtruediv__ = _no_float

    def __neg__(self):
        return self._new(model.Arith("-", model.Const(0), self._int(self)))

    def __pos__(self):
        return self._new(self._int(self))

    def __invert__(self):
        return self._new(model.Arith("-", model.Const(-1), self._int(self)))

    def __abs__(self):
        v = self._int(self)
        return self._new(model.IfElse(model.Compare("<", v, model.Const(0)), model.Arith("-", model.Const(0), v), v))

    def _cmp(self, op, other):
        return self._new(model.Compare(op, self._int(self), self._int(other)))

    def __eq__(self, o):  # type: ignore[override]
        return self._cmp("==", o)

    def __ne__(self, o):  # type: ignore[override]
        return self._cmp("~=", o)

    def __lt__(self, o):
        return self._cmp("<", o)

    def __le__(self, o):
        return self._cmp("<=", o)

    def __gt__(self, o):
        return self._cmp(">", o)

    def __ge__(self, o):
        return self._cmp(">=", o)

    def __bool__(self):
        return self.run.decide(self.expr)

    def __index__(self):
        raise Untranslatable("the value is used as a Python int (slicing, range, ...)")

    def __int__(self):
        raise Untranslatable("the value is converted with int()")

    def __float__(self):
        raise Untranslatable("the value is converted with float()")

    def __hash__(self):
        raise Untranslatable("the value is looked up in a dict or a set; compare it with == or test "
                             "membership in a tuple (pkt.x in (1, 2))")

    def __getattr__(self, name):
        # a FlagsField's value names its flags: pkt.flags.A is "every bit A names is set"
        mask = self.flag_mask(name) if self.flag_mask is not None else None
        if mask is None:
            raise Untranslatable(f"attribute {name!r} of a value is not translated")
        return self._new(model.Compare("==", model.Bits("&", self.expr, model.Const(mask)), model.Const(mask)))


def _shown(x) -> str:
    return "a field" if isinstance(x, _Sym) else repr(x)


class _PacketStandIn:
    """What the function receives as ``pkt``."""

    def __init__(self, resolve: Callable[[str], model.Expr], flags: Flags | None, run: _Run,
                 below: Callable[[str], model.Expr] | None = None) -> None:
        object.__setattr__(self, "_resolve", resolve)
        object.__setattr__(self, "_flags", flags)
        object.__setattr__(self, "_run", run)
        object.__setattr__(self, "_below", below)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name == "underlayer" and self._below is not None:
            return _PacketStandIn(self._below, None, self._run)
        return self.getfieldval(name)

    def getfieldval(self, name):
        value = self._resolve(name)
        if not isinstance(value, model.Expr):  # a constant of the class: Python computes with it
            return value
        return _Sym(value, self._run, self._flags(name) if self._flags else None)


def _call(fn: Callable, resolve, flags, run: _Run, below=None):
    try:
        return fn(_PacketStandIn(resolve, flags, run, below))
    except Untranslatable:
        raise
    except Exception as exc:  # the function did something a symbol cannot do, or fails by itself
        raise Untranslatable(f"{type(exc).__name__}: {exc}") from None


def _result(value, boolean: bool) -> model.Expr:
    """What one path returns, as a condition (``boolean``) or an integer."""
    if boolean:
        if isinstance(value, _Sym):
            return truth(value.expr)
        if value is None or isinstance(value, (bool, int)):
            return model.Bool(bool(value))
        raise Untranslatable(f"it returns {value!r}, not a truth value")
    if isinstance(value, _Sym):
        return as_int(value.expr)
    if isinstance(value, (bool, int)):
        return model.Const(int(value))
    raise Untranslatable(f"it returns {value!r}, not a field-based integer expression")


def translate(fn: Callable, resolve: Callable[[str], model.Expr], boolean: bool = False,
              flags: Flags | None = None, below: Callable[[str], model.Expr] | None = None) -> model.Expr:
    """The model expression ``fn(pkt)`` computes; ``resolve`` maps a field name.

    ``boolean``: the function is a condition (Python's truth of its result).
    ``flags``: a field name -> its flags' masks by attribute (FlagsField), or None.
    ``below``: maps a field name of ``pkt.underlayer`` (None: the underlayer is not translated)."""
    tests: dict[tuple[bool, ...], model.Expr] = {}  # path so far -> the condition tested next
    results: dict[tuple[bool, ...], model.Expr] = {}  # whole path -> what it returns
    pending: list[tuple[bool, ...]] = [()]
    while pending:
        plan = pending.pop()
        run = _Run(plan)
        value = _result(_call(fn, resolve, flags, run, below), boolean)
        # "a and b" returns a where a was false: then a is False, or 0
        if boolean and run.known(value) is not None:
            value = model.Bool(run.known(value))
        elif not boolean and run.known(truth(value)) is False:
            value = model.Const(0)
        path = tuple(run.answers)
        if len(path) < len(plan):
            raise Untranslatable("it tests different conditions from one run to the next")
        for i, condition in enumerate(run.tests):
            if tests.setdefault(path[:i], condition) != condition:
                raise Untranslatable("it tests different conditions from one run to the next")
            if i >= len(plan):
                pending.append(path[:i] + (not path[i],))
        results[path] = value
        if len(results) > MAX_PATHS:
            raise Untranslatable(f"it takes more than {MAX_PATHS} paths through its tests")
    return _fold((), tests, results, boolean)


def _fold(path, tests, results, boolean) -> model.Expr:
    if path in results:
        return results[path]
    return choice(tests[path], _fold(path + (True,), tests, results, boolean),
                  _fold(path + (False,), tests, results, boolean), boolean)
