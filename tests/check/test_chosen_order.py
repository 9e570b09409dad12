"""Fields whose byte order another field's value chooses (tests/layers/orders.py,
as DCE/RPC's _EField): the dissector reads them in the order each packet
chose, integers and a UUID, and agrees with scapy field by field; cut packets
give truncated, never a Lua error; Lua script and C plugin."""

import pytest

from conftest import checked_samples
from generator.check import Checker
from layers.orders import PORTS, ChosenOrder, NativeOrder

UUID = bytes(range(0x10, 0x20))
BODY = b"\x00\x00\x01\x02" + UUID + b"\x00\x05" + b"\x00\x07"

# (wire bytes, does scapy come up short?)
SAMPLES = [
    (b"\x10" + BODY, False),  # little-endian
    (b"\x00" + BODY, False),  # big-endian
    (b"\x70" + BODY, False),  # neither: network order
    (b"\x10" + BODY[:10], True),
]


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.orders", tshark=tshark, backend=backend)


def test_scapy_and_tshark_agree(checker, tmp_path):
    pairs = checked_samples(checker, tmp_path / "orders.pcap", [(ChosenOrder, raw, short) for raw, short in SAMPLES], PORTS)
    little, big = pairs[0][1].fields, pairs[1][1].fields
    assert little["orders.chosenorder.seqnum"] == (0x02010000, 1, 4) and big["orders.chosenorder.seqnum"] == (0x0102, 1, 4)
    assert little["orders.chosenorder.opnum"] == (0x0500, 21, 2) and big["orders.chosenorder.opnum"] == (5, 21, 2)
    assert little["orders.chosenorder.if_id"][0] == "13121110-1514-1716-1819-1a1b1c1d1e1f"
    assert big["orders.chosenorder.if_id"][0] == "10111213-1415-1617-1819-1a1b1c1d1e1f"
    assert pairs[2][1].fields["orders.chosenorder.opnum"][0] == 5


def test_every_field_is_decoded(checker):
    msg = checker.message_of[ChosenOrder]
    assert msg.undecoded is None and all(f.kind != "undecoded" for f in msg.fields)


def test_fields_in_the_machines_own_order(checker, tmp_path):
    """NativeShortField ("@H"), "=I" and "@q" (a native long long): little-endian here, as scapy reads them."""
    wire = bytes.fromhex("3ec5" "01000000" "0200000000000080" "0009")
    pairs = checked_samples(checker, tmp_path / "native.pcap", [(NativeOrder, wire, False)], PORTS)
    assert pairs[0][1].fields == {"orders.nativeorder.flags": (0xC53E, 0, 2), "orders.nativeorder.count": (1, 2, 4),
                                  "orders.nativeorder.big": (-(2 ** 63) + 2, 6, 8),
                                  "orders.nativeorder.tail": (9, 14, 2)}
