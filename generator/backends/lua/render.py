"""Render a ``model.Protocol`` to Lua with the jinja2 templates in lua_templates/."""

from __future__ import annotations

import jinja2

from ... import model as M
from ...names import lua_ident
from ..literals import expr_kind, operands, quoted


def lua_str(value) -> str:
    """A Lua string literal for any text: the only way strings reach the Lua.

    Double-quoted, with every byte outside printable ASCII (and the quote,
    the backslash) as a decimal escape, which all Lua versions read alike.
    """
    return quoted(value, '"\\', "\\%03d")


def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("lua_templates", ""),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        extensions=["jinja2.ext.do"],
    )
    env.filters["lua_str"] = lua_str
    env.filters["ident"] = lua_ident
    env.filters["kind"] = expr_kind
    env.filters["operands"] = operands
    return env


def render(proto: M.Protocol) -> str:
    text = environment().get_template("protocol.lua.j2").render(proto=proto)
    # blank-line runs left by template control blocks
    lines, blank = [], 0
    for line in text.splitlines():
        blank = blank + 1 if not line.strip() else 0
        if blank <= 1:
            lines.append(line.rstrip())
    return "\n".join(lines).strip() + "\n"
