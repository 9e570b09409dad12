"""Translate scapy lambdas (length_from, count_from, conditions) to model expressions.

The lambda is called once with a stand-in packet whose attributes are symbols:
``lambda pkt: pkt.len - 4`` returns ``Arith("-", Value(len), Const(4))``.
Anything a symbol cannot stand for (``if``, ``and``/``or``, calls, bit
operations, other attributes than fields) raises ``Untranslatable``.
"""

from __future__ import annotations

from typing import Callable

from .. import model


class Untranslatable(Exception):
    pass


class _Sym:
    __slots__ = ("expr",)

    def __init__(self, expr: model.Expr) -> None:
        object.__setattr__(self, "expr", expr)

    @staticmethod
    def _wrap(x) -> model.Expr:
        if isinstance(x, _Sym):
            return x.expr
        if isinstance(x, bool) or not isinstance(x, int):
            raise Untranslatable(f"only integer constants can be used, not {x!r}")
        return model.Const(x)

    def _arith(self, op, other, reverse=False):
        a, b = self.expr, self._wrap(other)
        return _Sym(model.Arith(op, b, a) if reverse else model.Arith(op, a, b))

    def __add__(self, o):
        return self._arith("+", o)

    def __radd__(self, o):
        return self._arith("+", o, True)

    def __sub__(self, o):
        return self._arith("-", o)

    def __rsub__(self, o):
        return self._arith("-", o, True)

    def __mul__(self, o):
        return self._arith("*", o)

    def __rmul__(self, o):
        return self._arith("*", o, True)

    def _cmp(self, op, other):
        return _Sym(model.Compare(op, self.expr, self._wrap(other)))

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
        raise Untranslatable("the value is tested with if/and/or/not; use one comparison such as pkt.x == 1")

    def __index__(self):
        raise Untranslatable("the value is used as a Python int (slicing, range, ...)")

    def __int__(self):
        raise Untranslatable("the value is converted with int()")

    def __hash__(self):
        return id(self)

    def _unsupported(self, *_):
        raise Untranslatable("bit operations (&, |, <<, >>), division and modulo are not translated; "
                             "use + - * and one comparison, or a BitField for bits")

    __and__ = __rand__ = __or__ = __ror__ = __xor__ = __lshift__ = __rshift__ = _unsupported
    __truediv__ = __floordiv__ = __mod__ = __rtruediv__ = __rfloordiv__ = __rmod__ = _unsupported

    def __getattr__(self, name):
        raise Untranslatable(f"attribute {name!r} of a value is not translated")


class _PacketStandIn:
    """What the lambda receives as ``pkt``."""

    def __init__(self, resolve: Callable[[str], model.Expr]) -> None:
        object.__setattr__(self, "_resolve", resolve)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Sym(self._resolve(name))

    def getfieldval(self, name):
        return _Sym(self._resolve(name))


def translate(fn: Callable, resolve: Callable[[str], model.Expr]) -> model.Expr:
    """The model expression ``fn(pkt)`` computes; ``resolve`` maps a field name."""
    try:
        result = fn(_PacketStandIn(resolve))
    except Untranslatable:
        raise
    except (KeyError, LookupError) as exc:
        raise Untranslatable(str(exc)) from None
    except Exception as exc:  # the lambda did something a symbol cannot do
        raise Untranslatable(f"{type(exc).__name__}: {exc}") from None
    if isinstance(result, _Sym):
        return result.expr
    if isinstance(result, int) and not isinstance(result, bool):
        return model.Const(result)
    raise Untranslatable(f"it returns {result!r}, not a field-based integer expression")
