"""``dissectgen show``: the scapy dissection of every TAPI message in a capture."""

from __future__ import annotations

import json
from typing import TextIO

from .capture import TapiRecord, read_tapi


def field_values(pkt) -> dict:
    """Spec field name -> value as carried (ints stay ints, bytes as hex)."""
    out = {}
    for f in pkt.fields_desc:
        v = pkt.getfieldval(f.name)
        if v is None:
            continue  # absent from a truncated buffer
        out[f.name] = v.hex() if isinstance(v, bytes) else v
    trailing = bytes(pkt.payload) if pkt.payload else b""
    if trailing:
        out["trailing"] = trailing.hex()
    return out


def record_json(rec: TapiRecord) -> dict:
    return {
        "frame": rec.frame,
        "direction": rec.direction,
        "packet": type(rec.packet).__name__,
        "fields": field_values(rec.packet),
        "violations": [v._asdict() for v in rec.violations()],
        "call_id": rec.call_id,
        "transport": rec.transport,
        "request_frame": rec.request.frame if rec.request else None,
        "reply_frame": rec.reply.frame if rec.reply else None,
        "problems": rec.problems,
    }


def record_text(rec: TapiRecord) -> str:
    link = ""
    if rec.request:
        link = f", answers frame {rec.request.frame}"
    elif rec.reply:
        link = f", answered in frame {rec.reply.frame}"
    lines = [
        f"frame {rec.frame}: {rec.direction} {rec.packet.name} "
        f"({rec.transport} {rec.conversation}, call_id {rec.call_id}{link})",
        rec.packet.show(dump=True).rstrip(),
    ]
    lines += [f"  problem: {p}" for p in rec.problems]
    lines += [f"  violation [{v.severity}] {v.rule}: {v.message}" for v in rec.violations()]
    return "\n".join(lines) + "\n"


def show(path: str, out: TextIO, as_json: bool = False, decode_as: str | None = None) -> int:
    for rec in read_tapi(path, decode_as=decode_as):
        if as_json:
            out.write(json.dumps(record_json(rec), sort_keys=False) + "\n")
        else:
            out.write(record_text(rec) + "\n")
    return 0
