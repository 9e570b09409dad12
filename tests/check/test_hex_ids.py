"""Fixed-size ids scapy's library shows as hex text of its own
(tests/layers/ids.py): isis's system, node and LSP ids, and a UUID with all
16 bytes reversed (UUIDField FORMAT_REV). The dissector's string items show
scapy's text, Wireshark says ``truncated`` where scapy fails on too few
bytes, and a damaged packet is never a Lua error; Lua script and C plugin."""

import pytest

from conftest import checked_samples
from generator.check import Checker
from layers.ids import PORTS, Ids

UUID = bytes(range(0x10, 0x20))
WHOLE = bytes(range(1, 7)) + bytes(range(0xa1, 0xa8)) + b"\x00\x09" + bytes(range(0xf1, 0xf9)) + UUID + b"\x00\x07"

# (wire bytes, does scapy fail?)
SAMPLES = [
    (WHOLE, False),
    (WHOLE[:30], True),  # the LSP id whole, the UUID cut short
    (WHOLE[:5], True),
]


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.ids", tshark=tshark, backend=backend)


def test_scapy_and_tshark_agree(checker, tmp_path):
    pairs = checked_samples(checker, tmp_path / "ids.pcap", [(Ids, raw, short) for raw, short in SAMPLES], PORTS)
    first = pairs[0][1].fields
    assert first["ids.ids.sysid"] == ("0102.0304.0506", 0, 6)
    assert first["ids.ids.nodeid"] == ("A1A2.A3A4.A5A6.A7", 6, 7)
    assert first["ids.ids.lspid"] == ("F1F2.F3F4.F5F6.F7-F8", 15, 8)
    assert first["ids.ids.svc_uuid"] == ("1f1e1d1c-1b1a-1918-1716-151413121110", 23, 16)
    assert first["ids.ids.tail"] == (7, 39, 2)
    assert "ids.ids.svc_uuid" not in pairs[1][1].fields and "ids.ids.lspid" in pairs[1][1].fields


def test_every_field_is_decoded(checker):
    msg = checker.message_of[Ids]
    assert msg.undecoded is None and all(f.kind != "undecoded" for f in msg.fields)
