"""Frontend: scapy layer classes -> ``model.Protocol``.

Reads each class's ``fields_desc``, enum tables, ``spec_rules``,
``summary_template``, the module's ``PROTOCOL`` declaration (dispatch and
carriers) and scapy's own bindings (``bind_layers`` to UDP/TCP ports, the
DCE/RPC interface registry). Anything it cannot translate raises
``GeneratorError`` naming ``Class.field`` and what to write instead.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import re
import sys
from pathlib import Path

from scapy import fields as sf
from scapy.layers import dcerpc as sd
from scapy.layers.inet import TCP, UDP
from scapy.packet import Packet

from scapy_layers import rules as R
from scapy_layers.protocol import ProtocolInfo
from scapy_layers.summary import parse_summary, short_name

from . import model as M
from .trace import Untranslatable, translate
from .wireshark import BUILTIN_DCERPC_DISSECTORS

LUA_KEYWORDS = {
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
    "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
}
SEVERITY = {"chat": "CHAT", "note": "NOTE", "warn": "WARN", "error": "ERROR"}
GROUP = {"protocol": "PROTOCOL", "malformed": "MALFORMED", "response_code": "RESPONSE_CODE",
         "sequence": "SEQUENCE"}
_INT_FMT = re.compile(r"^([<>!=@]?)([bBhHiIlLqQ])$")
_INT_SIZES = {"b": 1, "B": 1, "h": 2, "H": 2, "i": 4, "I": 4, "l": 4, "L": 4, "q": 8, "Q": 8}
_HEX_CLASSES = (sf.XByteField, sf.XShortField, sf.XIntField, sf.XLongField, sf.XLEIntField,
                sf.XLEShortField, sf.XLELongField, sf.X3BytesField, sf.XLE3BytesField, sf.XByteEnumField,
                sf.XShortEnumField, sf.XLEIntEnumField, sf.XBitField)


class GeneratorError(Exception):
    """Bad generator input: names the class, the field and the reason."""


def _where(cls, fld=None) -> str:
    return f"{cls.__name__}.{fld.name}" if fld is not None else cls.__name__


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


def _display_name(cls) -> str:
    """A class's scapy ``name`` (the metaclass keeps it as ``_name``)."""
    name = getattr(cls, "_name", None)
    return name if isinstance(name, str) and name else cls.__name__


def _scapy_wire(fld) -> bool:
    """True when the field's wire behaviour is scapy's own, not overridden."""
    for meth in ("getfield", "addfield", "m2i", "i2m"):
        impl = getattr(type(fld), meth, None)
        if impl is not None and getattr(impl, "__module__", "").split(".")[0] != "scapy":
            return False
    return True


class _ProtocolBuilder:
    def __init__(self, abbrev: str, title: str, source: str) -> None:
        self.abbrev = abbrev
        self.title = title
        self.source = source
        self.messages: dict[type, M.Message] = {}
        self.order: list[type] = []
        self.enums: dict[tuple, M.EnumTable] = {}
        self.sets: dict[tuple, M.ValueSet] = {}
        self.abbrevs: dict[str, str] = {}  # filter name -> where it came from
        self.request_slots: list[str] = []
        self.roles: dict[type, str] = {}
        self.carried: dict[tuple[type, str], str] = {}  # (stub class, field) -> role it carries

    # --- names

    def claim_abbrev(self, abbrev: str, where: str) -> str:
        if abbrev in self.abbrevs:
            raise GeneratorError(f"{where}: filter name {abbrev!r} is also used by {self.abbrevs[abbrev]}; "
                                 f"rename one of them")
        self.abbrevs[abbrev] = where
        return abbrev

    def enum_table(self, mapping: dict, hint: str) -> M.EnumTable:
        entries = tuple(sorted((int(k), str(v)) for k, v in mapping.items()))
        if entries not in self.enums:
            base = "vs_" + lua_ident(hint).lower()
            taken = {t.ident for t in self.enums.values()}
            ident, n = base, 2
            while ident in taken:
                ident, n = f"{base}_{n}", n + 1
            self.enums[entries] = M.EnumTable(ident, entries)
        return self.enums[entries]

    def value_set(self, values: tuple[int, ...]) -> M.ValueSet:
        key = tuple(sorted(values))
        if key not in self.sets:
            self.sets[key] = M.ValueSet(f"set_{len(self.sets) + 1}", key)
        return self.sets[key]

    # --- messages

    def message(self, cls: type[Packet], sub_only: bool = False) -> M.Message:
        if cls in self.messages:
            msg = self.messages[cls]
            msg.sub_only = msg.sub_only and sub_only
            return msg
        if not (isinstance(cls, type) and issubclass(cls, Packet)):
            raise GeneratorError(f"{cls!r} is not a scapy Packet class")
        ident = lua_ident(cls.__name__)
        if any(m.ident == ident for m in self.messages.values()):
            raise GeneratorError(f"{cls.__name__}: its Lua name {ident!r} collides with another class")
        msg = M.Message(
            ident=ident, name=cls.__name__, label=_display_name(cls),
            abbrev=self.claim_abbrev(f"{self.abbrev}.{filter_part(cls.__name__)}", cls.__name__),
            fields=[], sub_only=sub_only, role=self.roles.get(cls),
        )
        self.messages[cls] = msg  # before the fields: sub-messages may refer back
        self.order.append(cls)
        ndr = issubclass(cls, sd.NDRPacket)
        idents: dict[str, str] = {}
        fields_by_name: dict[str, M.Field] = {}
        group: list[M.Field] = []
        for fld in cls.fields_desc:
            f = self.field(cls, msg, fld, fields_by_name, ndr, group)
            if f.ident in idents:
                raise GeneratorError(f"{_where(cls, fld)}: its Lua name {f.ident!r} collides with "
                                     f"{cls.__name__}.{idents[f.ident]}")
            idents[f.ident] = fld.name
            msg.fields.append(f)
            fields_by_name[fld.name] = f
        if group:
            raise GeneratorError(f"{cls.__name__}.{group[-1][0].name}: bit fields end mid-byte "
                                 f"({sum(w for _, w in group)} bits); pad the run to whole bytes")
        msg.fixed_size = self._fixed_size(msg)
        msg.rules = [self.rule(cls, msg, r, fields_by_name) for r in getattr(cls, "spec_rules", ())]
        msg.request_slots = tuple(dict.fromkeys(
            slot for r in getattr(cls, "spec_rules", ())
            for e in (r.when, r.must) if e is not None
            for slot in sorted(R.referenced_request_fields(e))
        ))
        template = getattr(cls, "summary_template", None)
        if template:
            msg.summary = self.summary(cls, template, fields_by_name)
        return msg

    @staticmethod
    def _fixed_size(msg: M.Message) -> int | None:
        total = 0
        for f in msg.fields:
            if f.kind == "int" and not f.group_end:
                continue
            if f.condition is not None or f.size is None or f.align_before or f.pad_to:
                return None
            total += f.size
        return total

    def field(self, cls, msg, fld, known, ndr, group) -> M.Field:
        where = _where(cls, fld)
        condition = None
        if isinstance(fld, sf.ConditionalField):
            condition = self.expr_of(cls, fld, fld.cond, known, "the condition")
            fld = fld.fld
        pad_to = None
        if isinstance(fld, sf.PadField) and not isinstance(fld, sd.NDRAlign):
            pad_to = fld._align[0] if isinstance(fld._align, tuple) else fld._align
            fld = fld.fld
        f = self.plain_field(cls, msg, fld, known, ndr, group)
        f.condition = condition
        f.pad_to = pad_to
        if condition is not None and (f.kind == "int" and (f.mask or not f.group_end)):
            raise GeneratorError(f"{where}: a ConditionalField around a bit field is not supported; "
                                 f"make the whole bit run conditional on byte boundaries")
        return f

    def plain_field(self, cls, msg, fld, known, ndr, group) -> M.Field:
        where = _where(cls, fld)
        abbrev = self.claim_abbrev(f"{msg.abbrev}.{filter_part(fld.name)}", where)
        base = dict(name=fld.name, ident=lua_ident(fld.name), abbrev=abbrev, label=fld.name)

        # NDR (DCE/RPC stubs, NDR32 only)
        if isinstance(fld, sd._NDRConfField) and isinstance(fld, sd._NDRVarField) and isinstance(fld, sf.StrLenField):
            return self.ndr_conf_var(cls, msg, fld, base)
        if isinstance(fld, sd.NDRPacketField):
            sub = self.message(fld.fld.cls, sub_only=True)
            return M.Field(**base, kind="packet", sub=sub.ident, size=sub.fixed_size,
                           align_before=4)
        if isinstance(fld, sd._NDRField) and not isinstance(fld, sd.NDRInt3264Field):
            size = _INT_SIZES[fld.FMT]
            signed = isinstance(fld, (sd.NDRSignedIntField, sd.NDRSignedShortField, sd.NDRSignedLongField))
            return M.Field(**base, kind="int", ftype=M.INT_FTYPES[(size, signed)], base="DEC", size=size,
                           little_endian=True, signed=signed, align_before=size)
        if ndr and not isinstance(fld, (sf.LEIntField, sf.StrFixedLenField)):
            raise GeneratorError(f"{where}: NDR field {type(fld).__name__} is not translated; "
                                 f"the generator knows NDR ints, NDRPacketField and NDRConfVarStrLenField")

        if not _scapy_wire(fld):
            raise GeneratorError(f"{where}: {type(fld).__name__} overrides how scapy reads or writes it, "
                                 f"so the generator cannot know its wire format; use a plain scapy field")
        # FlagsField and BitEnumField are bit fields too: flags first, then bits
        if isinstance(fld, sf.FlagsField) and not group:
            return self.flags_field(cls, msg, fld, base)
        if isinstance(fld, sf._BitField) and not isinstance(fld, sf.FlagsField):
            return self.bit_field(cls, msg, fld, base, group)
        if group:
            raise GeneratorError(f"{where}: follows bit fields that end mid-byte; pad the bit run to whole bytes")
        # LEThreeBytesField is no ThreeBytesField subclass; both pack through 4-byte formats
        if isinstance(fld, (sf.ThreeBytesField, sf.LEThreeBytesField)):
            return self.int_field(cls, msg, fld, base, size=3, little=isinstance(fld, sf.LEThreeBytesField))
        if isinstance(fld, sf.PacketListField):
            return self.packet_list(cls, msg, fld, base, known)
        if isinstance(fld, sf.PacketField):
            sub = self.message(fld.cls, sub_only=True)
            length = None
            if isinstance(fld, sf.PacketLenField):
                length = self.expr_of(cls, fld, fld.length_from, known, "length_from")
            return M.Field(**base, kind="packet", sub=sub.ident, size=None if length else sub.fixed_size,
                           length=length, rest=length is None and sub.fixed_size is None)
        if isinstance(fld, sf.FieldListField):
            return self.field_list(cls, msg, fld, base, known)
        if isinstance(fld, sf.StrFixedLenField):
            size = fld.length_from(None) if fld.length_from else None
            if not isinstance(size, int):
                raise GeneratorError(f"{where}: StrFixedLenField needs a fixed length=")
            return M.Field(**base, kind="bytes", ftype="bytes", size=size)
        if isinstance(fld, sf.StrNullField):
            return M.Field(**base, kind="stringz", ftype="bytes")
        if isinstance(fld, sf.StrLenField):
            length = self.expr_of(cls, fld, fld.length_from, known, "length_from")
            return M.Field(**base, kind="bytes", ftype="bytes", length=length)
        if _INT_FMT.match(str(getattr(fld, "fmt", ""))) and not isinstance(
                fld, (sf.StrField, sf.PacketField, sf.FieldListField)):
            return self.int_field(cls, msg, fld, base)
        if type(fld) in (sf.StrField, sf.XStrField):
            if fld is not cls.fields_desc[-1] and not (
                    isinstance(cls.fields_desc[-1], sf.Field) and cls.fields_desc[-1].name == fld.name):
                raise GeneratorError(f"{where}: a StrField takes all remaining bytes, so it must be the last "
                                     f"field; use StrLenField(length_from=...) or StrFixedLenField here")
            return M.Field(**base, kind="bytes", ftype="bytes", rest=True)
        raise GeneratorError(f"{where}: {type(fld).__name__} is not supported by the generator; supported are "
                             f"integer/enum/flags/bit fields, Str(Fixed|Len|Null)Field, Packet(List)Field, "
                             f"FieldListField, ConditionalField and PadField")

    def int_field(self, cls, msg, fld, base, size=None, little=None) -> M.Field:
        where = _where(cls, fld)
        if size is None:
            m = _INT_FMT.match(str(fld.fmt))
            if not m:
                raise GeneratorError(f"{where}: unsupported integer format {fld.fmt!r}")
            order, code = m.groups()
            size, little = _INT_SIZES[code], order == "<"
            signed = code.islower()
        else:
            signed = False
        enum = None
        if isinstance(fld, sf._EnumField):
            if not isinstance(getattr(fld, "i2s", None), dict) or getattr(fld, "i2s_cb", None):
                raise GeneratorError(f"{where}: enum names come from a function; give a dict of value -> name")
            enum = self.enum_table(fld.i2s, f"{msg.name}_{fld.name}")
        hexa = isinstance(fld, _HEX_CLASSES)
        unknown = getattr(fld, "unknown_label", None) if enum else None
        return M.Field(**base, kind="int", ftype=M.INT_FTYPES[(size, signed)], base="HEX" if hexa else "DEC",
                       size=size, little_endian=bool(little), signed=signed, enum=enum,
                       unknown_label=str(unknown) if unknown else None, referenced=bool(unknown))

    def bit_field(self, cls, msg, fld, base, group) -> M.Field:
        """One field of a run of BitFields; the run's masks are set when it fills whole bytes."""
        where = _where(cls, fld)
        if fld.size < 0 or getattr(fld, "rev", False):
            raise GeneratorError(f"{where}: little-endian (negative size) bit fields are not supported; "
                                 f"use a LE integer field with FlagsField or masks")
        enum = self.enum_table(fld.i2s, f"{msg.name}_{fld.name}") if isinstance(fld, sf._EnumField) else None
        f = M.Field(**base, kind="int", enum=enum, group_end=False, group_start=False,
                    base="HEX" if isinstance(fld, sf.XBitField) else "DEC")
        group.append((f, fld.size))
        bits = sum(w for _, w in group)
        if bits % 8:
            return f
        size = bits // 8
        if size not in (1, 2, 3, 4, 8):
            raise GeneratorError(f"{where}: a bit run of {size} bytes has no ProtoField type; use 1, 2, 3, 4 or 8")
        pos = 0
        for i, (g, width) in enumerate(group):
            g.shift = bits - pos - width
            g.mask = ((1 << width) - 1) << g.shift
            g.size = size
            g.ftype = M.INT_FTYPES[(size, False)]
            g.bit_offset, g.bit_width = pos, width
            g.group_start = i == 0
            pos += width
        group[-1][0].group_end = True
        group.clear()
        return f

    def flags_field(self, cls, msg, fld, base) -> M.Field:
        where = _where(cls, fld)
        if fld.size % 8:
            raise GeneratorError(f"{where}: a FlagsField must fill whole bytes ({fld.size} bits); "
                                 f"put it in a bit run or give it 8, 16, 24, 32 or 64 bits")
        size = fld.size // 8
        names = fld.names
        items = sorted(names.items()) if isinstance(names, dict) else list(enumerate(names))
        flags = []
        for key, name in items:
            mask = int(key) if isinstance(names, dict) else 1 << key
            if not isinstance(names, dict) and name == f"bit_{key}":
                continue  # scapy's placeholder for a bit the layer did not name
            flags.append(M.Flag(ident=lua_ident(f"{fld.name}_{name}"),
                                abbrev=self.claim_abbrev(f"{base['abbrev']}.{filter_part(str(name))}", where),
                                label=str(name), mask=mask))
        return M.Field(**base, kind="int", ftype=M.INT_FTYPES[(size, False)], base="HEX", size=size,
                       little_endian=bool(getattr(fld, "rev", False)), flags=tuple(flags))

    def packet_list(self, cls, msg, fld, base, known) -> M.Field:
        sub = self.message(fld.cls, sub_only=True)
        count = length = None
        if fld.count_from is not None:
            count = self.expr_of(cls, fld, fld.count_from, known, "count_from")
        elif fld.length_from is not None:
            length = self.expr_of(cls, fld, fld.length_from, known, "length_from")
        if sub.fixed_size is None and count is not None:
            raise GeneratorError(f"{_where(cls, fld)}: count_from needs a fixed-size element class; "
                                 f"{sub.name} has variable size (use length_from)")
        return M.Field(**base, kind="packet_list", sub=sub.ident, count=count, length=length,
                       rest=count is None and length is None)

    def field_list(self, cls, msg, fld, base, known) -> M.Field:
        if fld.count_from is None:
            raise GeneratorError(f"{_where(cls, fld)}: FieldListField needs count_from=lambda pkt: pkt.<field>")
        count = self.expr_of(cls, fld, fld.count_from, known, "count_from")
        inner = fld.field
        element = self.int_field(cls, msg, inner, dict(name=fld.name, ident=lua_ident(fld.name),
                                                       abbrev=base["abbrev"], label=fld.name))
        return M.Field(**base, kind="int_list", count=count, element=element, ftype=element.ftype,
                       base=element.base, enum=element.enum, size=None)

    def ndr_conf_var(self, cls, msg, fld, base) -> M.Field:
        parts = tuple(
            M.Field(name=p, ident=lua_ident(f"{fld.name}_{p}"), label=p, kind="int", ftype="uint32",
                    base="DEC", size=4, little_endian=True,
                    abbrev=self.claim_abbrev(f"{base['abbrev']}.{p}", _where(cls, fld)))
            for p in ("max_count", "offset", "actual_count")
        )
        payload = self.carried.get((cls, fld.name))
        return M.Field(**base, kind="ndr_conf_var", ftype="bytes", align_before=4, parts=parts,
                       payload=payload)

    # --- expressions

    def expr_of(self, cls, fld, fn, known, what) -> M.Expr:
        def resolve(name):
            if name not in known:
                raise Untranslatable(f"pkt.{name} is not a field before {fld.name}")
            known[name].referenced = True
            return M.Value(known[name].ident)

        try:
            return translate(fn, resolve)
        except Untranslatable as exc:
            raise GeneratorError(
                f"{_where(cls, fld)}: cannot translate {what} ({exc}); write it as a lambda of earlier "
                f"fields, e.g. lambda pkt: pkt.length - 4 or lambda pkt: pkt.kind == 1") from None

    def rule(self, cls, msg, rule: R.SpecRule, known) -> M.Rule:
        where = f"{cls.__name__} rule {rule.id!r}"

        def conv(e: R.Expr) -> M.Expr:
            if isinstance(e, R.FieldRef):
                if e.name not in known:
                    raise GeneratorError(f"{where}: {e.name!r} is not a field of {cls.__name__}")
                known[e.name].referenced = True
                return M.Value(known[e.name].ident)
            if isinstance(e, R.RequestRef):
                if e.name not in self.request_slots:
                    self.request_slots.append(e.name)
                return M.RequestValue(e.name, "req_" + lua_ident(e.name))
            if isinstance(e, R.BufferLength):
                return M.MessageLength()
            if isinstance(e, R.Const):
                return M.Const(int(e.value))
            if isinstance(e, R.Compare):
                return M.Compare("~=" if e.op == "!=" else e.op, conv(e.left), conv(e.right))
            if isinstance(e, R.OneOf):
                return M.InSet(conv(e.operand), self.value_set(e.values).ident)
            if isinstance(e, R.SingleBit):
                return M.SingleBit(conv(e.operand))
            if isinstance(e, R.AllOf):
                return M.AllOf(tuple(conv(t) for t in e.terms))
            if isinstance(e, R.AnyOf):
                return M.AnyOf(tuple(conv(t) for t in e.terms))
            if isinstance(e, R.Not):
                return M.Not(conv(e.term))
            raise GeneratorError(f"{where}: expression {type(e).__name__} is not translated")

        if rule.field is not None and rule.field not in known:
            raise GeneratorError(f"{where}: field {rule.field!r} is not a field of {cls.__name__}")
        return M.Rule(
            ident=lua_ident(f"{msg.ident}_{rule.id}"), rule_id=rule.id,
            abbrev=self.claim_abbrev(f"{msg.abbrev}.rule.{filter_part(rule.id)}", where),
            message=rule.message, group=GROUP[rule.group], severity=SEVERITY[rule.severity],
            field=known[rule.field].ident if rule.field else None,
            when=conv(rule.when) if rule.when is not None else None, must=conv(rule.must),
        )

    def summary(self, cls, template, known) -> tuple[M.SummaryPart, ...]:
        try:
            parts = parse_summary(template)
        except ValueError as exc:
            raise GeneratorError(f"{cls.__name__}.summary_template: {exc}") from None
        out = []
        for p in parts:
            if p.text is not None:
                out.append(M.SummaryPart(text=p.text))
                continue
            f = known.get(p.field)
            if f is None or f.kind != "int":
                raise GeneratorError(f"{cls.__name__}.summary_template: {{{p.field}}} is not an integer field")
            f.referenced = True
            style = p.style
            if style == "value":
                style = "name" if f.enum else ("hex" if f.base == "HEX" else "dec")
            if style in ("name", "short") and f.enum is None:
                style = "dec"
            table = None
            if style == "name":
                table = f.enum.ident
            elif style == "short":
                short = {v: short_name(n) for v, n in f.enum.entries}
                table = self.enum_table(short, f"{cls.__name__}_{f.name}_short").ident
                style = "name"
            out.append(M.SummaryPart(field=f.ident, style=style, table=table))
        return tuple(out)


# --- loading


def _is_path(spec: str) -> bool:
    return spec.endswith(".py") or "/" in spec or spec.startswith(".")


def load_module(spec: str):
    """Import a dotted module or a .py file path."""
    if _is_path(spec):
        path = Path(spec)
        if not path.is_file():
            raise GeneratorError(f"{spec}: no such file")
        name = "dissectgen_user_" + lua_ident(path.stem)
        loader_spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(loader_spec)
        sys.modules[name] = module
        try:
            loader_spec.loader.exec_module(module)
        except Exception as exc:
            raise GeneratorError(f"{spec}: importing it failed: {type(exc).__name__}: {exc}") from None
        return module
    try:
        return importlib.import_module(spec)
    except ImportError as exc:
        raise GeneratorError(f"{spec}: cannot import: {exc}") from None


def _module_classes(module) -> list[type]:
    out = []
    for _, obj in inspect.getmembers(module, inspect.isclass):
        if issubclass(obj, Packet) and obj.__module__ == module.__name__:
            out.append(obj)
    out.sort(key=lambda c: inspect.getsourcelines(c)[1] if _has_source(c) else 0)
    return out


def _has_source(cls) -> bool:
    try:
        inspect.getsourcelines(cls)
        return True
    except (OSError, TypeError):
        return False


def load(spec: str) -> M.Protocol:
    """``module`` or ``module:Class,Class`` (module may be a .py path) -> model."""
    return build(spec)[0]


def build(spec: str) -> tuple[M.Protocol, dict[str, type]]:
    """The model, and the scapy class behind each Message.ident (for the check)."""
    module_spec, _, class_list = spec.partition(":") if not re.match(r"^[A-Za-z]:\\", spec) else (spec, "", "")
    module = load_module(module_spec)
    info: ProtocolInfo | None = getattr(module, "PROTOCOL", None)
    if info is not None and not isinstance(info, ProtocolInfo):
        raise GeneratorError(f"{module_spec}.PROTOCOL: expected a scapy_layers.protocol.ProtocolInfo")
    if class_list:
        classes = []
        for name in class_list.split(","):
            cls = getattr(module, name.strip(), None)
            if not (isinstance(cls, type) and issubclass(cls, Packet)):
                raise GeneratorError(f"{module_spec}:{name.strip()}: no such scapy Packet class in the module")
            classes.append(cls)
    else:
        classes = _module_classes(module)
    if not classes:
        raise GeneratorError(f"{module_spec}: defines no scapy Packet class")
    stem = Path(module_spec).stem if _is_path(module_spec) else module.__name__.rsplit(".", 1)[-1]
    abbrev = info.abbrev if info else filter_part(stem)
    title = info.title if info else (inspect.getdoc(module) or abbrev).splitlines()[0]
    b = _ProtocolBuilder(abbrev, title, spec)
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
    _payload_bindings(b)
    proto = M.Protocol(abbrev=abbrev, title=title, source=spec, messages=[], enums=[], sets=[])
    if dispatch is not None:
        for cls in [dispatch.generic_request, dispatch.generic_reply, *dispatch.requests.values(),
                    *dispatch.replies.values()]:
            b.message(cls)
        generic = b.messages[dispatch.generic_request]
        sel_offset = 0
        for f in generic.fields:
            if f.name == dispatch.selector:
                break
            if f.size is None or f.condition is not None or not f.group_end:
                sel_offset = None
                break
            sel_offset += f.size
        sel = next((f for f in generic.fields if f.name == dispatch.selector), None)
        if sel is None or sel.kind != "int" or sel.mask or sel_offset is None:
            raise GeneratorError(f"{dispatch.generic_request.__name__}.{dispatch.selector}: the dispatch selector "
                                 f"must be a whole integer field after fixed-size fields only")
        sel.referenced = True
        for value, cls in dispatch.requests.items():
            b.messages[cls].selector = value
        proto.dispatch = M.Dispatch(
            name=dispatch.name, selector=dispatch.selector, selector_ident=sel.ident,
            selector_offset=sel_offset, selector_size=sel.size, selector_le=sel.little_endian,
            min_length=dispatch.min_length,
            table_abbrev=f"{abbrev}.{filter_part(dispatch.selector)}",
            reply_table_abbrev=f"{abbrev}.reply.{filter_part(dispatch.selector)}",
            generic_request=b.messages[dispatch.generic_request].ident,
            generic_reply=b.messages[dispatch.generic_reply].ident,
            requests=tuple((v, b.messages[c].ident) for v, c in sorted(dispatch.requests.items())),
            replies=tuple((v, b.messages[c].ident) for v, c in sorted(dispatch.replies.items())),
        )
        if dispatch.selector not in b.request_slots:
            b.request_slots.insert(0, dispatch.selector)
        proto.raw_entry = b.messages[dispatch.generic_request].ident
    if info and info.carriers:
        proto.dce = _dce_carrier(b, info)
    proto.ports = _port_bindings(b, classes)
    for slot in b.request_slots:
        for cls in b.order:
            if b.roles.get(cls) == "request":
                f = next((f for f in b.messages[cls].fields if f.name == slot), None)
                if f is not None:
                    f.referenced = True
    proto.request_slots = tuple(b.request_slots)
    proto.messages = [b.messages[c] for c in b.order]
    proto.enums = sorted(b.enums.values(), key=lambda t: t.ident)
    proto.sets = list(b.sets.values())
    proto.summary_styles = tuple(sorted({p.style for m in proto.messages for p in m.summary if p.field}))
    proto.uses_big_endian = any(
        (f.element or f).little_endian is False for m in proto.messages for f in m.fields
        if f.kind in ("int", "int_list")
    )
    proto.uses_single_bit = any(
        _mentions(e, M.SingleBit) for m in proto.messages for r in m.rules for e in (r.when, r.must)
    )
    return proto, {msg.ident: cls for cls, msg in b.messages.items()}


def _mentions(e, kind) -> bool:
    if e is None:
        return False
    if isinstance(e, kind):
        return True
    children = [getattr(e, a, None) for a in ("left", "right", "operand", "term")] + list(getattr(e, "terms", ()))
    return any(_mentions(c, kind) for c in children)


def _payload_bindings(b: _ProtocolBuilder) -> None:
    """bind_layers between our classes: a message's payload is chosen by its fields."""
    for cls, msg in list(b.messages.items()):
        bindings = []
        for fval, nxt in cls.payload_guess:
            if nxt not in b.messages or nxt is cls:
                continue
            conditions = []
            for name, value in sorted(fval.items()):
                f = next((f for f in msg.fields if f.name == name), None)
                if f is None or f.kind != "int" or not isinstance(value, int):
                    raise GeneratorError(f"{cls.__name__}.{name}: bind_layers({cls.__name__}, {nxt.__name__}, "
                                         f"{name}={value!r}) needs an integer field of {cls.__name__}")
                f.referenced = True
                conditions.append((f.ident, int(value)))
            bindings.append(M.PayloadBinding(tuple(conditions), b.messages[nxt].ident))
        msg.payloads = tuple(bindings)


def _dce_carrier(b: _ProtocolBuilder, info: ProtocolInfo) -> M.DceRpcCarrier:
    stubs = {c.role: c.stub for c in info.carriers}
    if set(stubs) != {"request", "reply"}:
        raise GeneratorError(f"PROTOCOL.carriers: need one request and one reply carrier, got {sorted(stubs)}")
    for iface in sd.DCE_RPC_INTERFACES.values():
        for opnum, op in iface.opnums.items():
            if op.request is stubs["request"] and op.response is stubs["reply"]:
                req = b.message(op.request)
                rsp = b.message(op.response)
                uuid = str(iface.uuid).lower()
                return M.DceRpcCarrier(
                    uuid=uuid, version=iface.if_version, builtin_proto=BUILTIN_DCERPC_DISSECTORS.get(uuid),
                    opnum=opnum, request=req.ident, response=rsp.ident,
                    ports_pref=f"{iface.name}_ports",
                )
    raise GeneratorError(f"{stubs['request'].__name__}: not an opnum of any interface registered with "
                         f"scapy's register_dcerpc_interface")


def _port_bindings(b: _ProtocolBuilder, classes) -> list[M.PortBinding]:
    out = []
    for lower, table in ((UDP, "udp.port"), (TCP, "tcp.port")):
        for fval, cls in lower.payload_guess:
            if cls not in b.messages:
                continue
            for key in ("dport", "sport"):
                if key in fval:
                    out.append(M.PortBinding(table, int(fval[key]), b.messages[cls].ident))
    return sorted(set(out), key=lambda p: (p.table, p.port, p.message))
