"""What the generated dissector showed, read back from tshark's PDML.

Read as a stream: each packet is taken apart when its closing tag arrives and
then dropped, so a capture of any size needs the memory of one packet.
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


def iter_packets(stream: IO[bytes], proto: str) -> Iterator[tuple[int, list[ProtoItem]]]:
    """(frame number, every ``proto`` item of that frame) for each packet, in frame order."""
    root = None
    for event, el in ET.iterparse(stream, events=("start", "end")):
        if root is None:
            root = el
            continue
        if event != "end":
            continue
        if el.tag == "field" and el.get("name") == LUA_ERROR:
            raise LuaErrorInOutput(el.get("show") or el.get("showname") or "Lua error")
        if el.tag != "packet":
            continue
        frame = _frame_number(el)
        items = []
        for p in el.iter("proto"):
            if p.get("name") == proto:
                item = ProtoItem(frame)
                _walk(p, item, None)
                items.append(item)
        root.clear()  # the packet is read: let it go
        yield frame, items


def proto_items(pdml: str, proto: str) -> list[ProtoItem]:
    """Every ``proto`` item of every packet of a whole PDML document, in frame order."""
    return [item for _, items in iter_packets(io.BytesIO(pdml.encode("utf-8")), proto) for item in items]
