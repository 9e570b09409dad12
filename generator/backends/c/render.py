"""Render a ``model.Protocol`` to a Wireshark C plugin with the jinja2 templates
in templates/ (one per construct, as for the Lua backend).

Every string of the model reaches the C through one filter, ``c_str``; the
model's identifiers (letters, digits, underscores) only ever appear behind a
prefix of ours (``hf_``, ``v_``, ``dissect_``...), so no name of a scapy class
can become a C keyword, a reserved name or a comment terminator.
"""

from __future__ import annotations

import functools
import uuid

import jinja2

from ... import model as M
from ...names import lua_ident
from .. import templating
from ..templating import quoted, tidy

# What a C plugin cannot take from the model (each names the class and field).
MAX_ENUM_VALUE = 0xFFFFFFFF


class CBackendError(ValueError):
    """A construct the C backend refuses: names the class, the field and the reason."""


def c_str(value) -> str:
    """A C string literal for any text: the only way strings reach the C.

    Double-quoted; every byte outside printable ASCII, the quote, the
    backslash and '?' (trigraphs) is a three-digit octal escape, which cannot
    run into the next character. (No such string is ever a printf format: the
    templates pass each one as the argument of a "%s".)
    """
    return quoted(value, '"\\?', "\\%03o")


def _check(proto: M.Protocol) -> None:
    """Refuse what the C plugin cannot render, naming class and field."""
    for m in proto.messages:
        for f in m.flat_fields:
            where = f"{m.name}.{f.name}"
            tables = [f.enum] if f.enum is not None else []
            tables += [t for _, t in f.enum_by.tables] if f.enum_by is not None else []
            if tables and f.size == 8:
                raise CBackendError(f"{where}: an enum on an 8-byte integer (the C backend "
                                    "builds 32-bit value_string tables only)")
            for table in tables:
                bad = [v for v, _ in table.entries if not 0 <= v <= MAX_ENUM_VALUE]
                if bad:
                    raise CBackendError(f"{where}: enum value {bad[0]} does not fit a 32-bit value_string")
    for s in proto.sets:
        if any(not -2**63 <= v < 2**63 for v in s.values):
            raise CBackendError(f"value set {s.ident}: a value does not fit 64 bits")
    # The C names of the fields (hf_<message>__<field>) must not collide
    # across messages, as they cannot in the Lua (one local scope per message).
    seen: dict[str, str] = {}
    for m in proto.messages:
        names = [m.ident] + [f"{m.ident}__{f.ident}" for f in m.flat_fields] + [
            f"{m.ident}__{x.ident}" for f in m.flat_fields for x in (*f.flags, *f.parts)]
        for name in names:
            if name in seen and seen[name] != m.name:
                raise CBackendError(f"{m.name}: its C name {name} is also one of {seen[name]}'s; rename one")
            seen[name] = m.name


@functools.cache  # one per process: jinja2 then compiles each template once, not once per render
def environment() -> jinja2.Environment:
    return templating.environment(jinja2.PackageLoader("generator.backends.c", "templates"), "c_str", c_str)


def uuid_parts(text: str) -> dict:
    """A DCE/RPC interface UUID as the fields of Wireshark's e_guid_t."""
    value = uuid.UUID(text)
    return {"data1": "0x%08x" % value.time_low, "data2": "0x%04x" % value.time_mid,
            "data3": "0x%04x" % value.time_hi_version, "data4": ["0x%02x" % b for b in value.bytes[8:]]}


def render(proto: M.Protocol) -> dict[str, str]:
    """File name -> text: packet-<proto>.c, plugin.c and CMakeLists.txt."""
    _check(proto)
    env = environment()
    symbol = lua_ident(proto.abbrev)
    names = {"symbol": symbol, "source": f"packet-{symbol}.c",
             "uuid": uuid_parts(proto.dce.uuid) if proto.dce else None}
    return {
        names["source"]: tidy(env.get_template("protocol.c.j2").render(proto=proto, **names)),
        "plugin.c": tidy(env.get_template("plugin.c.j2").render(proto=proto, **names)),
        "CMakeLists.txt": tidy(env.get_template("CMakeLists.txt.j2").render(proto=proto, **names)),
    }
