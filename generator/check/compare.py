"""``dissectgen check``: scapy and the generated Lua agree, field by field.

For every message in every frame both sides must show the same message class,
the same set of fields with the same values, offsets (from the start of the
message) and sizes, and the same expert infos: scapy's ``violations()`` (and a
``truncated`` flag) against the Lua's expert items, one to one. A message only
one side finds is a disagreement too. One tshark run per capture.
"""

from __future__ import annotations

import heapq
import itertools
import os
import tempfile
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from scapy.config import conf
from scapy.packet import NoPayload

from scapy_layers.traffic.frames import scapy_frames

from .. import model as M
from ..backends import write_atomically
from ..backends.c import build_plugin
from ..backends.c import render as render_c
from ..backends.lua import render
from ..frontend import build
from .pdml import LuaErrorInOutput, ProtoItem, iter_packets
from .scapy_items import (LIMIT_REASON, ber_bits, canonical_address, failed_class, limit_name, message_reading,
                          scaled_value, shown_address)
from .tshark import Tshark, TsharkError

# Disagreements kept per capture for the report; the rest are only counted.
MAX_DISAGREEMENTS = 1000


@dataclass
class Side:
    """One message as one side decoded it."""

    frame: int
    message: str  # message filter name
    fields: dict[str, tuple]  # filter name -> (value, offset, size); repeated names get #n suffixes
    experts: set[tuple[str, str]]  # (expert filter name, item it is on)
    problem: str | None = None  # this side could not be read: not compared, and why


@dataclass
class Disagreement:
    frame: int
    field: str
    scapy: object
    wireshark: object

    def __str__(self) -> str:
        return f"frame {self.frame}: {self.field}: scapy={self.scapy!r} wireshark={self.wireshark!r}"


@dataclass(frozen=True)
class NotRead:
    """A message not compared: one side of it could not be read (a defect of ours)."""

    frame: int
    message: str
    side: str  # "scapy" | "Wireshark"
    why: str

    def __str__(self) -> str:
        return f"frame {self.frame}: {self.message}: {self.side} side not read ({self.why})"


@dataclass
class PcapResult:
    pcap: str
    frames: int = 0
    messages: int = 0
    fields: int = 0
    experts: int = 0
    disagreements: list[Disagreement] = field(default_factory=list)
    more_disagreements: int = 0  # past MAX_DISAGREEMENTS, counted only
    problems: list[NotRead] = field(default_factory=list)  # messages not compared: a side could not be read
    # bytes the dissector leaves undecoded, so not compared: reason (naming Class.field) -> how many
    not_compared: dict[str, int] = field(default_factory=dict)
    backend: str = "lua"  # the generated dissector checked: "lua" or "c"

    @property
    def ok(self) -> bool:
        # A capture where neither side found a message proves nothing.
        return not self.disagreements and not self.problems and self.messages > 0

    def disagree(self, d: Disagreement) -> None:
        if len(self.disagreements) < MAX_DISAGREEMENTS:
            self.disagreements.append(d)
        else:
            self.more_disagreements += 1


@dataclass
class _Found:
    """A message scapy found by itself in a frame (layers bound to ports)."""

    frame: int
    packet: object  # None: scapy's dissection of the message raised, and it kept the bytes as Raw
    stub: object
    failed: type | None = None  # then: the class it could not dissect
    raw: bytes | None = None  # and its bytes


def _add(fields: dict, name: str, entry: tuple) -> None:
    key, n = name, 2
    while key in fields:
        key, n = f"{name}#{n}", n + 1
    fields[key] = entry


BACKENDS = ("lua", "c")


class Checker:
    def __init__(self, layers: str = "scapy_layers.mstrp", tshark: Tshark | None = None,
                 decode_as: str | None = None, lua: str | None = None, backend: str = "lua",
                 plugin: str | None = None, strict: bool = False) -> None:
        """``backend``: "lua" (a Lua script) or "c" (a C plugin, built for this tshark).
        ``lua`` / ``plugin``: check this Lua file or this built plugin instead of
        generating one (to test the checker). ``strict``: refuse layers with a
        field the generator cannot translate (else it and the rest are not compared)."""
        if backend not in BACKENDS:
            raise ValueError(f"unknown backend {backend!r}: one of {', '.join(BACKENDS)}")
        self.proto, self.classes, self.info = build(layers, strict)
        # undecoded item filter name -> (its expert's filter name, why)
        self.undecoded = {f.abbrev: (f.expert_abbrev, f.reason) for m in self.proto.messages
                          for f in m.fields if f.kind == "undecoded"}
        self.undecoded[limit_name(self.proto)] = (None, LIMIT_REASON.format(conf.max_list_count))  # no expert
        self.tshark = tshark or Tshark.find()
        self.decode_as = decode_as
        self.backend = backend
        self.by_abbrev = {m.abbrev: m for m in self.proto.messages}
        self.message_of = {cls: self.proto.message(ident) for ident, cls in self.classes.items()}
        self.dispatched = self._dispatched()
        self._lua_dir = tempfile.TemporaryDirectory(prefix="dissectgen-check-")
        if backend == "c":
            self.lua = None
            self.dissector = plugin or os.path.join(self._lua_dir.name, f"{self.proto.abbrev}.so")
            if plugin is None:
                build_plugin(render_c(self.proto), self.dissector, root=self.tshark.root)
        else:
            self.lua = self.dissector = lua or os.path.join(self._lua_dir.name, f"{self.proto.abbrev}.lua")
            if lua is None:
                write_atomically(self.lua, render(self.proto))

    def run(self, pcap: str, args: list[str] = (), prefs: dict | None = None, **options) -> str:
        """tshark with this checker's dissector (Lua script or C plugin)."""
        return self.tshark.run(pcap, self.dissector, args, prefs, **options)

    def _dispatched(self) -> set[str]:
        d = self.proto.dispatch
        if d is None:
            tops = [m for m in self.proto.messages if not m.sub_only]
            return {m.ident for m in tops} | {c for m in tops if m.choose for c in m.choose.messages}
        return {d.generic_request, d.generic_reply, *(i for _, i in d.requests), *(i for _, i in d.replies)}

    # --- scapy side

    def scapy_side(self, rec) -> Side:
        """``rec``: a record of the protocol's reader, or a _Found (frame, packet, stub)."""
        pkt = rec.packet
        cls = type(pkt) if pkt is not None else rec.failed
        msg = self.message_of[cls]
        fields: dict[str, tuple] = {}
        items, short = message_reading(self.proto, self.classes, msg, cls, pkt, getattr(rec, "raw", None))
        experts = set()
        for item in items:
            _add(fields, item.name, (item.value, item.offset, item.size))
            if item.name in self.undecoded and self.undecoded[item.name][0] is not None:
                experts.add((self.undecoded[item.name][0], item.name))
        if not hasattr(cls, "truncated"):
            # A plain scapy class has no truncated flag: scapy reads a length that
            # overruns the buffer as the bytes there are, a counted list as the
            # elements there are, and gives up on a message (Raw) at a field it
            # cannot read. The dissector shows the same and says "truncated".
            experts |= {(f"{abbrev}.truncated", abbrev) for abbrev in short}
        if msg.unsure:
            experts.add((msg.unsure_abbrev, msg.abbrev))
        layer = pkt
        while layer is not None and type(layer) in self.message_of:
            lmsg = self.message_of[type(layer)]
            if lmsg.unsure:
                experts.add((lmsg.unsure_abbrev, lmsg.abbrev))
            for v in (layer.violations() if _declares(layer, "violations") else []):
                if any(r.rule_id == v.rule for r in lmsg.rules):  # a rule on undecoded bytes is not checked
                    experts.add(self._rule_expert(lmsg, v.rule))
            layer = layer.payload if layer.payload else None
        if _declares(pkt, "truncated") and pkt.truncated:
            experts.add((f"{msg.abbrev}.truncated", msg.abbrev))
        # a reader may say whether a stub is truncated without dissecting it (stub_truncated)
        truncated = getattr(rec, "stub_truncated", None)
        if truncated is None:
            truncated = _declares(rec.stub, "truncated") and rec.stub.truncated
        if truncated:
            stub = self.message_of[getattr(rec, "stub_class", None) or type(rec.stub)]
            experts.add((f"{stub.abbrev}.truncated", stub.abbrev))
        return Side(rec.frame, msg.abbrev, fields, experts)

    def _rule_expert(self, msg: M.Message, rule_id: str) -> tuple[str, str]:
        """(expert filter name, filter name of the item it must be on)."""
        rule = next(r for r in msg.rules if r.rule_id == rule_id)
        if rule.field is None:
            return rule.abbrev, msg.abbrev
        return rule.abbrev, next(f.abbrev for f in msg.fields if f.ident == rule.field)

    # --- Lua side

    def lua_side(self, item: ProtoItem) -> Side | None:
        msg_item = next((i for i in item.items if i.name in self.by_abbrev
                         and self.by_abbrev[i.name].ident in self.dispatched), None)
        if msg_item is None:
            return None
        msg = self.by_abbrev[msg_item.name]
        names = self._field_names(msg)
        fields: dict[str, tuple] = {}
        inside = False
        for i in item.items:
            if i is msg_item:
                inside = True
                continue
            if not inside:
                continue
            if i.name in names or i.name == f"{self.proto.abbrev}.trailing":
                kind = names.get(i.name, "bytes")
                if isinstance(kind, M.Scaling):
                    value = scaled_value(i.show, kind.ndigits)
                elif kind == "prefix":
                    value = canonical_address(i.show)
                elif kind in ("tbcd", "dns_name", "hex_text"):
                    value = i.show
                elif kind == "address_shown":
                    value = i.show.lower()
                elif kind in ("bytes", "stringz", "packet", "packet_list", "address", "address_list", "bytes_list",
                              "float", "ndr_conf_var"):
                    value = i.value
                elif kind == "undecoded":
                    value = ""
                elif kind == "ber_show":  # an OID: its dotted text
                    value = i.show
                elif kind == "ber_bits":
                    value = ber_bits(i.value)
                else:
                    value = i.number()
                _add(fields, i.name, (value, i.pos - msg_item.pos, i.size))
        experts = {(name, parent or "") for name, parent in item.experts}
        return Side(item.frame, msg.abbrev, fields, experts)

    def _field_names(self, msg: M.Message) -> dict[str, str | M.Scaling]:
        """Filter name -> the field's kind, or its scaling (a scaled field)."""
        out: dict[str, str | M.Scaling] = {}

        def add(m: M.Message):
            for f in m.flat_fields:
                if f.kind == "ber":
                    for n in M.ber_tree(f.ber):
                        if n.item is not None:
                            out[n.item.abbrev] = {"oid": "ber_show", "bits": "ber_bits", "int": "ber_int"}.get(
                                n.kind, "bytes")
                        if n.wide is not None:
                            out[n.wide.abbrev] = "bytes"
                        if n.sub is not None and n.sub not in seen:
                            seen.add(n.sub)
                            add(self.proto.message(n.sub))
                    continue
                if f.kind == "ber_item":
                    continue
                out[f.abbrev] = f.scaling or ("tbcd" if f.tbcd else "address_shown" if shown_address(f) else f.kind)
                for flag in f.flags:
                    out[flag.abbrev] = "flag"
                for part in f.parts:
                    out[part.abbrev] = part.kind
                for sub in f.choose.messages if f.choose else [f.sub] if f.sub else []:
                    if sub not in seen:
                        seen.add(sub)
                        add(self.proto.message(sub))
            for b in m.payloads:
                if b.message not in seen:
                    seen.add(b.message)
                    add(self.proto.message(b.message))

        seen = {msg.ident}
        add(msg)
        return out

    # --- comparison

    def scapy_sides(self, pcap: str) -> list[Side]:
        return list(self.iter_scapy_sides(pcap))

    def iter_scapy_sides(self, pcap: str) -> Iterator[Side]:
        """scapy's messages of ``pcap``, in frame order, as they are read."""
        if self.proto.dce is not None:
            if self.info is None or self.info.reader is None:
                raise ValueError(f"{self.proto.source}: PROTOCOL declares carriers but no reader for captures")
            for rec in self.info.reader(pcap, self.decode_as):
                yield self._guarded(self.scapy_side, rec, rec.frame, type(rec.packet).__name__)
            return
        # Layers bound to ports with bind_layers: scapy's own dissection finds them.
        tops = {cls for ident, cls in self.classes.items() if ident in self.dispatched}
        for number, frame in scapy_frames(pcap):
            # the capture's link layer is Wireshark's own to dissect, even when it is one of
            # our classes (scapy's Ether surveyed on a UDP port): ours are what it carries
            layer = frame.payload
            while layer is not None and not isinstance(layer, NoPayload):
                if type(layer) in tops:
                    yield self._guarded(self.scapy_side, _Found(number, layer, None), number, type(layer).__name__)
                    break
                if type(layer) is conf.raw_layer and layer.underlayer is not None:
                    # scapy chose one of our classes here, its dissection raised and it kept the bytes
                    chosen = failed_class(layer.underlayer, bytes(layer.load))
                    if chosen in tops:
                        found = _Found(number, None, None, failed=chosen, raw=bytes(layer.load))
                        yield self._guarded(self.scapy_side, found, number, chosen.__name__)
                    break
                layer = layer.payload

    def _guarded(self, read, what, frame: int, name: str) -> Side:
        """A side, or, when reading it raised, a Side that says so (it is not compared)."""
        try:
            return read(what)
        except Exception as exc:  # a defect of ours on this message: report it, keep checking
            return Side(frame, name, {}, set(), problem=f"{type(exc).__name__}: {exc}")

    def iter_lua_sides(self, pdml_stream) -> Iterator[Side]:
        for _, items in iter_packets(pdml_stream, self.proto.abbrev):
            for item in items:
                side = self._guarded(self.lua_side, item, item.frame, self.proto.abbrev)
                if side is not None:
                    yield side

    def check(self, pcap: str, on_pair: Callable[[Side | None, Side | None], None] | None = None,
              progress: Callable[[int], None] | None = None) -> PcapResult:
        """Compare both dissections of ``pcap`` as both advance, frame by frame: tshark's
        PDML is parsed while tshark writes it and scapy reads the capture alongside,
        so memory does not grow with the capture. ``on_pair(scapy, wireshark)`` sees
        every pair compared; ``progress(frame)`` is told each frame compared."""
        result = PcapResult(pcap, backend=self.backend)
        prefs = {}
        if self.decode_as and self.proto.dce:
            prefs[f"{self.proto.abbrev}.{self.proto.dce.ports_pref}"] = "1-65535"
        # -J: only our protocol's subtree (and the frame number) is written: 8x less XML
        args = ["-2", "-R", "frame", "-T", "pdml", "-J", self.proto.abbrev]
        with self.tshark.stream(pcap, self.dissector, args, prefs) as pdml:
            try:
                for frame, ours, theirs in by_frame(self.iter_scapy_sides(pcap), self.iter_lua_sides(pdml)):
                    result.frames += 1
                    for a, b in itertools.zip_longest(ours, theirs):
                        self._compare(frame, a, b, result)
                        if on_pair is not None:
                            on_pair(a, b)
                    if progress is not None:
                        progress(frame)
            except LuaErrorInOutput as exc:
                raise TsharkError(f"Lua error reported by Wireshark ({self.tshark.label}) while "
                                  f"dissecting {pcap}: {exc}") from None
        return result

    def _compare(self, frame: int, a: Side | None, b: Side | None, result: PcapResult) -> None:
        broken = [(side, who) for side, who in ((a, "scapy"), (b, "Wireshark")) if side is not None and side.problem]
        if broken:
            for side, who in broken:
                result.problems.append(NotRead(frame, side.message, who, side.problem))
            return
        if a is None or b is None:
            self._other_class(frame, a, b, result)
            return
        result.messages += 1
        if a.message != b.message:
            self._other_class(frame, a, b, result)
            return
        fa, fb, undecoded = self._decoded_by_both(a.fields, b.fields, result)
        for name in sorted(set(fa) | set(fb)):
            result.fields += 1
            va, vb = fa.get(name), fb.get(name)
            if va != vb:
                result.disagree(Disagreement(frame, name, va, vb))
        ea, eb = a.experts, b.experts
        if undecoded:
            # bytes left undecoded: the dissector cannot know whether what follows them is whole;
            # and an expert on an item in bytes not compared is not compared either
            kept = {n.split("#")[0] for n in (*fa, *fb)}
            dropped = {n.split("#")[0] for n in (*a.fields, *b.fields)} - kept
            ea, eb = ({e for e in x if not e[0].endswith(".truncated") and e[1] not in dropped} for x in (ea, eb))
        result.experts += len(ea | eb)
        for name, on in sorted(ea - eb):
            result.disagree(Disagreement(frame, f"expert {name} on {on}", "present", "absent"))
        for name, on in sorted(eb - ea):
            result.disagree(Disagreement(frame, f"expert {name} on {on}", "absent", "present"))


    def _other_class(self, frame: int, a: Side | None, b: Side | None, result: PcapResult) -> None:
        """scapy made another message of the bytes than the dissector (or none): a
        disagreement, unless the dissector's class is one whose choice by scapy it
        could not translate; then its bytes are not compared."""
        unsure = self.by_abbrev.get(b.message).unsure if b is not None and b.message in self.by_abbrev else None
        if unsure is None:
            result.disagree(Disagreement(frame, "message", a.message if a else None, b.message if b else None))
            return
        size = max((offset + size for _, offset, size in b.fields.values() if size), default=0) - \
            min((offset for _, offset, _ in b.fields.values()), default=0)
        result.not_compared[unsure] = result.not_compared.get(unsure, 0) + size

    def _decoded_by_both(self, ours: dict, theirs: dict, result: PcapResult) -> tuple[dict, dict, bool]:
        """Both sides' fields without those in bytes the dissector leaves undecoded,
        and whether there are such bytes.

        An undecoded item is compared by its offset only (scapy sees a nested
        message's own bytes, the dissector what is left to the end); then each
        side drops the fields in its range, and those whose range holds its
        start (the enclosing packets and list elements, whose lengths depend on
        what is not decoded). The range is the dissector's item's; an undecoded
        point only scapy reached hides everything after it. The bytes left
        undecoded are counted per reason in ``result.not_compared``."""
        found = []  # (start, end, reason) of each undecoded item, the dissector's first
        for fields, by_dissector in ((theirs, True), (ours, False)):
            for name, (value, offset, size) in list(fields.items()):
                base = name.split("#")[0]
                if base in self.undecoded:
                    fields[name] = (value, offset, None)
                    found.append((offset, offset + size if by_dissector else float("inf"), self.undecoded[base][1],
                                  size))
        cuts: dict[int, float] = {}  # start -> end of each undecoded range
        for offset, end, why, size in sorted(found, key=lambda c: c[0]):
            if offset in cuts or any(o < offset < e for o, e in cuts.items()):
                continue  # the same point, or one inside bytes already undecoded
            cuts[offset] = end
            result.not_compared[why] = result.not_compared.get(why, 0) + size
        if not cuts:
            return ours, theirs, False

        def shown(name: str, entry: tuple) -> bool:
            _, offset, size = entry
            if name.split("#")[0] == limit_name(self.proto):
                return False  # scapy's side only: where scapy stopped, not an item of the dissector's
            if name.split("#")[0] in self.undecoded:
                return offset in cuts
            return not any(o <= offset < e or offset < o < offset + size for o, e in cuts.items())

        return ({n: v for n, v in ours.items() if shown(n, v)}, {n: v for n, v in theirs.items() if shown(n, v)}, True)


def by_frame(scapy: Iterable[Side], lua: Iterable[Side]) -> Iterator[tuple[int, list[Side], list[Side]]]:
    """Merge two frame-ordered streams of sides: (frame, scapy's, Wireshark's) per frame."""
    merged = heapq.merge(((s.frame, 0, s) for s in scapy), ((s.frame, 1, s) for s in lua), key=lambda t: t[0])
    for frame, group in itertools.groupby(merged, key=lambda t: t[0]):
        ours, theirs = [], []
        for _, source, side in group:
            (theirs if source else ours).append(side)
        yield frame, ours, theirs


def _declares(pkt, name: str) -> bool:
    """True when ``pkt``'s class has ``name`` (our layers' truncated, violations).
    Asked of the class, not the packet: scapy looks a name a packet lacks up in
    its fields, and some classes' lookups never end (NDRSerialization1Header's
    getfield_and_val asks itself again when it holds no NDR payload)."""
    return pkt is not None and hasattr(type(pkt), name)
