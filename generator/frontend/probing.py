"""Which class scapy picks for an element's bytes, learned by asking scapy.

A PacketField or PacketListField whose class is a function (EIGRP's
``_EIGRPGuessPayloadClass``, GTP's ``IE_Dispatcher``) or a class with a
``dispatch_hook`` chooses each element's class from its bytes, in code the
generator cannot read. So it runs that code: on probe bytes it finds which byte
positions change the class, which must make a key (an unsigned big-endian
integer of 1 or 2 bytes ending within the first 4), then reads the table off by
asking for every key value. A choice no such key explains is not translated.
Probing sees what its probes reach: a class chosen only by a rare pattern of
bytes elsewhere escapes it, and ``dissectgen check`` then shows the difference.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

from scapy.config import conf
from scapy.packet import Packet

PROBE_TAIL = 48  # bytes after the key: enough for every class's fixed fields
KEY_REACH = 4  # a key ends within the first 4 bytes

Pick = Callable[[bytes], "type | None"]


@dataclass(frozen=True)
class KeyedChoice:
    """scapy's choice of class: by the key at ``offset`` (``size`` bytes); None is
    scapy's Raw (the rest of the bytes, undissected)."""

    offset: int
    size: int
    little_endian: bool
    table: tuple[tuple[int, type | None], ...]  # key -> class, where it is not ``default``
    default: type | None
    short: type | None  # fewer than offset + size bytes

    @property
    def classes(self) -> list[type]:
        return list(dict.fromkeys(c for c in (*(c for _, c in self.table), self.default, self.short) if c))


def _pick(make: Callable[[bytes], object]) -> Pick:
    """A Pick from ``make(raw)``, the packet scapy makes of ``raw``. A dissection that
    raises is scapy's Raw too; the pick keeps those bytes in ``failed``: a class that
    could not read them is not a class chosen otherwise."""
    def pick(raw: bytes):
        try:
            p = make(raw)
        except Exception:
            pick.failed.add(raw)
            return None
        return type(p) if isinstance(p, Packet) and not isinstance(p, conf.raw_layer) else None
    pick.failed = set()
    return pick


def class_picker(cls) -> Pick:
    """The class scapy makes of ``raw`` given to ``cls``: its dispatch_hook's choice,
    asked as scapy's Packet_metaclass asks it (an exception there: Raw, its bytes kept
    in ``failed``); None: Raw.

    The chosen class's dissection is not run: where it raises (probe bytes are
    rarely a whole message: LDAP's BER, Kerberos' tokens; TLS's post-dissection
    keeps session state), scapy keeps the bytes as Raw after a lower layer, yet it
    chose that class, and the check expects it (check.scapy_items.failed_class);
    so does the dissector, which says truncated."""
    def pick(raw: bytes):
        try:
            chosen = cls.dispatch_hook(raw)
        except Exception:
            pick.failed.add(raw)
            return None
        return chosen if isinstance(chosen, type) and not issubclass(chosen, conf.raw_layer) else None
    pick.failed = set()
    return pick


def picker(fld) -> Pick:
    """The class scapy gives an element of ``fld`` made of ``raw`` (None: Raw, as scapy's
    PacketListField makes the rest Raw when an element's dissection raises)."""
    return _pick(lambda raw: fld.m2i(None, raw))


def learn(pick: Pick, seed: int = 0) -> KeyedChoice | None:
    """The key and table that explain ``pick``, or None.

    A byte position matters when some base probe gives two classes as that byte
    alone takes its 256 values (a parse failure, None, tells nothing). The
    positions that matter must fit 1 or 2 bytes at offset 0 to 3: the key."""
    rng = random.Random(seed)
    width = KEY_REACH + PROBE_TAIL
    bases = [bytes(width), bytes([0xFF]) * width, *(bytes(rng.randrange(256) for _ in range(width)) for _ in range(2))]
    matters = []
    for j in range(KEY_REACH + 2):
        for base in bases:
            if len({pick(base[:j] + bytes([v]) + base[j + 1:]) for v in range(256)} - {None}) > 1:
                matters.append(j)
                break
        if matters and (matters[-1] >= KEY_REACH or matters[-1] - matters[0] >= 2):
            return None  # no key of 1 or 2 bytes ending within the first 4 explains it
    if matters:
        offset, size = matters[0], matters[-1] - matters[0] + 1
        # a byte may matter only together with its neighbour (EIGRP's 2-byte type
        # has known values with a zero high byte): then the 2 bytes are the key
        spans = [(offset, size)] + ([(offset - 1, 2), (offset, 2)] if size == 1 else [])
    else:
        # no byte matters alone: a 2-byte key may still (one value of it, 0x0102)
        spans = [(0, 2), (1, 2), (2, 2)]
    for offset, size in spans:
        if offset >= 0 and offset + size <= KEY_REACH and size <= 2:
            table = _table(pick, bases, offset, size)
            if table is not None and (matters or len(set(table.values())) > 1):
                break
    else:
        if matters:
            return None
        # no byte within reach matters: the hook chooses one class whatever the bytes, unless
        # the probes tell otherwise (BGP's 16-byte marker, Ethernet's type at byte 12); bytes the
        # class could not read tell nothing
        picked = [(pick(base), base) for base in bases]
        chosen = {c for c, base in picked if base not in getattr(pick, "failed", ())}
        if len(chosen) > 1:
            return None
        only = chosen.pop() if chosen else None
        return KeyedChoice(0, 0, False, (), only, only)
    counts: dict = {}
    for v in table.values():
        counts[v] = counts.get(v, 0) + 1
    default = max(counts, key=lambda v: (counts[v], v is not None))
    short = pick(bytes(offset + size - 1)) if offset + size > 1 else None
    return KeyedChoice(offset, size, False, tuple((k, v) for k, v in table.items() if v != default), default, short)


def least_bytes(pick: Pick, chosen: type) -> int:
    """The fewest bytes from which on ``pick`` makes ``chosen`` of zeros, up to
    the key's reach: a class chosen whatever the bytes may still need some."""
    return next(n for n in range(KEY_REACH, -1, -1) if n == 0 or pick(bytes(n - 1)) != chosen)


def _table(pick: Pick, bases: list[bytes], offset: int, size: int) -> dict | None:
    """key -> class with the key at ``offset``, when no other byte changes it."""
    def probe(k: int, base: bytes) -> bytes:
        return base[:offset] + k.to_bytes(size, "big") + base[offset + size:]
    table = {k: pick(probe(k, bases[0])) for k in range(1 << (8 * size))}
    common = max(set(table.values()), key=list(table.values()).count)
    # every key of a class of its own, and a sample of the others
    keys = [k for k, v in table.items() if v != common or size == 1 or k % 61 == 0]
    for base in bases[1:]:  # the same class whatever the other bytes (or a parse failure)
        for k in keys:
            other = pick(probe(k, base))
            if other is not None and table[k] is not None and other != table[k]:
                return None
    return table
