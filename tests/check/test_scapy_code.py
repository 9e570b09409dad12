"""scapy code the generator runs by probing, or the check reads past: a
dispatch_hook that looks beyond the probes' reach is said (a class: decoded and
an expert says scapy may choose another; a field: left undecoded), a
post_dissection that raises does not hide what scapy read, and a
MultiFlagsField's set of names is compared as the number on the wire.
Lua script and C plugin, every generation."""

import pytest
from scapy.packet import Raw

from conftest import matching_frames, udp_pcap
from generator.check import Checker
from layers.scapy_code import PORTS, Carrier, Flagged, Framed, Keyed, Marked, Tagged


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.scapy_code", tshark=tshark, backend=backend)


def _check(checker, pcap):
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.disagreements == [] and result.problems == [], (result.disagreements, result.problems)
    return result, pairs


def test_a_hook_choosing_by_a_marker_beyond_the_key_is_said(checker, tmp_path):
    """Marked, or Raw without its 6-byte marker (BGP's header): no key explains it."""
    samples = [Marked(type=2, value=9), Raw(bytes(8))]
    assert isinstance(Marked(bytes(samples[1])), Raw)
    pcap = udp_pcap(tmp_path / "marked.pcap", [(PORTS[Marked], p) for p in samples])
    result, pairs = _check(checker, pcap)
    assert result.ok and result.messages == 1
    (why, size), = result.not_compared.items()
    assert why.startswith("Marked.dispatch_hook: chooses the class from the bytes") and size == 8
    assert [(a and a.message, b.message) for a, b in pairs] == [("scapy_code.marked", "scapy_code.marked"),
                                                                (None, "scapy_code.marked")]
    assert pairs[0][1].fields["scapy_code.marked.value"] == (9, 7, 1)
    assert matching_frames(checker, pcap, "scapy_code.marked.class_unsure") == [1, 2]


def test_a_field_whose_class_is_chosen_beyond_the_key_is_left_undecoded(checker, tmp_path):
    """Framed or Tagged by bytes 8-9 (Ethernet or 802.3 by byte 12): Carrier.frame is undecoded."""
    samples = [Carrier(code=1, frame=Framed(dst=b"abcd", src=b"efgh", kind=0x800, extra=5)),
               Carrier(code=2, frame=Tagged(dst=b"abcd", src=b"efgh", kind=4))]
    assert [type(Carrier(bytes(p)).frame) for p in samples] == [Framed, Tagged]
    pcap = udp_pcap(tmp_path / "carrier.pcap", [(PORTS[Carrier], p) for p in samples])
    result, pairs = _check(checker, pcap)
    assert result.ok and result.messages == 2
    (why, size), = result.not_compared.items()
    assert why.startswith("Carrier.frame: its packets' class is chosen by Framed") and size == 22
    assert [b.fields["scapy_code.carrier.code"] for _, b in pairs] == [(1, 0, 1), (2, 0, 1)]
    assert matching_frames(checker, pcap, "scapy_code.carrier.undecoded") == [1, 2]


def test_what_scapy_read_is_compared_when_its_post_dissection_raises(checker, tmp_path):
    """A 1-byte key: Keyed.post_dissection raises (scapy's reader keeps the frame Raw); its fields were read."""
    samples = [Keyed(group=7, key=b"x"), Keyed(group=8, key=b"xyz")]
    pcap = udp_pcap(tmp_path / "keyed.pcap", [(PORTS[Keyed], p) for p in samples])
    result, pairs = _check(checker, pcap)
    assert result.ok and result.messages == 2 and result.not_compared == {}
    assert [(a.message, b.message) for a, b in pairs] == [("scapy_code.keyed", "scapy_code.keyed")] * 2
    assert pairs[0][1].fields["scapy_code.keyed.key"] == ("78", 3, 1)
    assert pairs[1][1].fields["scapy_code.keyed.group"] == (8, 0, 2)


def test_a_multiflags_field_is_compared_as_its_number(checker, tmp_path):
    """scapy's value is a set of flag names by the type ({"E", "P"}; an unnamed bit is "bit 0")."""
    samples = [Flagged(type=0, flags={"E", "P"}, stream=3), Raw(bytes.fromhex("01050001"))]
    assert Flagged(bytes(samples[1])).flags == {"bit 0", "A"}
    pcap = udp_pcap(tmp_path / "flagged.pcap", [(PORTS[Flagged], p) for p in samples])
    result, pairs = _check(checker, pcap)
    assert result.ok and result.messages == 2 and result.not_compared == {}
    assert [b.fields["scapy_code.flagged.flags"] for _, b in pairs] == [(0x09, 1, 1), (0x05, 1, 1)]
