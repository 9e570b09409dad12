"""Reports of a check: one line per capture, JSON, or both dissections side by side."""

from __future__ import annotations

import json

from .compare import PcapResult


def report_text(r: PcapResult) -> str:
    verdict = "OK" if r.ok else ("DISAGREE" if r.disagreements else "NOT READ" if r.problems else "NOTHING COMPARED")
    which = "" if r.backend == "lua" else f" [{r.backend} plugin]"
    head = (f"{r.pcap}{which}: {verdict} - {r.frames} frames, {r.messages} messages, "
            f"{r.fields} fields, {r.experts} expert infos compared")
    if r.not_compared:
        head += f"; {sum(r.not_compared.values())} bytes not compared (left undecoded by the dissector)"
    if r.problems:
        head += f"; {len(r.problems)} messages not compared (a side could not be read: a defect of dissectgen)"
    elif not r.messages and not r.disagreements:
        head += " (no message found by either side; a capture without the Bind needs --decode-as)"
    more = [f"  ... and {r.more_disagreements} more disagreements"] if r.more_disagreements else []
    undecoded = [f"  not compared: {n} bytes left undecoded ({why})" for why, n in sorted(r.not_compared.items())]
    return "\n".join([head, *(f"  {d}" for d in r.disagreements), *more, *(f"  {p}" for p in r.problems),
                      *undecoded])


def report_json(r: PcapResult) -> str:
    return json.dumps({
        "pcap": r.pcap, "backend": r.backend, "ok": r.ok, "frames": r.frames, "messages": r.messages, "fields": r.fields,
        "experts": r.experts,
        "disagreements": [{"frame": d.frame, "field": d.field, "scapy": _plain(d.scapy),
                           "wireshark": _plain(d.wireshark)} for d in r.disagreements],
        "more_disagreements": r.more_disagreements, "problems": [str(p) for p in r.problems],
        "not_compared": [{"reason": why, "bytes": n} for why, n in sorted(r.not_compared.items())],
    })


def _plain(v):
    return list(v) if isinstance(v, tuple) else v


def side_by_side(pairs, width: int = 44) -> str:
    """Both dissections of each message, one field a line: scapy | Wireshark."""
    lines = []
    for a, b in pairs:
        frame = (a or b).frame
        lines.append(f"frame {frame}: {(a.message if a else '-'):<{width}} | {b.message if b else '-'}")
        names = list(dict.fromkeys([*(a.fields if a else {}), *(b.fields if b else {})]))
        for name in names:
            left = _cell(a.fields.get(name) if a else None)
            right = _cell(b.fields.get(name) if b else None)
            mark = " " if left == right else "!"
            short = name.split(".", 2)[-1] if name.count(".") >= 2 else name
            lines.append(f"  {mark} {short:<28} {left:<{width - 30}} | {right}")
        for name, on in sorted((a.experts if a else set()) | (b.experts if b else set())):
            left = "expert" if a and (name, on) in a.experts else "-"
            right = "expert" if b and (name, on) in b.experts else "-"
            mark = " " if left == right else "!"
            lines.append(f"  {mark} {name.rsplit('.', 1)[-1]:<28} {left:<{width - 30}} | {right}")
    return "\n".join(lines)


def _cell(entry) -> str:
    if entry is None:
        return "-"
    value, offset, size = entry
    shown = f"0x{value:x}" if isinstance(value, int) and value > 9 else str(value)
    return f"{shown} @{offset}+{size}"
