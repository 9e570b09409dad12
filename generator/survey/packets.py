"""Survey packets for one class: the default, seeded fuzz() packets, and one with
its lists and strings filled (fuzz() leaves None and empty lists alone, so on
its own it tests little)."""

from __future__ import annotations

import random

from scapy import fields as sf
from scapy.packet import Packet, fuzz

FUZZED = 8


def survey_packets(cls: type[Packet], seed: int = 0) -> list[bytes]:
    """Distinct wire images of the class's survey packets, in a fixed order."""
    out: list[bytes] = []
    makers = [cls, lambda: _populated(cls)]
    for i in range(FUZZED):
        makers.append(lambda i=i: _fuzzed(cls, seed * 1000 + i))
    for make in makers:
        try:
            raw = bytes(make())
        except Exception:  # scapy cannot build this variant of the class: skip it
            continue
        if raw and raw not in out:
            out.append(raw)
    return out


def _fuzzed(cls: type[Packet], seed: int) -> Packet:
    state = random.getstate()
    random.seed(seed)
    try:
        return bytes(fuzz(cls()))  # built while the seed holds: fuzz() draws when built
    finally:
        random.setstate(state)


def _populated(cls: type[Packet]) -> Packet:
    pkt = cls()
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
