"""Domain names as scapy's library reads them (tests/layers/names.py): dns's
DNSStrField, whose compression pointers point into the DNS message holding
it, and gtp's FQDNField. scapy and tshark agree field by field (the name as
scapy's value), Wireshark says ``truncated`` exactly where scapy came up short
or failed, and a damaged packet is never a Lua error; Lua script and C plugin."""

import pytest
from scapy.packet import Raw

from conftest import checked_samples, udp_pcap
from generator.check import Checker
from generator.check.scapy_items import dns_name_text
from layers.names import PORTS, Fqdn, LengthNameMessage, LooseName, NameMessage

WWW = b"\x03www\x07example\x03com\x00"  # at offset 3 of a message: "example" is at 7

# (class, wire bytes, does scapy come up short?)
SAMPLES = [
    # a record's name points into the first's; a bounded name leaves what follows its 0 to the next field
    (NameMessage, b"\x00\x01\x02" + WWW + b"\x00\x01" + b"\x04mail\xc0\x07\x00\x0f"
     + b"\x05" + b"\x01a\x00" + b"\x12\x34" + b"\xc0\x03", False),
    # a pointer to itself: followed once; one past the message's end: the name so far
    (NameMessage, b"\x00\x02\x01" + b"\x01x\xc0\x03" + b"\x00\x05" + b"\x02" + b"\xc0\xff" + b"\x00\x09" + b"\x00",
     False),
    # bytes outside printable ASCII, a backslash and a dot in a label; the root name
    (NameMessage, b"\x00\x03\x01" + b"\x04a\\\x01.\x00" + b"\x00\x01" + b"\x01" + b"\x00" + b"\x00\x00" + b"\x00",
     False),
    (NameMessage, b"\x00\x04\x00" + b"\x00" + b"\x00\x00" + b"\x03abc", True),  # no 0 label
    (NameMessage, b"\x00\x05\x00" + b"\x00" + b"\x00\x00" + b"\xc0", True),  # half a pointer
    (NameMessage, b"\x00\x06\x00" + b"\x09" + b"\x03abc\x00", True),  # a length past the end
    (NameMessage, b"\x00\x07\x01" + b"\x05ab", True),  # a label past the end
    (NameMessage, b"\x00\x08\x03" + WWW + b"\x00\x01" + b"\xc0\x03", True),  # fewer records than counted
    # pointers count from the message after its length
    (LengthNameMessage, b"\x00\x0e" + b"\x02ab\x00\x00\x01" + b"\x01c\xc0\x00\x00\x02", False),
    (LooseName, b"\x03abc\x00\x00\x07", False),
    (LooseName, b"\x03abc\xc0\x00\x00\x07", True),  # a pointer with no DNS message: scapy fails
    (Fqdn, b"\x0c\x07example\x03com\x00\x08", False),
    (Fqdn, b"\x06\x01a\x00\x01b\x00\x00", False),  # a 0 label ends it: what follows is the next field's
    (Fqdn, b"\x00\x00\x08", False),
    (Fqdn, b"\x04\x05abc\x00\x00", True),  # a label past its length
    (Fqdn, b"\x09\x03abc", True),  # a length past the end
]


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.names", tshark=tshark, backend=backend)


def test_scapy_and_tshark_agree(checker, tmp_path):
    pairs = checked_samples(checker, tmp_path / "names.pcap", SAMPLES, PORTS, decoded_whole=True)
    first = pairs[0][1].fields
    assert first["names.namerecord.rname"] == ("www.example.com.", 3, 17)
    assert first["names.namerecord.rname#2"] == ("mail.example.com.", 22, 7)
    assert first["names.namemessage.bounded"] == ("a.", 32, 3)
    assert first["names.namemessage.after"] == (0x1234, 35, 2)
    assert first["names.namemessage.last"] == ("www.example.com.", 37, 2)
    loop = pairs[1][1].fields
    assert loop["names.namerecord.rname"] == ("x.x.", 3, 4) and loop["names.namemessage.bounded"] == (".", 10, 2)
    odd = pairs[2][1].fields
    assert odd["names.namerecord.rname"] == ("a\\x5c\\x01..", 3, 6) and odd["names.namemessage.bounded"] == (".", 12, 1)
    tcp = pairs[8][1].fields
    assert tcp["names.namerecord.rname"] == ("ab.", 2, 4) and tcp["names.namerecord.rname#2"] == ("c.ab.", 8, 4)
    fqdn = pairs[11][1].fields
    assert fqdn["names.fqdn.fqdn"] == ("example.com", 1, 12) and fqdn["names.fqdn.end"] == (8, 13, 2)
    early = pairs[12][1].fields
    assert early["names.fqdn.fqdn"] == ("a", 1, 3) and early["names.fqdn.end"] == (0x0162, 4, 2)
    assert "names.fqdn.fqdn" not in pairs[13][1].fields


def test_every_field_is_decoded(checker):
    """Nothing of these layers is left undecoded."""
    for cls in (NameMessage, LengthNameMessage, LooseName, Fqdn):
        msg = checker.message_of[cls]
        assert msg.undecoded is None and all(f.kind != "undecoded" for f in msg.fields), cls.__name__
    assert checker.message_of[NameMessage].name_root == 0 and checker.message_of[LooseName].name_root is None


def test_scapy_reads_them_as_the_samples_say():
    first = NameMessage(SAMPLES[0][1])
    assert [r.rname for r in first.records] == [b"www.example.com.", b"mail.example.com."]
    assert first.bounded == b"a." and first.after == 0x1234 and first.last == b"www.example.com."
    assert NameMessage(SAMPLES[1][1]).records[0].rname == b"x.x."
    assert Fqdn(SAMPLES[12][1]).fqdn == b"a" and Fqdn(SAMPLES[12][1]).end == 0x0162
    assert dns_name_text(b"a\\\x01.") == "a\\x5c\\x01."


def test_a_filter_finds_the_name(checker, tmp_path):
    """The name is a string item: a display filter compares it as text."""
    path = udp_pcap(tmp_path / "first.pcap", [(PORTS[NameMessage], Raw(SAMPLES[0][1]))])
    out = checker.run(path, ["-Y", 'names.namerecord.rname == "mail.example.com."', "-T", "fields",
                             "-e", "frame.number", "-e", "names.namemessage.after"])
    assert out.split() == ["1", "4660"]
