"""scapy's own tools on a capture: sniff with DceRpcSession (or TCPSession) finds
the TAPI messages as layers after the ClientRequest stubs, the same ones
read_tapi finds, and every frame builds back byte for byte."""

import pytest
from hypothesis import given, settings, strategies as st
from scapy.config import conf
from scapy.layers.dcerpc import DceRpc5, DceRpcSession
from scapy.layers.inet import TCP
from scapy.packet import Raw, bind_layers, split_layers
from scapy.sendrecv import sniff
from scapy.sessions import TCPSession
from scapy.utils import rdpcap

from conftest import pcap
from scapy_layers.mstrp import TAPI32_ACK, TAPI32_MSG, SetAgentSessionState, SetAgentSessionStateReply
from scapy_layers.mstrp.capture import read_tapi
from scapy_layers.mstrp.craft import (
    Exchange, Options, client_request_stub, client_response_stub, reply_for, tapsrv_conversation, write_pcap,
)
from scapy_layers.mstrp.tapsrv import ClientRequest_Request, ClientRequest_Response, StubTrailing, buffer_bytes

PORT = Options().server[1]
MESSAGES = (SetAgentSessionState, SetAgentSessionStateReply, TAPI32_MSG, TAPI32_ACK)


@pytest.fixture
def dcerpc_on_port():
    """What a scapy user sets up: DCE/RPC sessions on, the tapsrv port bound to DceRpc5."""
    before = conf.dcerpc_session_enable
    conf.dcerpc_session_enable = True
    bind_layers(TCP, DceRpc5, dport=PORT)
    bind_layers(TCP, DceRpc5, sport=PORT)
    yield
    split_layers(TCP, DceRpc5, dport=PORT)
    split_layers(TCP, DceRpc5, sport=PORT)
    conf.dcerpc_session_enable = before


def message_of(pkt):
    return next((pkt[cls] for cls in MESSAGES if cls in pkt), None)


def sniffed(path, session=DceRpcSession):
    """(number, packet) of the packets carrying a message, numbered as sniffed
    (under DceRpcSession, which yields every frame, the frame number)."""
    return [(n, p) for n, p in enumerate(sniff(offline=path, session=session), start=1) if message_of(p)]


@pytest.mark.parametrize("name", ["tcp_conversation.pcap", "tcp_conversation.pcapng", "all_documented_errors.pcap",
                                  "malformed_truncated_buffer.pcap", "other_req_funcs.pcap"])
def test_sniff_finds_what_read_tapi_finds(dcerpc_on_port, name):
    found = sniffed(pcap(name))
    recs = read_tapi(pcap(name))
    assert [n for n, _ in found] == [r.frame for r in recs]
    for (_, pkt), rec in zip(found, recs):
        msg = message_of(pkt)
        assert type(msg) is type(rec.packet)
        assert msg.fields == rec.packet.fields and bytes(msg) == bytes(rec.packet)
        assert msg.violations() == rec.violations()  # a reply's rules see its request
        assert msg.truncated == rec.packet.truncated
        stub = ClientRequest_Request if rec.direction == "request" else ClientRequest_Response
        assert msg.underlayer is pkt[stub] and buffer_bytes(pkt[stub].pBuffer) == bytes(rec.packet)


def test_a_scapy_user_filters_reads_and_shows_the_messages(dcerpc_on_port):
    requests = sniff(offline=pcap("tcp_conversation.pcap"), session=DceRpcSession,
                     lfilter=lambda p: SetAgentSessionState in p)
    assert [p[SetAgentSessionState].hLine for p in requests] == [0x10001, 0x10001, 0x10002]
    assert [p[SetAgentSessionState].dwRequestID for p in requests] == [1, 0, 3]
    replies = sniff(offline=pcap("tcp_conversation.pcap"), session=DceRpcSession,
                    lfilter=lambda p: SetAgentSessionStateReply in p)
    assert [p[SetAgentSessionStateReply].Ack_ReturnValue for p in replies] == [1, 0x100, 3]
    shown = requests[0].show(dump=True)
    assert "###[ SetAgentSessionState ]###" in shown and "hLine     = 0x10001" in shown
    assert "dwAgentSessionState= LINEAGENTSESSIONSTATE_READY" in shown
    assert requests[0].summary().endswith("SetAgentSessionState hLine=0x00010001 READY -> NOTREADY")


@pytest.mark.parametrize("name", ["tcp_conversation.pcap", "malformed_truncated_buffer.pcap", "other_req_funcs.pcap"])
def test_every_sniffed_frame_builds_back_byte_for_byte(dcerpc_on_port, name):
    frames = rdpcap(pcap(name))
    packets = sniff(offline=pcap(name), session=DceRpcSession)
    assert len(packets) == len(frames)
    assert [bytes(p) for p in packets] == [bytes(f) for f in frames]


def test_a_reply_whose_request_is_not_in_the_capture_stays_undecoded(dcerpc_on_port, tmp_path):
    # scapy's session learns a call's opnum from its request: without it the
    # response is not known to be a ClientRequest; the other calls are unaffected
    frames = rdpcap(pcap("tcp_conversation.pcap"))
    path = str(tmp_path / "no_request.pcap")
    write_pcap(path, [f for n, f in enumerate(frames, start=1) if n != 8])  # the first SetAgentSessionState
    found = sniffed(path)
    assert [(n, type(message_of(p))) for n, p in found] == [
        (9, SetAgentSessionState), (10, SetAgentSessionStateReply), (11, SetAgentSessionState),
        (12, SetAgentSessionStateReply)]


def test_tcp_session_reassembles_segments_but_a_fragmented_request_leaves_its_reply_generic(dcerpc_on_port):
    # TCPSession puts PDUs split over segments back together, as read_tapi does
    segmented = [type(message_of(p)) for _, p in sniffed(pcap("tcp_segmented_pdu.pcap"), TCPSession)]
    assert segmented == [SetAgentSessionState, SetAgentSessionStateReply] * 3
    # scapy's session joins a request's fragments for the stub but keeps only the
    # last one as the request of the call: that is no whole stub, so the reply's
    # class is unknown and it is the generic ack (whose bytes are scapy's: its
    # reassembly also appends the reply's fragments to the request's)
    fragmented = [message_of(p) for _, p in sniffed(pcap("fragmented_stub.pcap"), TCPSession)]
    assert [type(m) for m in fragmented] == [SetAgentSessionState, TAPI32_ACK] * 3
    recs = read_tapi(pcap("fragmented_stub.pcap"))
    assert [m.fields for m in fragmented[::2]] == [r.packet.fields for r in recs[::2]]


def test_ndr64_stubs_carry_their_message_too(dcerpc_on_port, tmp_path):
    req = SetAgentSessionState(dwRequestID=2, hLine=0x10009)
    path = str(tmp_path / "ndr64.pcap")
    write_pcap(path, tapsrv_conversation([Exchange(req, reply_for(req, 2))], ndr64=True))
    found = [message_of(p) for _, p in sniffed(path)]
    assert [type(m) for m in found] == [SetAgentSessionState, SetAgentSessionStateReply]
    assert found[0].hLine == 0x10009 and found[1].violations() == []


# --- the message is pBuffer: editing one edits the other


def stub_of(msg, **kw):
    return ClientRequest_Request(client_request_stub(bytes(msg), **kw), ndr64=False)


def test_an_edited_message_is_written_into_pbuffer():
    data = client_request_stub(bytes(SetAgentSessionState(dwRequestID=1, hLine=0x10001)), needed=100)
    stub = ClientRequest_Request(data, ndr64=False)
    assert bytes(stub) == data
    stub[SetAgentSessionState].hLine = 0x77
    again = ClientRequest_Request(bytes(stub), ndr64=False)
    assert again[SetAgentSessionState].hLine == 0x77 and len(bytes(stub)) == len(data)
    assert (again.lNeededSize, again.plUsedSize) == (100, 60)
    # a longer message: the counts follow, the array keeps its room while it fits
    stub[SetAgentSessionState].add_payload(Raw(b"var"))
    longer = ClientRequest_Request(bytes(stub), ndr64=False)
    assert (longer.lNeededSize, longer.plUsedSize) == (100, 63) and longer.whole()
    assert buffer_bytes(longer.pBuffer) == bytes(SetAgentSessionState(dwRequestID=1, hLine=0x77)) + b"var"


def test_setting_pbuffer_decodes_the_message_again():
    stub = stub_of(SetAgentSessionState(hLine=5))
    stub.pBuffer = bytes(TAPI32_MSG(Req_Func=9, Param1=3))
    assert SetAgentSessionState not in stub and stub[TAPI32_MSG].Param1 == 3
    assert ClientRequest_Request(bytes(stub), ndr64=False)[TAPI32_MSG].Req_Func == 9


def test_stub_over_message_crafts_the_stub_carrying_it():
    msg = SetAgentSessionState(dwRequestID=4, hLine=9)
    assert bytes(ClientRequest_Request(phContext=stub_of(msg).phContext) / msg) == client_request_stub(bytes(msg))
    reply = SetAgentSessionStateReply(Ack_ReturnValue=4)
    back = ClientRequest_Response(bytes(ClientRequest_Response() / reply), ndr64=False, request_packet=msg)
    assert type(back.payload) is SetAgentSessionStateReply and back.plUsedSize == 60


def test_bytes_after_the_stub_stay_after_it():
    data = client_request_stub(bytes(SetAgentSessionState(hLine=5))) + b"JUNK"
    stub = ClientRequest_Request(data, ndr64=False)
    assert [type(layer) for layer in stub.iterpayloads()] == [ClientRequest_Request, SetAgentSessionState, StubTrailing]
    assert stub[StubTrailing].load == b"JUNK" and bytes(stub) == data and not stub.whole()
    assert buffer_bytes(stub.pBuffer) == bytes(SetAgentSessionState(hLine=5))
    stub[SetAgentSessionState].hLine = 6
    assert bytes(stub) == client_request_stub(bytes(SetAgentSessionState(hLine=6))) + b"JUNK"


def test_a_short_buffer_in_a_stub_is_its_named_message_cut_short():
    buf = bytes(SetAgentSessionState(dwRequestID=5, hLine=0x10001))[:30]
    stub = ClientRequest_Request(client_request_stub(buf), ndr64=False)
    msg = stub[SetAgentSessionState]
    assert msg.truncated and msg.hLine == 0x10001 and msg.Reserved2 is None and msg[Raw].load == buf[28:]
    assert [v.rule for v in msg.copy().violations()] == ["buffer_length"]
    assert bytes(stub) == client_request_stub(buf)


def test_read_tapi_stubs_carry_the_same_messages():
    recs = read_tapi(pcap("tcp_conversation.pcap"))
    for rec in recs:
        assert type(rec.stub.payload) is type(rec.packet) and bytes(rec.stub.payload) == bytes(rec.packet)
    assert SetAgentSessionStateReply in recs[1].stub


@given(st.binary(max_size=90), st.integers(0, 120), st.booleans(), st.booleans(),
       st.lists(st.tuples(st.integers(0, 130), st.integers(0, 255)), max_size=3), st.integers(-1, 130),
       st.binary(max_size=6))
@settings(max_examples=400, deadline=None, derandomize=True)
def test_any_stub_dissects_and_a_whole_one_builds_back(buf, needed, is_request, ndr64, flips, cut, extra):
    stub = bytearray((client_request_stub if is_request else client_response_stub)(buf, needed, ndr64=ndr64))
    for at, value in flips:
        if at < len(stub):
            stub[at] = value
    if cut >= 0:
        del stub[cut:]
    stub = bytes(stub) + extra
    request = SetAgentSessionState(dwRequestID=1)
    pkt = (ClientRequest_Request(stub, ndr64=ndr64) if is_request
           else ClientRequest_Response(stub, ndr64=ndr64, request_packet=request))
    msg = pkt.message()
    if msg is not None:
        assert bytes(msg) == buffer_bytes(pkt.pBuffer) + (pkt[StubTrailing].load if StubTrailing in pkt else b"")
        assert type(msg) is type(pkt.tapi() if is_request else pkt.tapi(request))
    if stub and not pkt.truncated:  # (scapy takes b"" as no packet at all)
        assert bytes(pkt) == stub
