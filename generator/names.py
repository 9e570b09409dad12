"""Names the model gives things: identifiers safe in the generated code, and
Wireshark filter-name parts. Shared by the frontend (which names) and the
backends (which name their locals the same way)."""

from __future__ import annotations

import re

LUA_KEYWORDS = {
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
    "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
}


def lua_ident(name: str) -> str:
    out = re.sub(r"[^A-Za-z0-9_]", "_", name)
    if not out or out[0].isdigit():
        out = "_" + out
    if out in LUA_KEYWORDS:
        out += "_"
    return out


def filter_part(name: str) -> str:
    out = re.sub(r"[^a-z0-9_]", "_", name.lower())
    return out or "_"


def unique(name: str, taken: set[str]) -> str:
    """``name``, or ``name_2``, ``name_3``... whichever is not taken yet (then it is)."""
    out, n = name, 2
    while out in taken:
        out, n = f"{name}_{n}", n + 1
    taken.add(out)
    return out
