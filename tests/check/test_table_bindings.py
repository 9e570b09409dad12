"""Classes bound with bind_layers to an EtherType and to an IP protocol number
are dissected by Wireshark there (the "ethertype" and "ip.proto" tables), and
agree with scapy; Lua script and C plugin."""

import pytest
from scapy.layers.inet import IP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Ether

from generator.check import Checker
from generator.frontend import load
from layers.lower import ETHERTYPE, IP_PROTO, OverEther, OverIP
from scapy_layers.mstrp.craft import write_pcap

MACS = dict(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")


def test_the_bindings_are_table_entries():
    proto = load("layers.lower")
    assert [(b.table, b.value, b.message, b.lower, b.key) for b in proto.table_bindings] == [
        ("ethertype", ETHERTYPE, "OverEther", "Ether", "type"), ("ip.proto", IP_PROTO, "OverIP", "IP", "proto")]


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.lower", tshark=tshark, backend=backend)


def test_scapy_and_tshark_agree_below_udp(checker, tmp_path):
    frames = [
        Ether(**MACS, type=ETHERTYPE) / OverEther(kind=1, value=0xDEADBEEF, rest=b"abc"),
        Ether(**MACS) / IP(src="192.0.2.1", dst="192.0.2.2", proto=IP_PROTO) / OverIP(kind=2, value=7, rest=b"x"),
        Ether(**MACS) / IPv6(src="2001:db8::1", dst="2001:db8::2", nh=IP_PROTO) / OverIP(kind=3, value=9),
    ]
    for i, f in enumerate(frames):
        f.time = 1_700_000_000 + i
    path = str(tmp_path / "lower.pcap")
    write_pcap(path, frames)
    pairs = []
    result = checker.check(path, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.disagreements == [] and result.problems == []
    assert result.messages == 3
    assert [b.message for _, b in pairs] == ["lower.overether", "lower.overip", "lower.overip"]
    assert pairs[0][1].fields["lower.overether.value"] == (0xDEADBEEF, 2, 4)
    assert pairs[2][1].fields["lower.overip.kind"] == (3, 0, 1)
