"""MS-TRP TAPI layers: layout, display, dispatch and spec rules."""

import struct

import pytest
from hypothesis import given, settings, strategies as st
from scapy.packet import Raw, fuzz

from scapy_layers.mstrp import (
    SET_AGENT_SESSION_STATE_ERRORS,
    TAPI,
    TAPI32_ACK,
    TAPI32_MSG,
    SetAgentSessionState,
    SetAgentSessionStateReply,
)
from scapy_layers.spec import Dispatch, SpecPacket

SEED_FIELDS = [
    "Req_Func", "Reserved1", "dwRequestID", "hLine", "hAgentSession",
    "dwAgentSessionState", "dwNextAgentSessionState",
    "Reserved2", "Reserved3", "Reserved4", "Reserved5", "Reserved6", "Reserved7", "Reserved8", "Reserved9",
]
u32 = st.integers(0, 0xFFFFFFFF)


def rules(pkt, request=None):
    return sorted(v.rule for v in pkt.violations(request))


def test_request_layout_is_the_seed():
    assert [f.name for f in SetAgentSessionState.fields_desc] == SEED_FIELDS
    values = list(range(1, 16))
    pkt = SetAgentSessionState(**dict(zip(SEED_FIELDS, values)))
    assert bytes(pkt) == struct.pack("<15I", *values)
    assert len(SetAgentSessionState()) == 60
    assert SetAgentSessionState().Req_Func == 155


def test_reply_layout_replaces_first_word():
    assert [f.name for f in SetAgentSessionStateReply.fields_desc] == ["Ack_ReturnValue"] + SEED_FIELDS[1:]
    assert bytes(SetAgentSessionStateReply(Ack_ReturnValue=0x8000005A))[:4] == b"\x5a\x00\x00\x80"


def test_display_names_and_hex():
    pkt = SetAgentSessionState(hLine=0x10001, hAgentSession=0xBEEF, dwAgentSessionState=0, dwNextAgentSessionState=1)
    shown = pkt.show(dump=True)
    assert "Req_Func  = SetAgentSessionState" in shown
    assert "hLine     = 0x10001" in shown
    assert "hAgentSession= 0xbeef" in shown
    assert "dwAgentSessionState= unchanged" in shown
    assert "dwNextAgentSessionState= LINEAGENTSESSIONSTATE_NOTREADY" in shown
    assert TAPI32_MSG(Req_Func=47).sprintf("%Req_Func%") == "Initialize_Line"


def test_ack_display_error_names_and_request_ids():
    err = SetAgentSessionStateReply(Ack_ReturnValue=0x8000002B)
    assert err.sprintf("%Ack_ReturnValue%") == "LINEERR_INVALLINEHANDLE"
    assert TAPI32_ACK(Ack_ReturnValue=0xF101).sprintf("%Ack_ReturnValue%") == "TAPIERR_INVALRPCCONTEXT"
    assert SetAgentSessionStateReply(Ack_ReturnValue=0).sprintf("%Ack_ReturnValue%") == "TAPI_SUCCESS"
    assert SetAgentSessionStateReply(Ack_ReturnValue=77).sprintf("%Ack_ReturnValue%") == "pending, request id 77"
    assert SetAgentSessionStateReply(Ack_ReturnValue=77).summary() == "SetAgentSessionState reply: pending, request id 77"


def test_dispatch_by_req_func():
    buf = bytes(SetAgentSessionState(hLine=5))
    assert type(TAPI32_MSG(buf)) is SetAgentSessionState
    assert type(TAPI.dissect_request(buf)) is SetAgentSessionState
    other = bytes(TAPI32_MSG(Req_Func=9, Param1=7))
    assert type(TAPI32_MSG(other)) is TAPI32_MSG
    assert TAPI32_MSG(other).Param1 == 7
    # calling the subclass directly never re-dispatches
    assert type(SetAgentSessionState(other)) is SetAgentSessionState


def test_short_buffer_keeps_its_class_and_named_fields_with_raw_tail():
    buf = bytes(SetAgentSessionState(dwRequestID=4, hLine=0x10001))[:30]
    pkt = TAPI.dissect_request(buf)
    assert type(TAPI32_MSG(buf)) is SetAgentSessionState
    assert type(pkt) is SetAgentSessionState and pkt.truncated
    assert (pkt.Req_Func, pkt.dwRequestID, pkt.hLine, pkt.dwNextAgentSessionState) == (155, 4, 0x10001, 0)
    assert pkt.Reserved2 is None and pkt.Reserved9 is None
    assert pkt[Raw].load == buf[28:]
    assert rules(pkt) == ["buffer_length"]
    assert bytes(pkt) == buf


@pytest.mark.parametrize("size", [0, 1, 3])
def test_buffer_too_short_for_req_func_is_generic(size):
    buf = bytes(SetAgentSessionState())[:size]
    pkt = TAPI.dissect_request(buf)
    assert type(pkt) is TAPI32_MSG and pkt.truncated and pkt.Req_Func is None
    assert rules(pkt) == ["buffer_length"] and bytes(pkt) == buf
    assert type(TAPI.dissect_reply(buf, TAPI.dissect_request(bytes(SetAgentSessionState())))) is TAPI32_ACK


def test_req_func_alone_picks_the_class():
    pkt = TAPI.dissect_request(bytes(SetAgentSessionState())[:4])
    assert type(pkt) is SetAgentSessionState and pkt.truncated and pkt.Reserved1 is None


def test_reply_dispatch_follows_request():
    req = TAPI.dissect_request(bytes(SetAgentSessionState(dwRequestID=3)))
    rbuf = bytes(SetAgentSessionStateReply(Ack_ReturnValue=3, dwRequestID=3))
    assert type(TAPI.dissect_reply(rbuf, req)) is SetAgentSessionStateReply
    assert type(TAPI.dissect_reply(rbuf, None)) is TAPI32_ACK
    short = TAPI.dissect_reply(rbuf[:20], req)
    assert type(short) is SetAgentSessionStateReply and short.truncated
    assert (short.Ack_ReturnValue, short.dwRequestID, short.dwAgentSessionState) == (3, 3, None)
    assert sorted(v.rule for v in short.violations()) == ["buffer_length"]


@given(st.binary(max_size=200))
@settings(max_examples=300, deadline=None)
def test_any_bytes_dissect_without_exception(buf):
    req = TAPI.dissect_request(buf)
    TAPI.dissect_reply(buf, req)
    req.violations()
    assert bytes(req) == buf


def test_registering_a_new_req_func_is_one_line():
    table = Dispatch("t", "Req_Func", TAPI32_MSG, TAPI32_ACK)

    class Close(SpecPacket):
        fields_desc = TAPI32_MSG.fields_desc

    table.register(9, Close)
    assert table.request_class(bytes(TAPI32_MSG(Req_Func=9))) is Close
    with pytest.raises(ValueError, match="already"):
        table.register(9, TAPI32_MSG)


def test_conforming_request_has_no_violations():
    assert SetAgentSessionState(hLine=1, dwAgentSessionState=2, dwNextAgentSessionState=1, dwRequestID=0x7FFFFFFF).violations() == []


@pytest.mark.parametrize(
    "fields,expected",
    [
        ({"Req_Func": 154}, ["req_func"]),
        ({"Reserved1": 1}, ["reserved1_zero"]),
        ({"dwRequestID": 0x80000000}, ["request_id_range"]),
        ({"dwAgentSessionState": 0, "dwNextAgentSessionState": 0}, ["states_both_zero"]),
        ({"dwAgentSessionState": 3}, ["state_single_bit"]),
        ({"dwAgentSessionState": 0x40}, ["state_known"]),
        ({"dwNextAgentSessionState": 0x6}, ["next_state_single_bit"]),
        ({"dwNextAgentSessionState": 0x80000000}, ["next_state_known"]),
    ],
)
def test_each_request_rule(fields, expected):
    assert rules(SetAgentSessionState(**fields)) == expected


@given(st.lists(u32, min_size=8, max_size=8))
def test_reserved2_to_9_are_never_flagged(values):
    pkt = SetAgentSessionState(**{f"Reserved{i}": v for i, v in zip(range(2, 10), values)})
    assert pkt.violations() == []


@pytest.mark.parametrize("err", sorted(SET_AGENT_SESSION_STATE_ERRORS))
def test_documented_errors_are_fine(err):
    assert rules(SetAgentSessionStateReply(Ack_ReturnValue=err)) == []


def test_undocumented_lineerr_flagged():
    assert rules(SetAgentSessionStateReply(Ack_ReturnValue=0x80000043)) == ["ack_documented"]
    assert rules(SetAgentSessionStateReply(Ack_ReturnValue=0xF101)) == []


def test_reply_must_echo_request_id():
    req = SetAgentSessionState(dwRequestID=42)
    assert rules(SetAgentSessionStateReply(Ack_ReturnValue=42), req) == []
    assert rules(SetAgentSessionStateReply(Ack_ReturnValue=41), req) == ["request_id_echo"]
    assert rules(SetAgentSessionStateReply(Ack_ReturnValue=0x8000005A), req) == []
    # dwRequestID 0: the server picks the id; unknown request: nothing to compare
    assert rules(SetAgentSessionStateReply(Ack_ReturnValue=9), SetAgentSessionState(dwRequestID=0)) == []
    assert rules(SetAgentSessionStateReply(Ack_ReturnValue=41)) == []


def test_fuzz_builds_and_redissects():
    for _ in range(50):
        raw = bytes(fuzz(SetAgentSessionState()))
        assert len(raw) == 60
        again = TAPI.dissect_request(raw)
        assert bytes(again) == raw


@given(st.lists(u32, min_size=14, max_size=14))
def test_random_request_round_trips_through_bytes(values):
    fields = dict(zip(SEED_FIELDS[1:], values))
    pkt = SetAgentSessionState(**fields)
    back = TAPI.dissect_request(bytes(pkt))
    assert type(back) is SetAgentSessionState
    assert {k: back.getfieldval(k) for k in SEED_FIELDS} == {"Req_Func": 155, **fields}
