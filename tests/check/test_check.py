"""The checker itself: it catches wrong Lua, and its CLI contract."""

import json
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import REPO, pcap
from generator.check import Checker
from scapy_layers.mstrp.capture import read_tapi
from scapy_layers.mstrp.craft import Exchange, reply_for, tapsrv_conversation, write_pcap
from scapy_layers.mstrp import SetAgentSessionState, TAPI32_MSG

# (what is wrong, text to replace in the generated Lua, replacement, capture, field expected to disagree)
MUTATIONS = [
    ("wrong offset", "ADD_LE(t, f_hLine, rb)\n                end\n                pos = pos + 4",
     "ADD_LE(t, f_hLine, rb)\n                end\n                pos = pos + 5", "tcp_conversation.pcap",
     "mstrp.setagentsessionstate.hagentsession"),
    ("wrong endianness", "ADD_LE(t, f_hAgentSession, rb)", "t:add(f_hAgentSession, rb)", "tcp_conversation.pcap",
     "mstrp.setagentsessionstate.hagentsession"),
    ("dropped field", "                    ADD_LE(t, f_Reserved5, rb)\n", "", "tcp_conversation.pcap",
     "mstrp.setagentsessionstate.reserved5"),
    ("dropped expert", "(it_Reserved1 or mi):add_proto_expert_info(e_SetAgentSessionState_reserved1_zero)", "",
     "malformed_reserved1.pcap", "expert mstrp.setagentsessionstate.rule.reserved1_zero"),
    ("wrong dispatch", "[155] = dissect.SetAgentSessionStateReply,", "", "tcp_conversation.pcap", "message"),
]


@pytest.mark.parametrize("what,old,new,capture,field", MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_mutated_lua_is_caught(tshark, mstrp_lua, tmp_path, what, old, new, capture, field):
    text = open(mstrp_lua).read()
    assert old in text, what
    mutated = tmp_path / "mutated.lua"
    mutated.write_text(text.replace(old, new))
    result = Checker("scapy_layers.mstrp", tshark=tshark, lua=str(mutated)).check(pcap(capture))
    assert not result.ok
    assert any(d.field.startswith(field) for d in result.disagreements), result.disagreements


u32 = st.integers(0, 0xFFFFFFFF)
small_state = st.sampled_from([0, 1, 2, 3, 4, 8, 0x10, 0x20, 0x40, 0x80000000, 0xFFFFFFFF])
request_strategy = st.builds(
    lambda rid, line, sess, s1, s2, r1, rest: SetAgentSessionState(
        dwRequestID=rid, hLine=line, hAgentSession=sess, dwAgentSessionState=s1, dwNextAgentSessionState=s2,
        Reserved1=r1, **{f"Reserved{i}": v for i, v in zip(range(2, 10), rest)}),
    st.one_of(st.just(0), u32), u32, u32, small_state, small_state, st.sampled_from([0, 0, 0, 1]),
    st.lists(u32, min_size=8, max_size=8),
)
ack_strategy = st.one_of(st.sampled_from([0, 0xF101, 0x8000005A, 0x80000043, 0x80000032]), u32)
exchange_strategy = st.one_of(
    st.builds(lambda r, a: Exchange(r, reply_for(r, a)), request_strategy, ack_strategy),
    st.builds(lambda b, a: Exchange(b, reply_for(b, a)), st.binary(min_size=4, max_size=80), ack_strategy),
    st.builds(lambda f, a: Exchange(TAPI32_MSG(Req_Func=f), reply_for(TAPI32_MSG(Req_Func=f), a)),
              st.integers(0, 300), ack_strategy),
)


@given(st.lists(exchange_strategy, min_size=150, max_size=250))
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                HealthCheck.data_too_large,
                                                                HealthCheck.too_slow, HealthCheck.large_base_example])
@pytest.mark.slow
def test_random_requests_and_replies_agree(checker, tmp_path, exchanges):
    path = str(tmp_path / "random.pcap")
    write_pcap(path, tapsrv_conversation(exchanges))
    result = checker.check(path)
    assert result.disagreements == []
    assert result.messages == 2 * len(exchanges) == len(read_tapi(path))


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "generator.cli", "check", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=600)


def test_cli_check_reports_and_exit_codes(tmp_path):
    ok = run_cli(pcap("tcp_conversation.pcap"), pcap("malformed_reserved1.pcap"))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "tcp_conversation.pcap: OK - 18 frames" not in ok.stdout  # frames counted are message frames
    assert "tcp_conversation.pcap: OK - 6 frames, 6 messages, 90 fields" in ok.stdout
    js = run_cli("--json", pcap("malformed_reserved1.pcap"))
    report = json.loads(js.stdout)
    assert report["ok"] and report["messages"] == 2 and report["experts"] == 1
    nothing = run_cli(pcap("no_bind.pcap"))
    assert nothing.returncode == 1 and "NOTHING COMPARED" in nothing.stdout
    assert run_cli("--decode-as", "tapsrv", pcap("no_bind.pcap")).returncode == 0
    missing = run_cli(str(tmp_path / "none.pcap"))
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
    bad_layers = run_cli("--layers", "no.such", pcap("tcp_conversation.pcap"))
    assert bad_layers.returncode == 2 and "no.such" in bad_layers.stderr
    no_tshark = run_cli("--tshark", "/nonexistent/tshark", pcap("tcp_conversation.pcap"))
    assert no_tshark.returncode == 2 and "tshark not found" in no_tshark.stderr


def test_cli_check_disagreement_exits_1(tmp_path):
    mutated = tmp_path / "layer.py"
    # a layer module whose Lua differs from what scapy decodes cannot be made by
    # the generator; a mutated Lua is checked through the API above, and here
    # the CLI's exit code on disagreement is exercised with a layer path
    mutated.write_text(
        "from scapy.fields import ByteField\n"
        "from scapy.layers.inet import UDP\n"
        "from scapy.packet import Packet, bind_layers\n"
        "class Two(Packet):\n"
        "    fields_desc = [ByteField('a', 0), ByteField('b', 0)]\n"
        "    def post_dissect(self, s):\n"
        "        self.b = self.b + 1  # scapy-side semantics no field describes\n"
        "        return s\n"
        "bind_layers(UDP, Two, dport=40300)\n")
    from scapy.layers.inet import IP, UDP
    from scapy.layers.l2 import Ether

    f = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src="192.0.2.1", dst="192.0.2.2") \
        / UDP(sport=1, dport=40300) / b"\x01\x02"
    f.time = 1_700_000_000
    write_pcap(str(tmp_path / "two.pcap"), [f])
    out = run_cli("--layers", str(mutated), str(tmp_path / "two.pcap"))
    assert out.returncode == 1, out.stdout + out.stderr
    assert "layer.two.b: scapy=(3, 1, 1) wireshark=(2, 1, 1)" in out.stdout


def test_check_reports_pairs_and_progress_as_it_goes(checker):
    pairs, frames = [], []
    result = checker.check(pcap("tcp_conversation.pcap"), on_pair=lambda a, b: pairs.append((a, b)),
                           progress=frames.append)
    assert result.ok and len(pairs) == result.messages == 6
    assert frames == sorted(frames) and frames == sorted({a.frame for a, _ in pairs})


def test_a_side_that_cannot_be_read_is_reported_and_the_rest_compared(checker, monkeypatch):
    real = checker.scapy_side

    def flaky(rec):
        if rec.frame == 10:
            raise TypeError("boom")
        return real(rec)

    monkeypatch.setattr(checker, "scapy_side", flaky)
    result = checker.check(pcap("tcp_conversation.pcap"))
    assert [str(p) for p in result.problems] == ["frame 10: SetAgentSessionState: scapy side not read (TypeError: boom)"]
    assert [p.frame for p in result.problems] == [10]
    assert result.messages == 5 and result.disagreements == [] and not result.ok
