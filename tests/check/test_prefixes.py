"""Address prefixes as scapy's library reads them (tests/layers/prefixes.py):
a length in bits, then the bytes it needs, shown as the address they start
(zero-padded) beside the length. scapy and tshark agree field by field,
Wireshark says ``truncated`` exactly where scapy came up short or failed, and
a damaged packet is never a Lua error; Lua script and C plugin."""

import pytest
from scapy.packet import Raw

from conftest import checked_samples, udp_pcap
from generator.check import Checker
from layers.prefixes import PORTS, BgpPrefixes, Prefixes

DB8 = b"\x20\x01\x0d\xb8\x00\x00\x00\x42"

# (class, wire bytes, does scapy come up short or fail?)
SAMPLES = [
    (Prefixes, b"\x18\x0a\x01\x02" + b"\x40" + DB8 + b"\x00\x07", False),
    # no bytes for 0 bits; one 4-byte word for 1 bit (ospf's words)
    (Prefixes, b"\x00" + b"\x01\xfe\x80\x00\x00" + b"\x00\x07", False),
    (Prefixes, b"\x07\xff" + b"\x80" + DB8 * 2 + b"\x00\x07", False),  # all 128 bits
    (Prefixes, b"\x21abcde" + b"\x00\x00\x07", True),  # 33 bits: more bytes than an IPv4 address
    (Prefixes, b"\x18\x0a\x01\x02" + b"\x40" + DB8[:5], True),  # fewer bytes than the bits need
    (Prefixes, b"\x18\x0a", True),
    (BgpPrefixes, b"\x18\x0a\x01\x02" + b"\x30\x20\x01\x0d\xb8\x00\x42" + b"\x00\x07", False),
    (BgpPrefixes, b"\x00" + b"\x00" + b"\x00\x07", False),  # default routes: no address bytes
    # 40 bits: five bytes, the address the first four
    (BgpPrefixes, b"\x28\x0a\x01\x02\x03\x04" + b"\x80" + DB8 * 2 + b"\x00\x07", False),
    (BgpPrefixes, b"\x18\x0a\x01\x02" + b"\x40\x20\x01", True),  # the bytes there are
    (BgpPrefixes, b"\x18", True),  # a length and nothing more
]


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.prefixes", tshark=tshark, backend=backend)


def test_scapy_and_tshark_agree(checker, tmp_path):
    pairs = checked_samples(checker, tmp_path / "prefixes.pcap", SAMPLES, PORTS, decoded_whole=True)
    first = pairs[0][1].fields
    assert first["prefixes.prefixes.p4"] == ("10.1.2.0", 1, 3) and first["prefixes.prefixes.p6"] == ("2001:db8:0:42::", 5, 8)
    assert first["prefixes.prefixes.tail"] == (7, 13, 2)
    words = pairs[1][1].fields
    assert "prefixes.prefixes.p4" not in words and words["prefixes.prefixes.p6"] == ("fe80::", 2, 4)
    bgp = pairs[6][1].fields
    assert bgp["prefixes.bgpprefixes.v4.length"] == (24, 0, 1) and bgp["prefixes.bgpprefixes.v4"] == ("10.1.2.0", 1, 3)
    assert bgp["prefixes.bgpprefixes.v6.length"] == (48, 4, 1) and bgp["prefixes.bgpprefixes.v6"] == ("2001:db8:42::", 5, 6)
    assert pairs[8][1].fields["prefixes.bgpprefixes.v4"] == ("10.1.2.3", 1, 5)


def test_every_field_is_decoded(checker):
    for cls in (Prefixes, BgpPrefixes):
        msg = checker.message_of[cls]
        assert msg.undecoded is None and all(f.kind != "undecoded" for f in msg.fields), cls.__name__


def test_a_filter_finds_the_prefix(checker, tmp_path):
    """The address is an address item: a display filter matches it as one, a subnet too."""
    path = udp_pcap(tmp_path / "first.pcap", [(PORTS[cls], Raw(raw)) for cls, raw, _ in SAMPLES[:3]])
    out = checker.run(path, ["-Y", "prefixes.prefixes.p6 == fe80::/16", "-T", "fields", "-e", "frame.number"])
    assert out.split() == ["2"]
