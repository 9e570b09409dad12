"""What the generated dissector showed, read back from tshark's PDML.

Read as a stream: each packet is parsed when its closing tag arrives and then
dropped, so a capture of any size needs the memory of one packet.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import IO, Iterator

LUA_ERROR = "_ws.lua.error"


class LuaErrorInOutput(RuntimeError):
    """Wireshark reported a Lua error inside the dissection of a frame."""


@dataclass
class Item:
    name: str
    show: str
    value: str  # raw bytes, hex
    pos: int
    size: int
    generated: bool

    def number(self) -> int:
        # Version difference, handled here only: PDML shows a boolean (flag)
        # field as "1"/"0" in Wireshark 4.0 but "True"/"False" in 4.4.
        if self.show in ("True", "False"):
            return int(self.show == "True")
        return int(self.show, 0)


@dataclass
class ProtoItem:
    """One item of our protocol in one frame, with everything below it."""

    frame: int
    items: list[Item] = field(default_factory=list)  # in tree order
    experts: list[tuple[str, str | None]] = field(default_factory=list)  # (expert name, parent field name)


def _item(el) -> Item:
    return Item(
        name=el.get("name", ""),
        show=el.get("show", ""),
        value=el.get("value", ""),
        pos=int(el.get("pos", "0") or 0),
        size=int(el.get("size", "0") or 0),
        generated=el.get("showname", "").startswith("["),
    )


def _walk(el, out: ProtoItem, parent: str | None) -> None:
    for child in el:
        if child.tag != "field":
            continue
        name = child.get("name", "")
        if name == "_ws.expert":
            for sub in child:
                sub_name = sub.get("name", "")
                if sub_name and not sub_name.startswith("_ws.expert"):
                    out.experts.append((sub_name, parent))
            continue
        if name:
            out.items.append(_item(child))
        _walk(child, out, name or parent)


def _frame_number(packet) -> int:
    for p in packet.iter("proto"):
        if p.get("name") == "geninfo":
            for f in p:
                if f.get("name") == "num":
                    return int(f.get("show"))
    return 0


PACKET_START, PACKET_END = b"<packet>", b"</packet>"


def _packet_documents(stream: IO[bytes], chunk: int = 1 << 20) -> Iterator[bytes]:
    """Each ``<packet>...</packet>`` of a PDML stream as its own small document.

    tshark writes one packet element after another under the root; cutting the
    stream there (the end tag cannot occur inside an escaped attribute) lets
    each packet be parsed whole in C and dropped, at twice the speed of
    iterparse and with nothing left on a root to clear.
    """
    buf = b""
    while True:
        data = stream.read(chunk)
        if not data:
            return
        buf += data
        start = 0
        while (end := buf.find(PACKET_END, start)) >= 0:
            begin = buf.find(PACKET_START, start, end)
            yield buf[begin:end + len(PACKET_END)]
            start = end + len(PACKET_END)
        buf = buf[start:]


def iter_packets(stream: IO[bytes], proto: str) -> Iterator[tuple[int, list[ProtoItem]]]:
    """(frame number, every ``proto`` item of that frame) for each packet, in frame order."""
    for document in _packet_documents(stream):
        packet = ET.fromstring(document)
        if LUA_ERROR.encode() in document:
            err = next(el for el in packet.iter("field") if el.get("name") == LUA_ERROR)
            raise LuaErrorInOutput(err.get("show") or err.get("showname") or "Lua error")
        frame = _frame_number(packet)
        items = []
        for p in packet.iter("proto"):
            if p.get("name") == proto:
                item = ProtoItem(frame)
                _walk(p, item, None)
                items.append(item)
        yield frame, items


def proto_items(pdml: str, proto: str) -> list[ProtoItem]:
    """Every ``proto`` item of every packet of a whole PDML document, in frame order."""
    return [item for _, items in iter_packets(io.BytesIO(pdml.encode("utf-8")), proto) for item in items]
