"""The tapsrv NDR carrier: exact wire shape of ClientRequest."""

import struct

from hypothesis import given, settings, strategies as st
from scapy.layers.dcerpc import DCE_RPC_INTERFACES, find_dcerpc_interface

from scapy_layers.mstrp.craft import CONTEXT_UUID, client_request_stub, client_response_stub
from scapy_layers.mstrp import SetAgentSessionState
from scapy_layers.mstrp.tapsrv import (
    TAPSRV_UUID, ClientAttach_Request, ClientRequest_Request, ClientRequest_Response, buffer_bytes,
)


def test_interface_registered_with_three_opnums():
    iface = find_dcerpc_interface("tapsrv")
    assert iface.uuid == TAPSRV_UUID and (iface.major_version, iface.minor_version) == (1, 0)
    assert sorted(iface.opnums) == [0, 1, 2]
    assert (TAPSRV_UUID, 1) in DCE_RPC_INTERFACES


def test_request_stub_wire_shape_honours_lneededsize():
    buf = bytes(SetAgentSessionState(hLine=0x10001))[:33]  # odd length: needs alignment
    stub = client_request_stub(buf, needed=1024)
    assert stub[:4] == b"\0\0\0\0" and stub[4:20] == CONTEXT_UUID
    assert struct.unpack_from("<3I", stub, 20) == (1024, 0, 33)  # max_count, offset, actual_count
    assert stub[32:65] == buf
    assert stub[65:68] == b"\0\0\0"  # pad to 4
    assert struct.unpack_from("<2i", stub, 68) == (1024, 33)
    assert len(stub) == 76
    d = ClientRequest_Request(stub, ndr64=False)
    assert not d.truncated and buffer_bytes(d.pBuffer) == buf
    assert (d.lNeededSize, d.plUsedSize) == (1024, 33)


def test_response_stub_wire_shape_has_no_return_word():
    buf = bytes(SetAgentSessionState())
    stub = client_response_stub(buf, needed=200)
    assert struct.unpack_from("<3I", stub, 0) == (200, 0, 60)
    assert stub[12:72] == buf and struct.unpack_from("<i", stub, 72)[0] == 60
    assert len(stub) == 76
    d = ClientRequest_Response(stub, ndr64=False)
    assert buffer_bytes(d.pBuffer) == buf and d.plUsedSize == 60


def test_truncated_stub_keeps_what_it_has():
    stub = client_request_stub(bytes(SetAgentSessionState()))[:50]
    d = ClientRequest_Request(stub, ndr64=False)
    assert d.truncated
    assert d.phContext.uuid == CONTEXT_UUID
    assert buffer_bytes(d.pBuffer) == bytes(SetAgentSessionState())[:18]
    assert d.lNeededSize is None and d.plUsedSize is None
    assert ClientRequest_Request(b"\x01\x02", ndr64=False).truncated


def test_client_attach_strings():
    raw = bytes(ClientAttach_Request(lProcessID=7, pszDomainUser="D\\u", pszMachine="M", ndr64=False))
    back = ClientAttach_Request(raw, ndr64=False)
    assert back.lProcessID == 7
    assert back.valueof("pszDomainUser") == b"D\\u" and back.valueof("pszMachine") == b"M"


def test_stubs_dissect_their_tapi_buffer():
    from scapy_layers.mstrp import SetAgentSessionStateReply, TAPI32_ACK

    req_stub = ClientRequest_Request(client_request_stub(bytes(SetAgentSessionState(dwRequestID=4))), ndr64=False)
    assert type(req_stub.tapi()) is SetAgentSessionState
    rep_stub = ClientRequest_Response(client_response_stub(bytes(SetAgentSessionStateReply(Ack_ReturnValue=4))),
                                      ndr64=False)
    assert type(rep_stub.tapi(req_stub)) is SetAgentSessionStateReply
    assert type(rep_stub.tapi(req_stub.tapi())) is SetAgentSessionStateReply
    assert type(rep_stub.tapi()) is TAPI32_ACK
    # as scapy's DceRpcSession leaves it: the raw request stub
    rep_stub.request_packet = bytes(req_stub)
    assert type(rep_stub.tapi()) is SetAgentSessionStateReply


def test_read_tapi_restores_the_gc_thresholds():
    import gc

    from conftest import pcap
    from scapy_layers.mstrp.capture import read_tapi

    before = gc.get_threshold()
    assert read_tapi(pcap("tcp_conversation.pcap"))
    assert gc.get_threshold() == before


# --- the struct fast path for well-formed stubs agrees with scapy's NDR classes


def test_crafted_stubs_take_the_fast_path():
    from scapy_layers.mstrp.tapsrv import wellformed_pbuffer

    buf = bytes(SetAgentSessionState(dwRequestID=3))
    for size in (60, 61, 62, 63, 64, 0, 1):
        assert wellformed_pbuffer(client_request_stub(buf[:size] + b"x" * max(0, size - 60), 4096), True) is not None
        assert wellformed_pbuffer(client_response_stub(buf[:size]), False) == buf[:size]


@given(st.binary(max_size=90), st.integers(0, 200), st.booleans(),
       st.lists(st.tuples(st.integers(0, 200), st.integers(0, 255)), max_size=3), st.integers(-1, 200))
@settings(max_examples=2000, deadline=None, derandomize=True)
def test_fast_path_reads_exactly_what_scapy_reads(buf, needed, is_request, flips, cut):
    """Whenever the struct reader accepts a stub, scapy reads the same pBuffer, untruncated."""
    from scapy_layers.mstrp.tapsrv import wellformed_pbuffer

    stub = bytearray(client_request_stub(buf, max(needed, 0)) if is_request else client_response_stub(buf, needed))
    for at, value in flips:
        if at < len(stub):
            stub[at] = value
    if cut >= 0:
        del stub[cut:]
    stub = bytes(stub)
    fast = wellformed_pbuffer(stub, is_request)
    if fast is None:
        return
    cls = ClientRequest_Request if is_request else ClientRequest_Response
    pkt = cls(stub, ndr64=False, ndrendian="little")
    assert not pkt.truncated and buffer_bytes(pkt.pBuffer) == fast
