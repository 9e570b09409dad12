"""``dissectgen show``: text, JSON lines and exit codes."""

import json
import subprocess
import sys

from conftest import PCAPS, REPO


def run(*args):
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=120)


def test_json_lines_carry_exact_spec_names_and_ints():
    out = run("show", "--json", str(PCAPS / "malformed_multi_bit_state.pcap"))
    assert out.returncode == 0, out.stderr
    req, rep = [json.loads(line) for line in out.stdout.splitlines()]
    assert req["frame"] == 8 and req["direction"] == "request" and req["packet"] == "SetAgentSessionState"
    assert req["fields"] == {
        "Req_Func": 155, "Reserved1": 0, "dwRequestID": 8, "hLine": 0x10001, "hAgentSession": 0x20002,
        "dwAgentSessionState": 6, "dwNextAgentSessionState": 0,
        **{f"Reserved{i}": 0 for i in range(2, 10)},
    }
    assert req["violations"] == [{"rule": "state_single_bit", "severity": "warn",
                                  "message": "dwAgentSessionState has more than one bit set"}]
    assert rep["direction"] == "reply" and rep["request_frame"] == 8 and req["reply_frame"] == 9
    assert rep["fields"]["Ack_ReturnValue"] == 0x8000005A


def test_text_output_names_values_and_violations():
    out = run("show", str(PCAPS / "malformed_undocumented_lineerr.pcap"))
    assert out.returncode == 0
    assert "Ack_ReturnValue= LINEERR_NODRIVER" in out.stdout
    assert "violation [warn] ack_documented" in out.stdout


def test_decode_as_for_captures_without_bind():
    assert run("show", "--json", str(PCAPS / "no_bind.pcap")).stdout == ""
    out = run("show", "--json", "--decode-as", "tapsrv", str(PCAPS / "no_bind.pcap"))
    assert len(out.stdout.splitlines()) == 6


def test_unreadable_input_exits_2_with_one_line(tmp_path):
    for bad in (str(tmp_path / "missing.pcap"), str(REPO / "pyproject.toml")):
        out = run("show", bad)
        assert out.returncode == 2
        assert out.stdout == "" and len(out.stderr.strip().splitlines()) == 1
    assert run("show").returncode == 2
    assert run("show", "--decode-as", "nope", "x").returncode == 2
