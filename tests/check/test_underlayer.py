"""A payload reading fields of the message below it (scapy's pkt.underlayer):
the message below hands them down, and scapy and tshark agree, with the Lua
script and the C plugin, on every generation. Reached with no such message
below (on its own port), the rest is undecoded, with its expert, and not
compared; never truncated, never a Lua error."""

import pytest
from scapy.packet import Raw

from conftest import udp_pcap
from generator.check import Checker
from generator.frontend import GeneratorError
from layers.underlayer import PORTS, Header, Publish, Trailer

SAMPLES = [
    (PORTS[Header], Header(kind=3, qos=1, length=6) / Publish(tag=1, msgid=7, data=b"abc")),
    (PORTS[Header], Header(kind=3, qos=0, length=4) / Publish(tag=2, data=b"xyz")),
    (PORTS[Header], Header(kind=3, qos=2, length=9) / Publish(tag=3, msgid=1, data=b"xyz")),  # length past the end
    (PORTS[Header], Header(kind=4) / Trailer(a=1, b=2)),
    (PORTS[Publish], Raw(b"\x05\x00\x03q")),  # on its own port: below it is UDP
    (PORTS[Header], Raw(b"\x03\x01\x00")),  # the header cut short: no length to hand down
]


@pytest.fixture(scope="module")
def checker(tshark, backend):
    return Checker("layers.underlayer", tshark=tshark, backend=backend)


@pytest.fixture(scope="module")
def checked(checker, tmp_path_factory):
    pcap = udp_pcap(tmp_path_factory.mktemp("underlayer") / "underlayer.pcap", SAMPLES)
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    return pcap, result, pairs


def test_the_message_below_hands_its_fields_down(checked):
    _, result, pairs = checked
    assert result.disagreements == [] and result.problems == [] and result.messages == len(SAMPLES)
    fields = [theirs.fields for _, theirs in pairs]
    assert fields[0]["underlayer.publish.msgid"] == (7, 5, 2) and fields[0]["underlayer.publish.data"] == (
        "616263", 7, 3)
    assert "underlayer.publish.msgid" not in fields[1] and fields[1]["underlayer.publish.data"] == ("78797a", 5, 3)
    assert ("underlayer.publish.truncated", "underlayer.publish") in pairs[2][1].experts
    assert fields[3]["underlayer.trailer.b"] == (2, 5, 1)


def test_with_no_message_below_the_rest_is_undecoded_not_truncated(checked):
    _, result, pairs = checked
    alone = pairs[4][1]
    assert alone.fields == {"underlayer.publish.tag": (5, 0, 1), "underlayer.publish.undecoded": ("", 1, None)}
    assert alone.experts == {("underlayer.publish.not_decoded", "underlayer.publish.undecoded")}
    assert sum(result.not_compared.values()) == 3
    assert all("reads pkt.underlayer.qos, and the layer below is not Header" in why for why in result.not_compared)
    assert ("underlayer.header.truncated", "underlayer.header") in pairs[5][1].experts


def test_the_undecoded_bytes_filter_and_say_why(checker, checked):
    pcap, _, _ = checked
    out = checker.run(pcap, ["-Y", "underlayer.publish.not_decoded", "-T", "fields", "-e", "frame.number"])
    assert out.split() == ["5"]
    assert "the layer below is not Header" in checker.run(pcap, ["-V", "-Y", "frame.number == 5"])


def test_a_field_no_carrier_has_is_refused(tshark):
    with pytest.raises(GeneratorError, match=r"Orphan.data: cannot translate length_from \(pkt.underlayer.size: "
                                             r"no class carrying Orphan as its payload"):
        Checker("layers.underlayer:Orphan", tshark=tshark, strict=True)
