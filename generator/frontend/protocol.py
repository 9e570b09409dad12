"""The frontend's entry: a layer module -> ``model.Protocol``.

Reads each class's ``fields_desc``, enum tables, ``spec_rules``,
``summary_template``, the module's ``PROTOCOL`` declaration (dispatch and
carriers) and scapy's own bindings (``bind_layers`` to UDP/TCP ports, the
DCE/RPC interface registry). A field it cannot translate becomes an undecoded
item, or with ``strict`` raises ``GeneratorError`` naming ``Class.field`` and
what to write instead; a bad module or declaration always raises.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import NamedTuple

from scapy.packet import Packet

from scapy_layers.spec import ProtocolInfo
from scapy_layers.spec.summary import VIOLATION_CLOSE, VIOLATION_OPEN, VIOLATION_SEPARATOR

from .. import model as M
from ..names import filter_part
from .bindings import dce_carrier, dispatch_model, payload_bindings, table_bindings
from .builder import ProtocolBuilder
from .errors import GeneratorError
from .loading import is_path, load_module, module_classes


SCAPY_LIBRARY = ("scapy.layers.", "scapy.contrib.")


class Translation(NamedTuple):
    """What the check needs beside the model: the scapy class behind each
    Message.ident and the module's PROTOCOL declaration (None when it has none)."""

    proto: M.Protocol
    classes: dict[str, type]
    info: ProtocolInfo | None


def load(spec: str, strict: bool = False) -> M.Protocol:
    """``module`` or ``module:Class,Class`` (module may be a .py path) -> model.

    A field the generator cannot translate ends its message's decoding there
    (the rest is one undecoded item, ``Message.undecoded`` says why); with
    ``strict`` it raises GeneratorError instead."""
    return build(spec, strict).proto


def build(spec: str, strict: bool = False) -> Translation:
    """The model of ``spec`` (see ``load``), with the classes and declaration behind it."""
    module_spec, _, class_list = spec.partition(":") if not re.match(r"^[A-Za-z]:\\", spec) else (spec, "", "")
    module = load_module(module_spec)
    info: ProtocolInfo | None = getattr(module, "PROTOCOL", None)
    if info is not None and not isinstance(info, ProtocolInfo):
        raise GeneratorError(f"{module_spec}.PROTOCOL: expected a scapy_layers.spec.ProtocolInfo")
    if class_list:
        classes = []
        for name in class_list.split(","):
            cls = getattr(module, name.strip(), None)
            if not (isinstance(cls, type) and issubclass(cls, Packet)):
                raise GeneratorError(f"{module_spec}:{name.strip()}: no such scapy Packet class in the module")
            classes.append(cls)
    else:
        classes = module_classes(module)
    if not classes:
        raise GeneratorError(f"{module_spec}: defines no scapy Packet class")
    stem = Path(module_spec).stem if is_path(module_spec) else module.__name__.rsplit(".", 1)[-1]
    abbrev = info.abbrev if info else filter_part(stem)
    title = info.title if info else (inspect.getdoc(module) or abbrev).splitlines()[0]
    if info is None and module.__name__.startswith(SCAPY_LIBRARY):
        # scapy's modules are named like Wireshark's own protocols (tftp, ntp...), and
        # Wireshark refuses a second protocol of the same name or description
        abbrev, title = f"scapy_{abbrev}", f"scapy {stem}: {title}"
    b = ProtocolBuilder(abbrev, title, spec, strict)
    dispatch = info.dispatch if info else None
    if dispatch is not None:
        b.roles[dispatch.generic_request] = "request"
        b.roles[dispatch.generic_reply] = "reply"
        for c in dispatch.requests.values():
            b.roles[c] = "request"
        for c in dispatch.replies.values():
            b.roles[c] = "reply"
    for carrier in (info.carriers if info else ()):
        b.carried[(carrier.stub, carrier.field)] = carrier.role

    for cls in classes:
        b.message(cls)
    for cls in classes:
        if dispatch is None:  # a PROTOCOL's dispatch table says which class, not probing
            b.top_choice(cls)
    payload_bindings(b)
    proto = M.Protocol(abbrev=abbrev, title=title, source=spec, messages=[], enums=[], sets=[],
                       short_name=(info.short_name if info else "") or abbrev.upper(),
                       violation_marks=(VIOLATION_OPEN, VIOLATION_SEPARATOR, VIOLATION_CLOSE))
    if dispatch is not None:
        for cls in [dispatch.generic_request, dispatch.generic_reply, *dispatch.requests.values(),
                    *dispatch.replies.values()]:
            b.message(cls)
        proto.dispatch = dispatch_model(b, dispatch)
        if dispatch.selector not in b.request_slots:
            b.request_slots.insert(0, dispatch.selector)
        proto.raw_entry = b.messages[dispatch.generic_request].ident
    if info and info.carriers:
        proto.dce = dce_carrier(b, info, title, proto.short_name)
    proto.table_bindings = table_bindings(b)
    for slot in b.request_slots:
        for cls in b.order:
            if b.roles.get(cls) == "request":
                f = next((f for f in b.messages[cls].fields if f.name == slot), None)
                if f is not None:
                    f.referenced = True
    _refuse_read_scaled_values(b)
    proto.request_slots = tuple(b.request_slots)
    proto.messages = [b.messages[c] for c in b.order]
    proto.under_names = tuple(sorted({name for m in proto.messages for name in m.under}))
    # a table made for a field later left undecoded is not written (C warns of an unused array)
    used = _used_tables(proto.messages)
    proto.enums = sorted((t for t in b.enums.values() if t.ident in used), key=lambda t: t.ident)
    proto.sets = list(b.sets.values())
    proto.choices = list(b.choices)
    proto.summary_styles = tuple(sorted({p.style for m in proto.messages for p in m.summary if p.field}))
    proto.uses_big_endian = any(
        (f.element or f).little_endian is False for m in proto.messages for f in m.flat_fields
        if f.kind in ("int", "int_list")
    )
    proto.uses_single_bit = any(
        _mentions(e, M.SingleBit) for m in proto.messages for r in m.rules for e in (r.when, r.must)
    )
    exprs = [e for m in proto.messages for f in m.flat_fields for e in (f.condition, f.length, f.count)]
    proto.uses_bitwise = any(_mentions(e, M.Bits, lambda b: b.op in "&|^") for e in exprs)
    proto.uses_floor_div = any(_mentions(e, M.FloorDiv) for e in exprs)
    return Translation(proto, {msg.ident: cls for cls, msg in b.messages.items()}, info)


def _mentions(e, kind, which=lambda _: True) -> bool:
    if e is None:
        return False
    if isinstance(e, kind) and which(e):
        return True
    return any(_mentions(c, kind, which) for c in M.children(e))


def _refuse_read_scaled_values(b: ProtocolBuilder) -> None:
    """A lambda, rule, summary or binding reads scapy's value of a field: for a
    ScalingField that is the scaled number, which the dissectors' integer
    expressions do not compute."""
    for cls, msg in b.messages.items():
        for f in msg.fields:
            if f.scaling is not None and f.referenced:
                raise GeneratorError(f"{cls.__name__}.{f.name}: a ScalingField's scaled value is read by a "
                                     f"length, count, condition, rule, summary or binding; the generator "
                                     f"reads integers there: use a plain integer field")


def _used_tables(messages: list[M.Message]) -> set[str]:
    """Idents of the enum tables a field or a summary names."""
    used = set()
    for m in messages:
        for f in m.flat_fields:
            for g in (f, f.element, *f.parts):
                if g is not None and g.enum is not None:
                    used.add(g.enum.ident)
            if f.enum_by is not None:
                used.update(t.ident for _, t in f.enum_by.tables)
            if f.kind == "ber":
                used.update(n.enum.ident for n in M.ber_tree(f.ber) if n.enum is not None)
        used.update(p.table for p in m.summary if p.table)
    return used
