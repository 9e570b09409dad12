"""Render a ``model.Protocol`` to Lua with the jinja2 templates in lua_templates/."""

from __future__ import annotations

import functools

import jinja2

from ... import model as M
from .. import templating
from ..templating import quoted, tidy


def lua_str(value) -> str:
    """A Lua string literal for any text: the only way strings reach the Lua.

    Double-quoted, with every byte outside printable ASCII (and the quote,
    the backslash) as a decimal escape, which all Lua versions read alike.
    """
    return quoted(value, '"\\', "\\%03d")


@functools.cache  # one per process: jinja2 then compiles each template once, not once per render
def environment() -> jinja2.Environment:
    return templating.environment(jinja2.PackageLoader("lua_templates", ""), "lua_str", lua_str)


def render(proto: M.Protocol) -> str:
    return tidy(environment().get_template("protocol.lua.j2").render(proto=proto))
