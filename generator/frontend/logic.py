"""Python's truthiness, written as model expressions.

Python tests any integer for truth (``pkt.flags & 4`` means ``!= 0``), lets
``and``/``or`` return an operand rather than a bool, and adds truth values as
integers. The model keeps the two apart (Lua's 0 is true): these helpers turn
one into the other and fold the branches a traced function took into one
expression, as plain as the branches allow.
"""

from __future__ import annotations

from .. import model as M

_INVERSE = {"==": "~=", "~=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}


def is_truth(e: M.Expr) -> bool:
    return isinstance(e, M.BOOLEAN_EXPRS)


def truth(e: M.Expr) -> M.Expr:
    """``e`` as a condition: an integer is true when it is not zero."""
    if is_truth(e):
        return e
    if isinstance(e, M.Const):
        return M.Bool(e.value != 0)
    return M.Compare("~=", e, M.Const(0))


def as_int(e: M.Expr) -> M.Expr:
    """``e`` as an integer: a truth value counts 1 or 0, as Python's bool does."""
    if isinstance(e, M.Bool):
        return M.Const(int(e.value))
    if is_truth(e):
        return M.IfElse(e, M.Const(1), M.Const(0))
    return e


def negation(e: M.Expr) -> M.Expr:
    if isinstance(e, M.Bool):
        return M.Bool(not e.value)
    if isinstance(e, M.Not):
        return e.term
    if isinstance(e, M.Compare):
        return M.Compare(_INVERSE[e.op], e.left, e.right)
    return M.Not(e)


def _joined(node: type, identity: bool, terms) -> M.Expr:
    """``terms`` joined by ``node`` (AllOf: identity True, AnyOf: False): nested
    joins of the same kind flattened, repeats and identities dropped, and the
    absorbing value (``not identity``) returned as soon as it appears."""
    flat: list[M.Expr] = []
    for t in terms:
        if t == M.Bool(not identity):
            return t
        for u in t.terms if isinstance(t, node) else (t,):
            if u != M.Bool(identity) and u not in flat:
                flat.append(u)
    return M.Bool(identity) if not flat else flat[0] if len(flat) == 1 else node(tuple(flat))


def all_of(*terms: M.Expr) -> M.Expr:
    return _joined(M.AllOf, True, terms)


def any_of(*terms: M.Expr) -> M.Expr:
    return _joined(M.AnyOf, False, terms)


def choice(test: M.Expr, then: M.Expr, otherwise: M.Expr, boolean: bool) -> M.Expr:
    """``then if test else otherwise``; ``boolean``: both branches are conditions."""
    if then == otherwise:
        return then
    if not boolean:
        return M.IfElse(test, then, otherwise)
    # written with and/or so that the Lua and the C need no conditional truth value
    if otherwise == M.Bool(False):
        return all_of(test, then)
    if then == M.Bool(True):
        return any_of(test, otherwise)
    if then == M.Bool(False):
        return all_of(negation(test), otherwise)
    if otherwise == M.Bool(True):
        return any_of(negation(test), then)
    return any_of(all_of(test, then), all_of(negation(test), otherwise))
