"""``dissectgen show``: the scapy dissection of every TAPI message in a capture."""

from __future__ import annotations

import json
from collections import deque
from typing import TextIO

from ..traffic.frames import read_frames
from .capture import ReadProblem, TapiReader, TapiRecord


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


def problem_json(problem: ReadProblem) -> dict:
    """A line for input that held no readable message: no packet, only the problem."""
    return {"frame": problem.frame, "direction": None, "packet": None, "problems": [problem.text]}


def show(path: str, out: TextIO, as_json: bool = False, decode_as: str | None = None,
         progress=None) -> int:
    """Print every message and every problem met on the way, in frame order, while reading.

    A request is printed once its reply is read (so it can name the reply's
    frame), or once it is plainly never answered: more unanswered requests
    pile up behind it than the reader keeps open. ``progress(frame number,
    bytes of the file read)``, when given, is called as frames go by."""
    reader = TapiReader(decode_as)
    queue: deque[TapiRecord | ReadProblem] = deque()

    def flush(everything: bool = False) -> None:
        while queue and (everything or _settled(queue[0]) or len(queue) > reader.MAX_OPEN_CALLS):
            item = queue.popleft()
            if isinstance(item, ReadProblem):
                out.write(json.dumps(problem_json(item)) + "\n" if as_json else f"{item}\n\n")
            else:
                out.write(json.dumps(record_json(item)) + "\n" if as_json else record_text(item) + "\n")

    for frame in reader_frames(path, progress):
        records = reader.feed_frame(frame)
        queue.extend(reader.drain_problems())  # met while reading the frame, before its records
        queue.extend(records)
        flush()
    flush(everything=True)
    return 0


def _settled(item) -> bool:
    return not isinstance(item, TapiRecord) or item.direction != "request" or item.reply is not None


def reader_frames(path: str, progress=None):
    for frame in read_frames(path):
        yield frame
        if progress is not None:
            progress(frame.number, frame.end)
