"""One-line summaries of a message, declared as a template on the class.

``summary_template = "SetAgentSessionState hLine={hLine} {dwAgentSessionState:short}"``

Each ``{field}`` or ``{field:style}`` is replaced by the field's value:
``value`` (default: the enum name when there is one, hex for X fields,
decimal otherwise), ``name`` (enum name or decimal), ``short`` (enum name
after its first underscore), ``hex`` or ``dec``. Hex is zero-padded to the
field's width, as Wireshark shows it in the tree (``0x00010001``). A value the
enum does not name reads as the field's ``unknown_label`` and the decimal
value (``pending, request id 7``) when the field has one. scapy's
``mysummary`` and the generated dissectors' Info column both render from the
same parsed template; a message that breaks spec rules ends with
``violation_suffix`` in both.
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


def hex_digits(field) -> int:
    """Digits of a zero-padded hex value: two per byte of a fixed-size field."""
    size = getattr(field, "sz", None)
    return 2 * size if isinstance(size, int) and 0 < size <= 8 else 1


def render_value(field, value, style: str) -> str:
    names = getattr(field, "i2s", None) or {}
    if value is None:
        return "?"
    if style == "hex" or (style == "value" and not names and _is_hex(field)):
        return "0x%0*x" % (hex_digits(field), value)
    if style == "dec":
        return "%d" % value
    if value in names:
        return short_name(names[value]) if style == "short" else names[value]
    unknown = getattr(field, "unknown_label", None)
    if names and unknown:
        return "%s %d" % (unknown, value)
    return "%d" % value


# A message that breaks spec rules: its summary ends with OPEN, the rules'
# messages joined by SEPARATOR, and CLOSE (the generator hands the same three
# to the dissectors).
VIOLATION_OPEN, VIOLATION_SEPARATOR, VIOLATION_CLOSE = " [spec violation: ", "; ", "]"


def violation_suffix(messages: list[str]) -> str:
    """What a summary (and the Info column) adds after a message that breaks spec rules."""
    if not messages:
        return ""
    return VIOLATION_OPEN + VIOLATION_SEPARATOR.join(messages) + VIOLATION_CLOSE


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
