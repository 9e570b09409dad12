"""What every backend's templates need alike: a strict jinja2 environment, one
quoting filter per language, the locals an expression reads, and the
tidying of blank lines that template control blocks leave."""

from __future__ import annotations

import jinja2

from .. import model as M
from ..names import lua_ident


def environment(loader: jinja2.BaseLoader, string_filter: str, quote) -> jinja2.Environment:
    """The templates' environment: undefined names fail, and ``string_filter`` is the
    one way a string reaches the generated code."""
    env = jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        extensions=["jinja2.ext.do"],
    )
    env.filters[string_filter] = quote
    env.filters["ident"] = lua_ident
    env.filters["kind"] = expr_kind
    env.filters["operands"] = operands
    env.filters["ber_tree"] = M.ber_tree
    env.globals["BER_MAX_DEPTH"] = M.BER_MAX_DEPTH
    return env


def tidy(text: str) -> str:
    """At most one blank line in a row (template control blocks leave runs), no trailing spaces."""
    lines, blank = [], 0
    for line in text.splitlines():
        blank = blank + 1 if not line.strip() else 0
        if blank <= 1:
            lines.append(line.rstrip())
    return "\n".join(lines).strip() + "\n"


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


def operands(exprs, absent_ok: bool = False) -> list[str]:
    """Locals an expression list reads, in first-use order (v_*, rq_*, u_*).
    ``absent_ok``: without those read only by == and ~= (an absent field is
    scapy's None there, equal to nothing: the expressions render it so)."""
    seen: list[str] = []

    def walk(e):
        if e is None:
            return
        if absent_ok and isinstance(e, M.Compare) and e.op in ("==", "~="):
            for side in (e.left, e.right):
                if not isinstance(side, (M.Value, M.RequestValue, M.UnderValue)):
                    walk(side)
            return
        if isinstance(e, M.Value):
            name = "v_" + e.field
        elif isinstance(e, M.RequestValue):
            name = "rq_" + lua_ident(e.field)
        elif isinstance(e, M.UnderValue):
            name = "u_" + lua_ident(e.field)
        else:
            name = None
        if name and name not in seen:
            seen.append(name)
        for child in M.children(e):
            walk(child)

    for e in exprs:
        walk(e)
    return seen
