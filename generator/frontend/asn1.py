"""ASN.1 packets: an ASN1_Packet's ASN1_root -> one ``ber`` field, the tree of
BER elements (``model.BerNode``) the backends' BER readers walk as scapy's BER
codec reads the packet."""

from __future__ import annotations

import dataclasses

from .. import model as M
from ..names import filter_part, lua_ident, unique
from .errors import GeneratorError


def _asn1():
    """scapy's ASN.1 modules (imported only when a class uses them)."""
    from scapy import asn1fields as af
    from scapy.asn1.asn1 import ASN1_Class_UNIVERSAL as U
    from scapy.asn1.asn1 import ASN1_Codecs
    return af, U, ASN1_Codecs


def is_asn1_packet(cls) -> bool:
    return getattr(cls, "ASN1_root", None) is not None and hasattr(cls, "ASN1_codec")


# the methods scapy's BER reading goes through: a class overriding one reads its own way
_ASN1_READERS = ("m2i", "dissect", "_apply_tagging_dec", "_tagging_dec", "set_val", "extract_packet")


class Asn1Kinds:
    """ASN.1 packets (a mixin of ProtocolBuilder, with FieldKinds): the
    ASN1_root of an ASN1_Packet -> one ``ber`` field whose element tree the
    backends' BER reader walks as scapy's BER codec reads it."""

    def ber_field(self, cls, msg) -> M.Field:
        af, U, codecs = _asn1()
        if cls.ASN1_codec != codecs.BER:
            raise GeneratorError(f"{cls.__name__}: ASN1_codec {cls.ASN1_codec!r} is not translated; the generator "
                                 f"reads BER")
        items: list[M.Field] = []
        root = self._ber_node(cls, msg, cls.ASN1_root, items)
        return M.Field(name="ASN1_root", ident=unique("asn1_root", {f.ident for f in items}), abbrev=f"{msg.abbrev}.asn1_root",
                       label="ASN1_root", kind="ber", ber=root, members=tuple(items))

    def _ber_item(self, cls, msg, fld, items: list, ftype: str, suffix: str = "", named: str | None = None) -> M.Field:
        """The item of an element; ``named``: the scapy field holding its value, when not ``fld``
        (a CHOICE's alternative); ``suffix`` tells apart items of one name."""
        scapy_name = named or fld.name
        where = f"{cls.__name__}.{scapy_name}"
        name = (scapy_name or "element") + suffix  # an element scapy leaves unnamed (a list's)
        ident = unique(lua_ident(name), {f.ident for f in items})
        abbrev = self.claim_field_abbrev(f"{msg.abbrev}.{filter_part(name)}", where)
        f = M.Field(name=scapy_name, ident=ident, abbrev=abbrev, label=name, kind="ber_item", ftype=ftype,
                    base="DEC" if ftype == "int64" else "NONE")
        items.append(f)
        return f

    def _ber_node(self, cls, msg, fld, items: list, optional: bool = False, named: str | None = None,
                  suffix: str = "") -> M.BerNode:
        """``named``, ``suffix``: a CHOICE's alternative (see _ber_item)."""
        af, U, _ = _asn1()
        if isinstance(fld, af.ASN1F_optional):
            return self._ber_node(cls, msg, fld._field, items, optional=True, named=named, suffix=suffix)
        item = lambda ftype, more="": self._ber_item(cls, msg, fld, items, ftype, suffix + more, named)  # noqa: E731
        where = f"{cls.__name__}.{getattr(fld, 'name', type(fld).__name__)}"
        name = type(fld).__name__
        overridden = [m for m in _ASN1_READERS
                      if getattr(getattr(type(fld), m, None), "__module__", "scapy.asn1fields") != "scapy.asn1fields"]
        if overridden:
            raise GeneratorError(f"{where}: {name} reads its bytes with code of its own ({', '.join(overridden)}); "
                                 f"the generator reads scapy's ASN1F_ fields")
        if getattr(fld, "flexible_tag", False):
            raise GeneratorError(f"{where}: {name} with flexible_tag (any tag accepted) is not translated")
        explicit = fld.explicit_tag
        tag = fld.implicit_tag if fld.implicit_tag is not None else int(fld.ASN1_tag)
        if any(t is not None and not 0 <= t < 2 ** 53 for t in (tag, explicit)):
            # the readers compare identifiers as doubles (Lua) and 64-bit integers (C)
            raise GeneratorError(f"{where}: {name}'s tag number is too large to be translated")
        shape = dict(ident=f"ber_{next(self.ber_counter)}", explicit=explicit, optional=optional)
        if isinstance(fld, af.ASN1F_CHOICE):
            return self._ber_choice(cls, msg, fld, items, shape)
        if isinstance(fld, af.ASN1F_SEQUENCE_OF):
            if getattr(fld, "holds_packets", 0):
                element = self._ber_packet(cls, msg, fld, fld.cls, items, suffix, named)
            else:
                element = self._ber_node(cls, msg, fld.fld, items, named=named or fld.name, suffix=suffix)
                if element.kind in ("seq", "seq_of") or element.explicit is not None or element.optional:
                    raise GeneratorError(f"{where}: a {name} of {type(fld.fld).__name__} is not translated")
            return M.BerNode(kind="seq_of", tag=tag, members=(element,), **shape)
        if isinstance(fld, af.ASN1F_SEQUENCE):
            if named is not None:
                raise GeneratorError(f"{where}: a SEQUENCE as a CHOICE's alternative is not translated")
            members = tuple(self._ber_node(cls, msg, f, items) for f in fld.seq)
            return M.BerNode(kind="seq", tag=tag, members=members, **shape)
        if isinstance(fld, af.ASN1F_PACKET):
            implicit = fld.implicit_tag
            if fld.next_cls_cb is not None or implicit is not None and not (0 <= implicit < 256 and implicit & 0x1F != 0x1F):
                raise GeneratorError(f"{where}: ASN1F_PACKET with next_cls_cb or a high implicit tag number is "
                                     f"not translated")
            node = self._ber_packet(cls, msg, fld, fld.cls, items, suffix, named)
            if fld.implicit_tag is not None:
                # scapy reads the packet with its root's own identifier in place of the implicit one
                node = dataclasses.replace(node, tag=fld.implicit_tag, retag=int(fld.cls.ASN1_root.ASN1_tag))
            return dataclasses.replace(node, **shape)
        if type(fld) in (af.ASN1F_IPADDRESS, af.ASN1F_STRING_ENCAPS, af.ASN1F_BIT_STRING_ENCAPS,
                         af.ASN1F_STRING_PacketField) or isinstance(fld, (af.ASN1F_STRING_PacketField,
                                                                           af.ASN1F_BIT_STRING_ENCAPS)):
            raise GeneratorError(f"{where}: {name} is not translated")
        if isinstance(fld, (af.ASN1F_INTEGER, af.ASN1F_BOOLEAN)):  # ENUMERATED, NULL, TIME_TICKS...
            int_item, wide = item("int64"), item("bytes", "_bytes")
            names = getattr(fld, "i2s", None)
            enum = None
            if isinstance(names, dict) and names:
                if not all(isinstance(k, int) and not isinstance(k, bool) for k in names):
                    raise GeneratorError(f"{where}: {name} names its values with non-integer keys")
                enum = self.enum_table({k: str(v) for k, v in names.items()}, f"{msg.name}_{fld.name}")
            return M.BerNode(kind="int", tag=tag, item=int_item, wide=wide, enum=enum, **shape)
        if isinstance(fld, af.ASN1F_OID):
            return M.BerNode(kind="oid", tag=tag, item=item("string"), **shape)
        if isinstance(fld, (af.ASN1F_UTC_TIME, af.ASN1F_GENERALIZED_TIME)):
            return M.BerNode(kind="text", tag=tag, item=item("string"), **shape)
        if isinstance(fld, af.ASN1F_BIT_STRING):  # ASN1F_FLAGS too: scapy's value is its bits
            return M.BerNode(kind="bits", tag=tag, item=item("bytes"), **shape)
        if isinstance(fld, af.ASN1F_STRING):
            return M.BerNode(kind="bytes", tag=tag, item=item("bytes"), **shape)
        raise GeneratorError(f"{where}: {name} is not translated")

    def _ber_choice(self, cls, msg, fld, items: list, shape: dict) -> M.BerNode:
        """ASN1F_CHOICE: the alternative whose identifier comes next (keys: each one's, as scapy's
        choices table keys them); each alternative its own item (``<name>``, ``<name>_2``...),
        scapy's value the CHOICE's field."""
        af, _, _ = _asn1()
        where = f"{cls.__name__}.{fld.name}"
        keys, members = [], []
        for i, (key, choice) in enumerate(fld.choices.items()):
            suffix = "" if i == 0 else f"_{i + 1}"
            if hasattr(choice, "ASN1_root"):
                node = self._ber_packet(cls, msg, fld, choice, items, suffix, fld.name)
            elif isinstance(choice, type):
                try:
                    alternative = choice(fld.name, b"")
                except Exception as exc:
                    raise GeneratorError(f"{where}: its alternative {choice.__name__} cannot be made "
                                         f"({type(exc).__name__}: {exc})") from None
                node = self._ber_node(cls, msg, alternative, items, named=fld.name, suffix=suffix)
            else:  # an ASN1F_PACKET
                node = self._ber_node(cls, msg, choice, items, named=fld.name, suffix=suffix)
            if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key < 2 ** 53:
                raise GeneratorError(f"{where}: its alternative's tag {key!r} is not translated")
            keys.append(key)
            members.append(node)
        return M.BerNode(kind="choice", tag=None, members=tuple(members), keys=tuple(keys), **shape)

    def _ber_packet(self, cls, msg, fld, sub_cls, items: list, suffix: str = "", named: str | None = None) -> M.BerNode:
        where = f"{cls.__name__}.{named or fld.name}"
        if not (isinstance(sub_cls, type) and is_asn1_packet(sub_cls)):
            raise GeneratorError(f"{where}: its packets' class is {getattr(sub_cls, '__name__', sub_cls)!r}, not an "
                                 f"ASN1_Packet class")
        sub = self.message(sub_cls, sub_only=True)
        if sub.undecoded is not None:
            # its reading would stop inside this element, which scapy reads whole or not at all
            raise GeneratorError(f"{where}: its packets' class {sub_cls.__name__} is not decoded whole "
                                 f"({sub.undecoded})")
        item = self._ber_item(cls, msg, fld, items, "bytes", suffix, named)
        item.sub = sub.ident  # its item holds the packet's (C: a subtree)
        return M.BerNode(ident=f"ber_{next(self.ber_counter)}", kind="packet", tag=None, item=item, sub=sub.ident)
