"""What the generated dissector showed, read back from tshark's PDML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field


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


def proto_items(pdml: str, proto: str) -> list[ProtoItem]:
    """Every ``proto`` item of every packet, in frame order."""
    out = []
    root = ET.fromstring(pdml)
    for packet in root.iter("packet"):
        frame = 0
        for p in packet.iter("proto"):
            if p.get("name") == "geninfo":
                for f in p:
                    if f.get("name") == "num":
                        frame = int(f.get("show"))
        for p in packet.iter("proto"):
            if p.get("name") == proto:
                item = ProtoItem(frame)
                _walk(p, item, None)
                out.append(item)
    return out
