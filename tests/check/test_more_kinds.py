"""Field classes of scapy's layer modules read as plain integers (IEC 104's
little-endian 3 bytes, PFCP's 40 bits, Diameter's 3-byte length), UUIDs as
GUIDs (network and Microsoft byte order) and LEMACField's reversed MAC:
scapy and tshark agree on them, with the Lua script and with the C plugin
(the ``backend`` fixture), and display filters take their literals."""

import uuid

import pytest

from conftest import matching_frames, udp_pcap
from generator.backends.lua import render
from generator.check import Checker
from layers.more_kinds import PORTS, FixedOrder, GuidKinds, LibraryIntegers, ReversedMac

GUID = "00112233-4455-6677-8899-aabbccddeeff"
OTHER = "f0e1d2c3-b4a5-9687-7869-5a4b3c2d1e0f"
INTEGERS = [
    LibraryIntegers(address=0x123456, bit_rate=0x0102030405, value=b"abc", after=7),
    LibraryIntegers(address=0xFFFFFF, bit_rate=2 ** 40 - 1, value=b"", after=255),
    LibraryIntegers(address=1, bit_rate=0x8000000000, value=b"x" * 300),
]
GUIDS = [
    GuidKinds(network=uuid.UUID(GUID), microsoft=uuid.UUID(GUID), after=1),
    GuidKinds(network=uuid.UUID(OTHER), microsoft=uuid.UUID(OTHER), after=2),
]
MACS = [
    ReversedMac(reversed="02:00:00:00:00:01", plain="02:00:00:00:00:01", after=1),
    ReversedMac(reversed="aa:bb:cc:dd:ee:ff", plain="01:00:5e:00:00:01", after=2),
]
ORDERS = [
    FixedOrder(little=0x0102, big=0x0304, as_is=0x05060708, guid=uuid.UUID(GUID)),
    FixedOrder(little=0xFFFE, big=1, as_is=0xFFFFFFFF, guid=uuid.UUID(OTHER)),
]
SAMPLES = {LibraryIntegers: INTEGERS, GuidKinds: GUIDS, ReversedMac: MACS, FixedOrder: ORDERS}


def _pcap(path, packets):
    return udp_pcap(path, [(PORTS[type(pkt)], pkt) for pkt in packets])


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.more_kinds", tshark=tshark, backend=backend)


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    return _pcap(tmp_path_factory.mktemp("more_kinds") / "more_kinds.pcap", INTEGERS + GUIDS + MACS + ORDERS)


@pytest.mark.parametrize("cls", list(SAMPLES), ids=lambda c: c.__name__)
def test_scapy_and_tshark_agree(checker, tmp_path, cls):
    pairs = []
    result = checker.check(_pcap(tmp_path / f"{cls.__name__}.pcap", SAMPLES[cls]),
                           on_pair=lambda a, b: pairs.append((a, b)))
    assert result.disagreements == [] and result.problems == []
    assert result.messages == len(SAMPLES[cls])
    msg = checker.message_of[cls]
    assert not [f for f in msg.fields if f.kind == "undecoded"]
    # every field was compared, on both sides, in some packet
    for side in (0, 1):
        seen = {name.split("#")[0] for pair in pairs for name in pair[side].fields}
        assert seen == {f.abbrev for f in msg.fields}, side


def test_values_are_compared_as_scapy_shows_them(checker, tmp_path):
    pairs = []
    checker.check(_pcap(tmp_path / "values.pcap", [INTEGERS[0], GUIDS[0], MACS[0], ORDERS[0]]),
                  on_pair=lambda a, b: pairs.append((a, b)))
    (integers, _), (guids, _), (macs, _), (orders, _) = pairs
    assert integers.fields["more_kinds.libraryintegers.address"] == (0x123456, 0, 3)
    assert integers.fields["more_kinds.libraryintegers.bit_rate"] == (0x0102030405, 3, 5)
    assert integers.fields["more_kinds.libraryintegers.avp_len"] == (3, 8, 3)
    assert guids.fields["more_kinds.guidkinds.network"] == (GUID, 0, 16)
    assert guids.fields["more_kinds.guidkinds.microsoft"] == (GUID, 16, 16)
    assert macs.fields["more_kinds.reversedmac.reversed"] == ("02:00:00:00:00:01", 0, 6)
    assert [orders.fields[f"more_kinds.fixedorder.{n}"] for n in ("little", "big", "as_is", "guid")] == [
        (0x0102, 0, 2), (0x0304, 2, 2), (0x05060708, 4, 4), (GUID, 8, 16)]


def test_a_wrong_byte_order_disagrees(tshark, tmp_path):
    """The GUID and MAC values are compared, not their bytes: a dissector reading
    FORMAT_LE bytes as a network-order GUID is caught."""
    checker = Checker("layers.more_kinds", tshark=tshark)
    checker.proto.message("GuidKinds").fields[1].little_endian = False
    checker.proto.message("ReversedMac").fields[0].little_endian = False
    lua = tmp_path / "wrong.lua"
    lua.write_text(render(checker.proto))
    wrong = Checker("layers.more_kinds", tshark=tshark, lua=str(lua))
    result = wrong.check(_pcap(tmp_path / "wrong.pcap", [GUIDS[0], MACS[0]]))
    assert {d.field for d in result.disagreements} == {"more_kinds.guidkinds.microsoft",
                                                        "more_kinds.reversedmac.reversed"}


@pytest.mark.parametrize("display_filter,frames", [
    ("more_kinds.libraryintegers.address == 0x123456", [1]),
    ("more_kinds.libraryintegers.bit_rate == 0xffffffffff", [2]),
    ("more_kinds.libraryintegers.avp_len == 300", [3]),
    (f"more_kinds.guidkinds.network == {GUID}", [4]),
    (f"more_kinds.guidkinds.microsoft == {OTHER}", [5]),
    ("more_kinds.reversedmac.reversed == aa:bb:cc:dd:ee:ff", [7]),
    ("more_kinds.reversedmac.plain == 02:00:00:00:00:01", [6]),
    ("more_kinds.fixedorder.little == 0xfffe", [9]),
    ("more_kinds.fixedorder.big == 0x0304", [8]),
    (f"more_kinds.fixedorder.guid == {OTHER}", [9]),
])
def test_display_filters_take_literals(checker, capture, display_filter, frames):
    assert matching_frames(checker, capture, display_filter) == frames
