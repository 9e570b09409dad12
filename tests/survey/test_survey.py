"""The survey over a fixed sample of scapy's own modules (the full run is by hand:
``dissectgen survey``). Invariants: every class gets an outcome, no generated
dissector fails to load, nothing crashes."""

import json
import struct
import subprocess
import sys

import pytest
from scapy.fields import StrFixedLenField
from scapy.packet import Packet

from conftest import REPO

SAMPLE = ["scapy.layers.tftp", "scapy.layers.vxlan", "scapy.contrib.bfd", "scapy.layers.rip", "scapy.layers.hsrp",
          "scapy.contrib.coap"]


@pytest.fixture(scope="module")
def outcomes(tshark, tmp_path_factory):
    from generator.survey import survey

    return survey(SAMPLE, tshark)


def test_every_class_has_an_outcome_and_nothing_crashes(outcomes):
    assert len(outcomes) >= 12
    for o in outcomes:
        assert o.status in ("agrees", "agrees where decoded", "partly agrees", "no packet"), o
        assert not (o.problem or "").startswith("generator crashed"), o
        assert o.generated and o.loaded, o  # degraded, if need be, never refused; 0 Lua load errors
        # damaged copies of its packets: no Lua error (tshark strict mode)
        assert o.mutated_error is None and (o.mutated > 0 or not o.packets), o


def test_what_cannot_be_translated_is_left_undecoded_and_not_compared(outcomes, tshark, tmp_path):
    """CoAP's options are read by code of their own (not translated): CoAP is decoded
    up to them, and the survey says so; strict, it is not generated. (BFD's
    XNBytesField, once the example here, is translated and BFD agrees whole.)"""
    from scapy.contrib import coap as module
    from generator.survey.run import survey_class

    coap = next(o for o in outcomes if o.cls == "CoAP")
    assert coap.status == "agrees where decoded" and coap.undecoded.startswith("CoAP.options: _CoAPOptsField")
    strict = survey_class(module.__name__, module.CoAP, 40701, tshark, str(tmp_path), strict=True)
    assert strict.status == "not generated" and strict.problem == coap.undecoded
    assert next(o for o in outcomes if o.cls == "BFD").status == "agrees"
    whole = [o for o in outcomes if o.status == "agrees"]
    assert whole and all(o.undecoded is None and o.not_compared == 0 for o in whole)


def test_scapy_library_protocols_do_not_clash_with_wiresharks_own(outcomes):
    tftp = {o.cls: o for o in outcomes if o.module == "scapy.layers.tftp"}
    # "tftp" is Wireshark's own protocol name: ours is scapy_tftp, and TFTP agrees on every survey packet
    assert tftp["TFTP"].status == "agrees" and tftp["TFTP"].packets >= 5


def test_cli_writes_markdown_and_json(tmp_path):
    md, js = tmp_path / "s.md", tmp_path / "s.json"
    proc = subprocess.run([sys.executable, "-m", "generator.cli", "survey", "scapy.layers.tftp", "--limit", "3",
                           "--markdown", str(md), "--json", str(js)], cwd=REPO, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads(js.read_text())
    assert data["totals"]["classes"] == 3 and len(data["classes"]) == 3
    assert "| total | value |" in md.read_text() and "scapy.layers.tftp" in md.read_text()


def test_xcp_fields_take_the_byte_order_scapy_is_configured_with(tshark, backend, tmp_path):
    """scapy.contrib's XCPEndiannessField sets its inner field's byte order from
    conf.contribs['XCP']['byte_order'] on every read: generated with the order
    configured, the dissector agrees with scapy in both orders."""
    from scapy.config import conf
    import scapy.contrib.automotive.xcp.xcp  # noqa: F401 (sets conf.contribs['XCP'])
    from scapy.contrib.automotive.xcp import cto_commands_master as xcp
    from generator.frontend import load
    from generator.survey.run import survey_class

    saved = conf.contribs["XCP"]["byte_order"]
    try:
        for order, little in ((0, True), (1, False)):
            conf.contribs["XCP"]["byte_order"] = order
            (f,) = [f for f in load(f"{xcp.__name__}:WriteDaq").message("WriteDaq").fields if f.name == "address"]
            assert f.kind == "int" and f.size == 4 and f.little_endian is little
            out = survey_class(xcp.__name__, xcp.WriteDaq, 40700, tshark, str(tmp_path), backend)
            assert out.status == "agrees" and out.packets >= 5, out
    finally:
        conf.contribs["XCP"]["byte_order"] = saved


class Huge(Packet):
    """A default packet no UDP datagram can carry (as some of ms_nrtp's are with their lists filled)."""

    name = "Huge"
    fields_desc = [StrFixedLenField("data", b"\0" * 70000, 70000)]


def test_a_packet_too_big_for_a_datagram_is_left_out(tshark, tmp_path):
    from generator.survey.packets import MAX_PAYLOAD, mutated, survey_packets
    from generator.survey.run import survey_class

    packets = survey_packets(Huge)
    assert packets and all(len(p) <= MAX_PAYLOAD for p in packets)
    assert all(len(p) <= MAX_PAYLOAD for p in mutated([b"\0" * MAX_PAYLOAD], "huge"))
    outcome = survey_class(__name__, Huge, 41999, tshark, str(tmp_path))
    assert outcome.generated and outcome.loaded and outcome.problem is None, outcome


def test_a_class_the_survey_itself_fails_on_is_recorded_and_the_run_goes_on(monkeypatch, tshark, tmp_path):
    from generator.survey import run

    def broken(*_args, **_kwargs):
        raise struct.error("'H' format requires 0 <= number <= 65535")

    monkeypatch.setattr(run, "survey_class", broken)
    outcome = run._survey_one((0, "scapy.layers.tftp", "TFTP", None), tshark, str(tmp_path), "lua", False)
    assert outcome.cls == "TFTP" and outcome.problem == "survey crashed: error: 'H' format requires 0 <= number <= 65535"


def test_a_class_the_survey_never_finishes_is_stopped_and_recorded(monkeypatch, tshark, tmp_path):
    """scapy's own fuzz() of a class may run without end (seen on ssh's SSHKexDHReply)."""
    from generator.survey import run

    def endless(*_args, **_kwargs):
        while True:
            pass

    monkeypatch.setattr(run, "survey_class", endless)
    monkeypatch.setattr(run, "CLASS_SECONDS", 1)
    outcome = run._survey_one((0, "scapy.layers.tftp", "TFTP", None), tshark, str(tmp_path), "lua", False)
    assert outcome.problem == "survey crashed: took longer than 1 s"


def test_a_link_layer_class_is_read_where_the_dissector_reads_it(tshark, tmp_path):
    """scapy's Ether on a UDP port: the check reads the Ether the datagram carries, not the
    capture's own link layer, which is Wireshark's to dissect (they had been compared)."""
    import os

    from scapy.layers.l2 import Ether

    from generator.survey.run import survey_class

    os.chmod(tmp_path, 0o755)  # tshark runs as nobody
    outcome = survey_class("scapy.layers.l2", Ether, 41998, tshark, str(tmp_path))
    assert outcome.status == "agrees" and outcome.packets > 1, outcome


def test_fuzzing_a_bit_length_field_after_reading_a_huge_one():
    """scapy's BitLenField keeps the width of the last value it read; fuzz() then drew below 2**width."""
    from scapy.layers.ssh import Mpint, SSHKexDHReply

    from generator.survey.packets import survey_packets

    with pytest.raises(struct.error):  # too few bytes: scapy fails, having set the field's width first
        Mpint(b"\xff\xff\xff\xf0" + b"\x01" * 8)
    assert Mpint.fields_desc[1].size > 2 ** 34  # 34 billion bits
    assert survey_packets(SSHKexDHReply)
