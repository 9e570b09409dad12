"""What every backend does alike with the model: quote a string for its
language, and name the locals an expression reads."""

from __future__ import annotations

from .. import model as M
from ..names import lua_ident


def quoted(value, specials: str, escape: str) -> str:
    """``value`` as a double-quoted literal: each byte outside printable ASCII,
    and each of ``specials``, written with ``escape % byte`` (e.g. ``\\\\%03d``)."""
    out = ['"']
    for byte in str(value).encode("utf-8"):
        ch = chr(byte)
        if ch in specials or byte < 0x20 or byte >= 0x7F:
            out.append(escape % byte)
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def expr_kind(e) -> str:
    return type(e).__name__


def operands(exprs) -> list[str]:
    """Locals an expression list reads, in first-use order (v_*, rq_*)."""
    seen: list[str] = []

    def walk(e):
        if e is None:
            return
        if isinstance(e, M.Value):
            name = "v_" + e.field
        elif isinstance(e, M.RequestValue):
            name = "rq_" + lua_ident(e.field)
        else:
            name = None
        if name and name not in seen:
            seen.append(name)
        for attr in ("left", "right", "operand", "term"):
            walk(getattr(e, attr, None))
        for t in getattr(e, "terms", ()) or ():
            walk(t)

    for e in exprs:
        walk(e)
    return seen
