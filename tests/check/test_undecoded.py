"""What the generator cannot translate degrades visibly: every field before it
is decoded, it and the rest are one undecoded item with an expert (group
Undecoded), and ``check`` compares what both sides decode and counts the rest
as not compared. With the Lua script and the C plugin, on every generation."""

import pytest
from scapy.packet import Raw

from conftest import udp_pcap
from generator.check import Checker, report_text
from generator.frontend import GeneratorError
from layers.undecoded import (PORTS, BoundedElement, CountedList, Element, OpenList, StopsAtField, StopsInBitRun,
                              TailList)

SAMPLES = [
    StopsAtField(before=0x1234, odd=7, after=0x5678),
    StopsInBitRun(hi=5, mid=2, odd=1, after=9),
    BoundedElement(element=Element(tag=1, odd=2, value=3), tail=0xBEEF),
    OpenList(count=2, elements=[Element(tag=1, odd=2, value=3), Element(tag=4, odd=5, value=6)]),
    CountedList(count=2, elements=[Element(tag=1, odd=2, value=3), Element(tag=4, odd=5, value=6)]),
]


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.undecoded", tshark=tshark, backend=backend)


@pytest.fixture(scope="module")
def checked(checker, tmp_path_factory):
    pcap = udp_pcap(tmp_path_factory.mktemp("undecoded") / "undecoded.pcap",
                    [(PORTS[type(p)], p) for p in SAMPLES])
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    return pcap, result, pairs


def test_what_both_decode_agrees_and_the_rest_is_counted(checked):
    _, result, pairs = checked
    assert result.disagreements == [] and result.problems == [] and result.ok
    assert result.messages == len(SAMPLES)
    # the undecoded bytes: 3 of StopsAtField, 2 of the bit run, 2 of the bounded element, 5 of each list
    assert sum(result.not_compared.values()) == 3 + 2 + 2 + 5 + 5
    assert all(why.split(":")[0] in ("StopsAtField.odd", "StopsInBitRun.odd", "Element.odd")
               for why in result.not_compared)
    assert "17 bytes not compared (left undecoded by the dissector)" in report_text(result)
    # the counted list: the dissector cannot count past the undecoded bytes, and says truncated; not compared
    assert ("undecoded.countedlist.truncated", "undecoded.countedlist") in pairs[4][1].experts


def test_fields_before_and_after_a_bounded_stop_are_compared(checked):
    _, _, pairs = checked
    (at, _), (bits, _), (bounded, bounded_ws), (open_list, open_list_ws), _ = [(a.fields, b.fields) for a, b in pairs]
    assert at == {"undecoded.stopsatfield.kind": (1, 0, 1), "undecoded.stopsatfield.before": (0x1234, 1, 2),
                  "undecoded.stopsatfield.undecoded": ("", 3, None)}
    # the bit run is read whole or not at all: decoding stops at its first bit field
    assert bits == {"undecoded.stopsinbitrun.kind": (2, 0, 1), "undecoded.stopsinbitrun.undecoded": ("", 1, None)}
    # the element's own undecoded bytes end where its length says: the tail is decoded and compared
    assert bounded["undecoded.boundedelement.tail"] == (0xBEEF, 4, 2)
    assert bounded["undecoded.element.tag"] == (1, 1, 1) and bounded == bounded_ws
    # the first element's undecoded bytes run to the end, where scapy reads a second element: the
    # check lays scapy's reading out as the dissector reads it, the first element to the list's end
    assert open_list_ws == {"undecoded.openlist.count": (2, 0, 1), "undecoded.openlist.elements": ("01fd0304fa06", 1, 6),
                            "undecoded.element.tag": (1, 1, 1), "undecoded.element.undecoded": ("", 2, None)}
    assert open_list == open_list_ws


def test_the_undecoded_item_carries_an_expert_in_the_undecoded_group(checker, checked):
    pcap, _, _ = checked
    out = checker.run(pcap, ["-V"])
    assert ("    Undecoded: f85678\n        [Expert Info (Warning/Undecoded): not decoded: StopsAtField.odd: "
            "Scrambled overrides how scapy reads or writes it, so the generator cannot know its wire format; "
            "use a plain scapy field]") in out
    lines = checker.run(pcap, ["-T", "fields", "-e", "undecoded.stopsatfield.undecoded",
                               "-e", "undecoded.element.undecoded", "-Y", "_ws.expert.group == 0x05000000"])
    assert lines.split("\n")[:4] == ["f85678\t", "\t", "\tfd03", "\tfd0304fa06"]


def test_strict_refuses_the_layers(tshark):
    with pytest.raises(GeneratorError, match="StopsAtField.odd: Scrambled overrides how scapy reads or writes it"):
        Checker("layers.undecoded", tshark=tshark, strict=True)


def test_an_element_whose_undecoded_field_reads_nothing(checker, tmp_path):
    """The dissector cannot know the element ends with its undecoded field: it and the
    rest of the list are undecoded, from where that field starts, on both sides."""
    pcap = udp_pcap(tmp_path / "tail.pcap", [(PORTS[TailList], Raw(bytes.fromhex("00" "00" "0161")))])
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.ok and result.disagreements == [] and result.problems == [] and result.messages == 1
    assert pairs[0][1].fields["undecoded.tailelement.kind"] == (0, 0, 1)
    assert sum(result.not_compared.values()) == 3
