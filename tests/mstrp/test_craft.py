"""Crafted conversations read back exactly as built."""

from hypothesis import HealthCheck, given, settings, strategies as st

from scapy_layers.mstrp.capture import read_tapi
from scapy_layers.mstrp.craft import Exchange, reply_for, tapsrv_conversation, write_pcap
from scapy_layers.mstrp import SetAgentSessionState, SetAgentSessionStateReply

u32 = st.integers(0, 0xFFFFFFFF)
FIELDS = ["Reserved1", "dwRequestID", "hLine", "hAgentSession", "dwAgentSessionState",
          "dwNextAgentSessionState"] + [f"Reserved{i}" for i in range(2, 10)]
requests = st.builds(lambda vals: SetAgentSessionState(**dict(zip(FIELDS, vals))),
                     st.lists(u32, min_size=len(FIELDS), max_size=len(FIELDS)))
layouts = st.sampled_from([
    {}, {"transport": "smb2"}, {"transport": "smb2", "smb2_mode": "write_read"},
    {"max_frag_body": 16}, {"segment_size": 7}, {"pipeline": True},
])


@given(reqs=st.lists(requests, min_size=1, max_size=3), acks=st.lists(u32, min_size=3, max_size=3),
       layout=layouts, pcapng=st.booleans())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_random_requests_round_trip_through_a_conversation(tmp_path, reqs, acks, layout, pcapng):
    path = str(tmp_path / ("c.pcapng" if pcapng else "c.pcap"))
    write_pcap(path, tapsrv_conversation([Exchange(r, reply_for(r, a)) for r, a in zip(reqs, acks)], **layout))
    recs = read_tapi(path)
    got_reqs = [r for r in recs if r.direction == "request"]
    got_reps = [r for r in recs if r.direction == "reply"]
    assert [bytes(r.packet) for r in got_reqs] == [bytes(r) for r in reqs]
    assert all(type(r.packet) is SetAgentSessionState for r in got_reqs)
    assert all(type(r.packet) is SetAgentSessionStateReply for r in got_reps)
    assert [r.packet.Ack_ReturnValue for r in got_reps] == acks[: len(reqs)]
    for rep in got_reps:
        assert rep.request is not None and bytes(rep.packet)[4:] == bytes(rep.request.packet)[4:]
        assert rep.packet.violations() == SetAgentSessionStateReply(bytes(rep.packet)).violations(rep.request.packet)


def test_lneededsize_larger_than_used(tmp_path):
    path = str(tmp_path / "n.pcap")
    req = SetAgentSessionState(hLine=9)
    write_pcap(path, tapsrv_conversation([Exchange(req, reply_for(req, 1), needed=4096)]))
    rec = read_tapi(path)[0]
    assert rec.stub.lNeededSize == 4096 and rec.stub.plUsedSize == 60
    assert rec.stub.pBuffer.max_count == 4096


def test_unanswered_request(tmp_path):
    path = str(tmp_path / "u.pcap")
    write_pcap(path, tapsrv_conversation([Exchange(SetAgentSessionState(hLine=1))]))
    (rec,) = read_tapi(path)
    assert rec.direction == "request" and rec.reply is None


def test_ndr64_when_the_bindack_accepts_it(tmp_path):
    path = str(tmp_path / "ndr64.pcap")
    req = SetAgentSessionState(hLine=0x10001, dwRequestID=3)
    write_pcap(path, tapsrv_conversation([Exchange(req, reply_for(req, 3), needed=100)], ndr64=True))
    with open(path, "rb") as f:
        assert bytes.fromhex("33057171babe37498319b5dbef9ccc36") in f.read()  # NDR64 syntax on the wire
    rec_req, rec_rep = read_tapi(path)
    assert rec_req.stub.ndr64 and rec_req.stub.lNeededSize == 100
    assert bytes(rec_req.packet) == bytes(req) and rec_rep.packet.Ack_ReturnValue == 3
