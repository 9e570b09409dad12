"""Every sample capture: byte-identical regeneration and exact scapy decode."""

import filecmp

import pytest

import build_pcaps
from conftest import PCAPS
from scapy_layers.mstrp.capture import read_tapi

TYPICAL = [
    # (direction, class, selected fields)
    ("request", "SetAgentSessionState", {"dwRequestID": 1, "hLine": 0x10001, "hAgentSession": 0x20002,
                                         "dwAgentSessionState": 2, "dwNextAgentSessionState": 1}),
    ("reply", "SetAgentSessionStateReply", {"Ack_ReturnValue": 1, "dwRequestID": 1}),
    ("request", "SetAgentSessionState", {"dwRequestID": 0, "dwAgentSessionState": 4, "dwNextAgentSessionState": 0}),
    ("reply", "SetAgentSessionStateReply", {"Ack_ReturnValue": 0x100}),
    ("request", "SetAgentSessionState", {"dwRequestID": 3, "hLine": 0x10002, "dwAgentSessionState": 0,
                                         "dwNextAgentSessionState": 2}),
    ("reply", "SetAgentSessionStateReply", {"Ack_ReturnValue": 3, "hLine": 0x10002}),
]

# name -> (frames of the six typical messages, decode_as)
TYPICAL_CAPTURES = {
    "tcp_conversation.pcap": ([8, 9, 10, 11, 12, 13], None),
    "tcp_conversation.pcapng": ([8, 9, 10, 11, 12, 13], None),
    "smb2_pipe_transceive.pcap": ([14, 15, 16, 17, 18, 19], None),
    "smb2_pipe_write_read.pcap": ([16, 19, 20, 23, 24, 27], None),
    "fragmented_stub.pcap": ([13, 16, 20, 23, 27, 30], None),
    "tcp_segmented_pdu.pcap": None,  # frames asserted separately
    # a PDU completes where its last segment is (frame 12 also starts the next request)
    "tcp_short_first_segment.pcap": ([10, 11, 12, 13, 14, 15], None),
    "two_pdus_one_segment.pcap": ([8, 8, 8, 9, 9, 9], None),
    "no_bind.pcap": ([1, 2, 3, 4, 5, 6], "tapsrv"),
}

# name -> [(direction, class, fields, violations, problems)]
SPECIAL = {
    # a buffer shorter than the header still holds Req_Func: the named class
    # shows the fields it has, the rest absent (None)
    "malformed_truncated_buffer.pcap": [
        ("request", "SetAgentSessionState", {"Req_Func": 155, "dwRequestID": 5, "hLine": 0x10001,
                                             "hAgentSession": 0x20002, "Reserved4": 0, "Reserved5": None},
         ["buffer_length"], []),
        ("reply", "SetAgentSessionStateReply", {"Ack_ReturnValue": 0x80000032, "dwRequestID": 5, "Reserved5": None},
         ["buffer_length"], []),
    ],
    "malformed_short_stub.pcap": [
        ("request", "SetAgentSessionState", {"Req_Func": 155, "Reserved1": 0, "dwRequestID": 9, "hLine": 0x10001,
                                             "dwNextAgentSessionState": 0, "Reserved2": None},
         ["buffer_length"], ["stub truncated (62 bytes)"]),
        ("reply", "SetAgentSessionStateReply", {"Ack_ReturnValue": 0x80000032}, [], []),
    ],
    "malformed_reserved1.pcap": [
        ("request", "SetAgentSessionState", {"Reserved1": 0xDEADBEEF}, ["reserved1_zero"], []),
        ("reply", "SetAgentSessionStateReply", {"Ack_ReturnValue": 6}, [], []),
    ],
    "malformed_both_states_zero.pcap": [
        ("request", "SetAgentSessionState", {"dwAgentSessionState": 0, "dwNextAgentSessionState": 0},
         ["states_both_zero"], []),
        ("reply", "SetAgentSessionStateReply", {"Ack_ReturnValue": 0x8000005A}, [], []),
    ],
    "malformed_multi_bit_state.pcap": [
        ("request", "SetAgentSessionState", {"dwAgentSessionState": 6}, ["state_single_bit"], []),
        ("reply", "SetAgentSessionStateReply", {"Ack_ReturnValue": 0x8000005A}, [], []),
    ],
    "malformed_unknown_state.pcap": [
        ("request", "SetAgentSessionState", {"dwNextAgentSessionState": 0x40}, ["next_state_known"], []),
        ("reply", "SetAgentSessionStateReply", {"Ack_ReturnValue": 0x8000005A}, [], []),
    ],
    "malformed_request_id_high.pcap": [
        ("request", "SetAgentSessionState", {"dwRequestID": 0x80000000}, ["request_id_range"], []),
        ("reply", "SetAgentSessionStateReply", {"Ack_ReturnValue": 0x80000032}, [], []),
    ],
    "malformed_undocumented_lineerr.pcap": [
        ("request", "SetAgentSessionState", {"dwRequestID": 11}, [], []),
        ("reply", "SetAgentSessionStateReply", {"Ack_ReturnValue": 0x80000043}, ["ack_documented"], []),
    ],
    "other_req_funcs.pcap": [
        ("request", "TAPI32_MSG", {"Req_Func": 9, "Param1": 0x10001}, [], []),
        ("reply", "TAPI32_ACK", {"Ack_ReturnValue": 0}, [], []),
        ("request", "TAPI32_MSG", {"Req_Func": 999}, ["req_func_known"], []),
        ("reply", "TAPI32_ACK", {"Ack_ReturnValue": 0x80000049}, [], []),
    ],
}


def summary(rec):
    return rec.direction, type(rec.packet).__name__


def check_fields(pkt, expected):
    assert {k: pkt.getfieldval(k) for k in expected} == expected


def test_every_committed_capture_is_covered_here():
    committed = {p.name for p in PCAPS.glob("*.pcap*")}
    assert committed == set(build_pcaps.SAMPLES)
    covered = set(TYPICAL_CAPTURES) | set(SPECIAL) | {"all_session_states.pcap", "all_documented_errors.pcap"}
    covered |= {name for name in committed if name.startswith("damaged_")}  # tests/mstrp/test_damage.py
    assert covered == committed


def test_regeneration_is_byte_identical(tmp_path):
    build_pcaps.build_all(str(tmp_path))
    for name in build_pcaps.SAMPLES:
        assert filecmp.cmp(PCAPS / name, tmp_path / name, shallow=False), name


@pytest.mark.parametrize("name", sorted(TYPICAL_CAPTURES))
def test_typical_conversation(name):
    frames, decode_as = TYPICAL_CAPTURES[name] or (None, None)
    recs = read_tapi(str(PCAPS / name), decode_as=decode_as)
    assert [summary(r) for r in recs] == [(d, c) for d, c, _ in TYPICAL] or name == "two_pdus_one_segment.pcap"
    if name == "two_pdus_one_segment.pcap":
        # all requests in one segment, then all replies in one
        order = [0, 2, 4, 1, 3, 5]
        assert [summary(r) for r in recs] == [summary_of(TYPICAL[i]) for i in order]
        expected = [TYPICAL[i] for i in order]
    else:
        expected = TYPICAL
    for rec, (_, _, fields) in zip(recs, expected):
        check_fields(rec.packet, fields)
        assert rec.violations() == [] and rec.problems == []
        assert (rec.request is not None) == (rec.direction == "reply")
    if frames:
        assert [r.frame for r in recs] == frames
    for req, rep in zip(recs[::2], recs[1::2]):
        if name != "two_pdus_one_segment.pcap":
            assert rep.request is req and req.reply is rep and req.call_id == rep.call_id


def summary_of(entry):
    return entry[0], entry[1]


def test_fragmented_stub_really_is_fragmented():
    recs = read_tapi(str(PCAPS / "fragmented_stub.pcap"))
    assert all(r.fragments >= 3 for r in recs)


def test_segmented_pdu_completes_in_its_last_segment():
    recs = read_tapi(str(PCAPS / "tcp_segmented_pdu.pcap"))
    assert [summary(r) for r in recs] == [summary_of(t) for t in TYPICAL]
    # a 124-byte request PDU in 40-byte segments completes in its 4th segment (as tshark says)
    assert [r.frame for r in recs] == [16, 19, 23, 26, 30, 33]


def test_no_bind_capture_needs_decode_as():
    assert read_tapi(str(PCAPS / "no_bind.pcap")) == []


def test_one_request_per_session_state():
    recs = read_tapi(str(PCAPS / "all_session_states.pcap"))
    states = [r.packet.dwAgentSessionState for r in recs if r.direction == "request"]
    assert states == [0x1, 0x2, 0x4, 0x8, 0x10, 0x20]
    assert [r.packet.Ack_ReturnValue for r in recs if r.direction == "reply"] == [1, 2, 3, 4, 5, 6]
    assert all(r.violations() == [] for r in recs)


def test_one_reply_per_documented_error():
    recs = read_tapi(str(PCAPS / "all_documented_errors.pcap"))
    acks = [r.packet.sprintf("%Ack_ReturnValue%") for r in recs if r.direction == "reply"]
    assert acks == [
        "LINEERR_INVALAGENTSTATE", "LINEERR_INVALLINEHANDLE", "LINEERR_INVALPARAM", "LINEERR_NOMEM",
        "LINEERR_OPERATIONFAILED", "LINEERR_OPERATIONUNAVAIL", "LINEERR_RESOURCEUNAVAIL", "LINEERR_UNINITIALIZED",
    ]
    assert all(r.violations() == [] for r in recs)


@pytest.mark.parametrize("name", sorted(SPECIAL))
def test_special_captures(name):
    recs = read_tapi(str(PCAPS / name))
    expected = SPECIAL[name]
    assert [summary(r) for r in recs] == [(d, c) for d, c, *_ in expected]
    for rec, (_, _, fields, violations, problems) in zip(recs, expected):
        check_fields(rec.packet, fields)
        assert sorted(v.rule for v in rec.violations()) == violations
        assert rec.problems == problems
