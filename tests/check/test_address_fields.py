"""IPv4, IPv6 and MAC address fields: scapy and tshark agree on them, with the
Lua script and with the C plugin (the ``backend`` fixture), and display
filters take address literals."""

import pytest

from conftest import matching_frames, udp_pcap
from generator.check import Checker
from layers.addresses import PORTS, AddressKinds, AddressLists

KINDS = [
    AddressKinds(v4="192.0.2.1", v6="2001:db8::1", mac="02:00:00:00:00:01", src4="10.1.2.3", dst4="255.255.255.255",
                 src6="fe80::1:2", dst6="ff02::1", src_mac="AA:BB:CC:DD:EE:FF", dst_mac="ff:ff:ff:ff:ff:ff"),
    AddressKinds(v4="198.51.100.7", v6="::", mac="00:00:00:00:00:00", src4="0.0.0.0", dst4="192.0.2.1",
                 src6="2001:db8:0:0:1:0:0:1", dst6="::ffff:192.0.2.1", src_mac="02:00:00:00:00:01",
                 dst_mac="01:00:5e:00:00:01"),
]
LISTS = [
    AddressLists(kind=4, only_v4="192.0.2.1", v4s=["198.51.100.7", "203.0.113.255"], v6s=["2001:db8::1"],
                 macs=["02:00:00:00:00:01", "02:00:00:00:00:02"], after=9),
    AddressLists(kind=6, only_v6="2001:db8::1", macs=["02:00:00:00:00:03"]),
    AddressLists(kind=1, only_mac="02:00:00:00:00:01", v4s=["192.0.2.1"], v6s=["::1", "2001:db8::2"]),
    AddressLists(kind=0),
]
SAMPLES = {AddressKinds: KINDS, AddressLists: LISTS}


def _pcap(path, packets):
    return udp_pcap(path, [(PORTS[type(pkt)], pkt) for pkt in packets])


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.addresses", tshark=tshark, backend=backend)


@pytest.fixture(scope="module")
def capture(tmp_path_factory):
    return _pcap(tmp_path_factory.mktemp("addresses") / "addresses.pcap", KINDS + LISTS)


@pytest.mark.parametrize("cls", list(SAMPLES), ids=lambda c: c.__name__)
def test_scapy_and_tshark_agree(checker, tmp_path, cls):
    pairs = []
    result = checker.check(_pcap(tmp_path / f"{cls.__name__}.pcap", SAMPLES[cls]),
                           on_pair=lambda a, b: pairs.append((a, b)))
    assert result.disagreements == [] and result.problems == []
    assert result.messages == len(SAMPLES[cls])
    # every address field was compared, on both sides, in some packet
    msg = checker.message_of[cls]
    for side in (0, 1):
        seen = {name.split("#")[0] for pair in pairs for name in pair[side].fields}
        for f in msg.fields:
            if f.kind in ("address", "address_list"):
                assert f.abbrev in seen, (side, f.abbrev)


def test_an_address_is_compared_as_its_bytes(checker, tmp_path):
    pairs = []
    checker.check(_pcap(tmp_path / "values.pcap", [KINDS[0], LISTS[0]]), on_pair=lambda a, b: pairs.append((a, b)))
    (kinds, _), (lists, _) = pairs
    assert kinds.fields["addresses.addresskinds.v4"] == ("c0000201", 0, 4)
    assert kinds.fields["addresses.addresskinds.v6"] == ("20010db8" + "0" * 22 + "01", 4, 16)
    assert kinds.fields["addresses.addresskinds.mac"] == ("020000000001", 20, 6)
    assert kinds.fields["addresses.addresskinds.src_mac"] == ("aabbccddeeff", 66, 6)
    assert lists.fields["addresses.addresslists.only_v4"] == ("c0000201", 1, 4)
    assert [lists.fields[k] for k in ("addresses.addresslists.v4s", "addresses.addresslists.v4s#2")] == [
        ("c6336407", 6, 4), ("cb0071ff", 10, 4)]
    assert lists.fields["addresses.addresslists.macs#2"] == ("020000000002", 38, 6)
    for scapy, wireshark in pairs:
        assert scapy.fields == wireshark.fields


@pytest.mark.parametrize("display_filter,frames", [
    ("addresses.addresskinds.v4 == 192.0.2.1", [1]),
    ("addresses.addresskinds.dst4 == 192.0.2.1", [2]),
    ("addresses.addresskinds.v6 == 2001:db8::1", [1]),
    ("addresses.addresskinds.dst6 == ::ffff:192.0.2.1", [2]),
    ("addresses.addresskinds.mac == 02:00:00:00:00:01", [1]),
    ("addresses.addresskinds.src_mac == aa:bb:cc:dd:ee:ff", [1]),
    ("addresses.addresslists.only_v4 == 192.0.2.1", [3]),
    ("addresses.addresslists.only_v6 == 2001:db8::1", [4]),
    ("addresses.addresslists.only_mac == 02:00:00:00:00:01", [5]),
    ("addresses.addresslists.v4s == 203.0.113.255", [3]),
    ("addresses.addresslists.v4s == 192.0.2.1", [5]),
    ("addresses.addresslists.v6s == 2001:db8::2", [5]),
    ("addresses.addresslists.macs == 02:00:00:00:00:03", [4]),
    ("addresses.addresslists.v4s in {192.0.2.0/24}", [5]),
])
def test_display_filters_take_address_literals(checker, capture, display_filter, frames):
    assert matching_frames(checker, capture, display_filter) == frames
