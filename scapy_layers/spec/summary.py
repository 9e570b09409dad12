"""One-line summaries of a message, declared as a template on the class.

``summary_template = "SetAgentSessionState hLine={hLine} {dwAgentSessionState:short}"``

Each ``{field}`` or ``{field:style}`` is replaced by the field's value:
``value`` (default: the enum name when there is one, hex for X fields,
decimal otherwise), ``name`` (enum name or decimal), ``short`` (enum name
after its first underscore), ``hex`` or ``dec``. scapy's ``mysummary`` and the
generated Lua's Info column both render from the same parsed template.
"""

from __future__ import annotations

import re
from typing import NamedTuple

STYLES = ("value", "name", "short", "hex", "dec")
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::([a-z]+))?\}")


class Part(NamedTuple):
    text: str | None
    field: str | None
    style: str


def parse_summary(template: str) -> list[Part]:
    parts, pos = [], 0
    for m in _PLACEHOLDER.finditer(template):
        if m.start() > pos:
            parts.append(Part(template[pos: m.start()], None, ""))
        style = m.group(2) or "value"
        if style not in STYLES:
            raise ValueError(f"summary {template!r}: unknown style {style!r}; use one of {', '.join(STYLES)}")
        parts.append(Part(None, m.group(1), style))
        pos = m.end()
    if pos < len(template):
        parts.append(Part(template[pos:], None, ""))
    if any(p.text and ("{" in p.text or "}" in p.text) for p in parts):
        raise ValueError(f"summary {template!r}: unbalanced braces")
    return parts


def short_name(name: str) -> str:
    return name.split("_", 1)[1] if "_" in name else name


def render_value(field, value, style: str) -> str:
    names = getattr(field, "i2s", None) or {}
    if value is None:
        return "?"
    if style == "hex" or (style == "value" and not names and _is_hex(field)):
        return "0x%x" % value
    if style == "dec":
        return "%d" % value
    if value in names:
        return short_name(names[value]) if style == "short" else names[value]
    return "%d" % value


def _is_hex(field) -> bool:
    return type(field).__name__.startswith("X")


def render(pkt, template: str) -> str:
    out = []
    for part in parse_summary(template):
        if part.text is not None:
            out.append(part.text)
        else:
            out.append(render_value(pkt.get_field(part.field), pkt.getfieldval(part.field), part.style))
    return "".join(out)
