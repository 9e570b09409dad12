"""Survey packets for one class: the default, seeded fuzz() packets, and one with
its lists and strings filled (fuzz() leaves None and empty lists alone, so on
its own it tests little); for a class scapy cannot build, bytes scapy reads
as the class whole."""

from __future__ import annotations

import random
import zlib

from scapy import fields as sf
from scapy.config import conf
from scapy.packet import Packet, fuzz

FUZZED = 8
# the most a UDP datagram carries over IPv4: a bigger survey packet cannot be sent
MAX_PAYLOAD = 65535 - 20 - 8

# Given to the address fields scapy would otherwise look up when building: a
# DestMACField left None asks the neighbour cache, which may send ARP requests.
_ADDRESSES = ((sf.IP6Field, "2001:db8::1"), (sf.IPField, "192.0.2.1"), (sf.MACField, "02:00:00:00:00:01"))


def survey_packets(cls: type[Packet], seed: int = 0) -> list[bytes]:
    """Distinct wire images of the class's survey packets, in a fixed order."""
    out: list[bytes] = []
    makers = [lambda: _addressed(cls), lambda: _populated(cls)]
    for i in range(FUZZED):
        makers.append(lambda i=i: _fuzzed(cls, seed * 1000 + i))
    for make in makers:
        try:
            raw = bytes(make())
        except Exception:  # scapy cannot build this variant of the class: skip it
            continue
        if raw and raw not in out and len(raw) <= MAX_PAYLOAD:
            out.append(raw)
    return out or _dissected(cls, f"{cls.__module__}.{cls.__name__}")


def _dissected(cls: type[Packet], name: str, wanted: int = 4) -> list[bytes]:
    """For a class scapy cannot build (or builds empty): byte strings scapy reads
    as the class whole, with no bytes left as Raw or Padding. Zeros first, then
    random bytes, the same for the same class."""
    rng = random.Random(zlib.crc32(name.encode()))
    candidates = [bytes(n) for n in (1, 2, 4, 8, 16, 32)]
    candidates += [bytes(rng.randrange(256) for _ in range(rng.choice((2, 4, 8, 16, 32, 64)))) for _ in range(48)]
    out = []
    for raw in candidates:
        try:
            pkt = cls(raw)
        except Exception:  # scapy cannot read it
            continue
        if pkt.haslayer(conf.raw_layer) or pkt.haslayer(conf.padding_layer):
            continue
        out.append(raw)
        if len(out) == wanted:
            break
    return out


def _fuzzed(cls: type[Packet], seed: int) -> Packet:
    _reset_bit_lengths(cls)
    state = random.getstate()
    random.seed(seed)
    try:
        return bytes(fuzz(_addressed(cls)))  # built while the seed holds: fuzz() draws when built
    finally:
        random.setstate(state)


def _reset_bit_lengths(cls: type[Packet], seen: set | None = None) -> None:
    """scapy's BitLenField keeps the width of the last value it read (getfield sets
    its size) and fuzz() draws below 2**size: after an SSH mpint of a random
    4-byte length, that is a number of billions of bits, drawn in one C call that
    nothing interrupts. Its declared width, 0, is put back first."""
    seen = set() if seen is None else seen
    if cls in seen:
        return
    seen.add(cls)
    for fld in cls.fields_desc:
        inner = fld
        while isinstance(getattr(inner, "fld", None), sf.Field):
            inner = inner.fld
        if isinstance(inner, sf.BitLenField):
            inner.size = 0
        sub = getattr(inner, "cls", None)
        if isinstance(sub, type) and issubclass(sub, Packet):
            _reset_bit_lengths(sub, seen)


def _addressed(cls: type[Packet]) -> Packet:
    """The class's default packet, with an address for each address field left
    None and an arm in each NDR union."""
    given = {}
    for fld in cls.fields_desc:
        inner = fld.fld if isinstance(fld, (sf.ConditionalField, sf.PadField)) else fld
        value = next((v for klass, v in _ADDRESSES if isinstance(inner, klass)), None)
        if value is not None and getattr(inner, "default", 0) is None:
            given[fld.name] = value
    return _with_union_arms(cls(**given))


def _populated(cls: type[Packet]) -> Packet:
    pkt = _addressed(cls)
    for fld in cls.fields_desc:
        inner = fld.fld if isinstance(fld, (sf.ConditionalField, sf.PadField)) else fld
        try:
            if isinstance(inner, sf.PacketListField) and isinstance(inner.cls, type):
                pkt.setfieldval(fld.name, [inner.cls(), inner.cls()])
            elif isinstance(inner, sf.FieldListField):
                pkt.setfieldval(fld.name, [inner.field.default or 1, 2])
            elif isinstance(inner, sf.StrField) and not isinstance(inner, sf.StrFixedLenField):
                pkt.setfieldval(fld.name, b"abc")
        except Exception:
            continue
    return pkt


def mutated(packets: list[bytes], name: str) -> list[bytes]:
    """Damaged copies of survey packets, the same for the same class: each cut short
    by one byte and to half, three single bytes flipped, a byte inserted, and all
    bytes 0xff. A dissector must take them without an error of its own."""
    rng = random.Random(zlib.crc32(name.encode()))
    out = []
    for raw in packets:
        out += [raw[:-1], raw[:len(raw) // 2], b"\xff" * len(raw)]
        for _ in range(3):
            i = rng.randrange(len(raw))
            out.append(raw[:i] + bytes([raw[i] ^ (1 << rng.randrange(8))]) + raw[i + 1:])
        i = rng.randrange(len(raw) + 1)
        out.append(raw[:i] + bytes([rng.randrange(256)]) + raw[i:])
    return [m for m in dict.fromkeys(out) if 0 < len(m) <= MAX_PAYLOAD]


def _with_union_arms(pkt: Packet, depth: int = 0) -> Packet:
    """``pkt`` with an arm in each NDR union, at every depth: scapy's default
    for an NDRUnionField is not an NDRUnion, so scapy cannot build a class
    holding one (ms_srvs' NetrShareAdd_Request) until one is given. The first
    arm some tag selects, holding its class's default packet."""
    from scapy.layers.dcerpc import NDRPointer, NDRUnion, _NDRUnionField

    if depth > 8:  # NDR structures may hold themselves through pointers
        return pkt
    for fld in pkt.fields_desc:
        inner = _unwrapped(fld)
        value = pkt.getfieldval(fld.name)
        if isinstance(inner, _NDRUnionField) and not isinstance(value, NDRUnion):
            arm = _first_arm(pkt, inner, NDRUnion)
            if arm is not None:
                tag, arm_fld = arm
                cls = getattr(_unwrapped(arm_fld), "cls", None)
                held = _with_union_arms(cls(), depth + 1) if isinstance(cls, type) else arm_fld.default
                pkt.setfieldval(fld.name, NDRUnion(tag=tag, value=held))
            continue
        for sub in value if isinstance(value, list) else [value]:
            if isinstance(sub, NDRPointer):
                sub = sub.value
            if isinstance(sub, Packet):
                _with_union_arms(sub, depth + 1)
    return pkt


def _unwrapped(fld):
    """The field inside scapy's wrappers (conditions, padding, NDR pointers and alignment)."""
    from scapy.layers.dcerpc import _NDRUnionField

    while hasattr(fld, "fld") and not isinstance(fld, _NDRUnionField):
        fld = fld.fld
    return fld


def _first_arm(pkt: Packet, union, ndr_union) -> tuple[int, object] | None:
    """(tag, arm field) of the union's first arm some tag up to 0xffff selects
    (its build-time condition, on the tag), or None."""
    for arm, cond in union.flds:
        build = cond[1] if isinstance(cond, tuple) else None
        if build is None:
            continue
        for tag in range(0x10000):
            try:
                if build(pkt, ndr_union(tag=tag)):
                    return tag, arm
            except Exception:
                break
    return None
