"""The tapsrv DCE/RPC interface that carries MS-TRP [MS-TRP 3.1.4].

UUID 2f5f6520-ca46-1067-b319-00dd010662da v1.0, normally on \\PIPE\\tapsrv
(ncacn_np) or ncacn_ip_tcp. Only NDR32 is described: every call carries a
context handle and top-level [ref] pointers (no referent ids).

ClientRequest's pBuffer is [size_is(lNeededSize), length_is(*plUsedSize)]: a
conformant varying byte array (max_count = lNeededSize, offset, actual_count =
*plUsedSize) whose bytes are one TAPI32_MSG.
"""

from __future__ import annotations

import struct
import uuid

from scapy.layers.dcerpc import (
    DceRpcOp,
    NDRConfVarStrLenField,
    NDRConfVarStrNullFieldUtf16,
    NDRContextHandle,
    NDRPacket,
    NDRPacketField,
    NDRSignedIntField,
    register_dcerpc_interface,
)
from scapy.layers.dcerpc import NDRConformantArray, NDRVaryingArray

TAPSRV_UUID = uuid.UUID("2f5f6520-ca46-1067-b319-00dd010662da")
TAPSRV_VERSION = "1.0"
REMOTESP_UUID = uuid.UUID("2f5f6521-ca47-1068-b319-00dd010662db")

OPNUM_CLIENT_ATTACH = 0
OPNUM_CLIENT_REQUEST = 1
OPNUM_CLIENT_DETACH = 2


def carried_dispatch(stub):
    """The dispatch of the messages pBuffer carries, as ``scapy_layers.spec.carry``
    declared it (the MS-TRP layers do, when ``scapy_layers.mstrp`` is imported)."""
    carrier = type(stub).__dict__.get("carried", {}).get("pBuffer")
    if carrier is None:
        raise LookupError(f"{type(stub).__name__}.pBuffer: no protocol declared for it with carry(); "
                          f"import scapy_layers.mstrp")
    return carrier.dispatch


class TapsrvStub(NDRPacket):
    """An NDR32 stub that dissects as far as its bytes go.

    A truncated stub (reassembly off, a short capture) keeps the fields it
    has; the rest are None and ``truncated`` is set, instead of raising.
    """

    __slots__ = ["truncated"]

    def __init__(self, *args, **kwargs):
        self.truncated = False
        kwargs.setdefault("ndr64", False)
        super().__init__(*args, **kwargs)

    def do_dissect(self, s):
        try:
            return super().do_dissect(s)
        except (struct.error, IndexError, ValueError, TypeError):
            pass
        self.truncated = True
        self.fields = {}
        self.raw_packet_cache_fields = {}
        for f in self.fields_desc:
            if not s:
                self.fields[f.name] = None
                continue
            try:
                s, self.fields[f.name] = f.getfield(self, s)
            except (struct.error, IndexError, ValueError, TypeError):
                self.fields[f.name] = None
                s = b""
        self.raw_packet_cache = None
        return s


class ClientAttach_Request(TapsrvStub):
    """MS-TRP 3.1.4.1: ClientAttach, opnum 0 (in)."""

    name = "ClientAttach request"

    fields_desc = [
        NDRSignedIntField("lProcessID", 0),
        NDRConfVarStrNullFieldUtf16("pszDomainUser", ""),
        NDRConfVarStrNullFieldUtf16("pszMachine", ""),
    ]


class ClientAttach_Response(TapsrvStub):
    """MS-TRP 3.1.4.1: ClientAttach, opnum 0 (out)."""

    name = "ClientAttach response"

    fields_desc = [
        NDRPacketField("pphContext", NDRContextHandle(), NDRContextHandle),
        NDRSignedIntField("phAsyncEventsEvent", 0),
        NDRSignedIntField("status", 0),
    ]


class ClientRequest_Request(TapsrvStub):
    """MS-TRP 3.1.4.2: ClientRequest, opnum 1 (in)."""

    name = "ClientRequest request"

    fields_desc = [
        NDRPacketField("phContext", NDRContextHandle(), NDRContextHandle),
        NDRConfVarStrLenField(
            "pBuffer",
            b"",
            size_is=lambda pkt: pkt.lNeededSize,
            length_is=lambda pkt: pkt.plUsedSize,
        ),
        NDRSignedIntField("lNeededSize", None, size_of="pBuffer"),
        NDRSignedIntField("plUsedSize", None, size_of="pBuffer"),
    ]


    def tapi(self):
        """pBuffer dissected as a TAPI request (dispatched on Req_Func)."""
        return carried_dispatch(self).dissect_request(buffer_bytes(self.pBuffer))


class ClientRequest_Response(TapsrvStub):
    """MS-TRP 3.1.4.2: ClientRequest, opnum 1 (out); the method is void."""

    name = "ClientRequest response"

    fields_desc = [
        NDRConfVarStrLenField(
            "pBuffer",
            b"",
            length_is=lambda pkt: pkt.plUsedSize,
        ),
        NDRSignedIntField("plUsedSize", None, size_of="pBuffer"),
    ]


    def tapi(self, request=None):
        """pBuffer dissected as the reply to ``request``.

        ``request`` may be the ClientRequest_Request or its TAPI message; by
        default the one scapy's DceRpcSession attached (``request_packet``,
        which it leaves undissected), else a generic TAPI32_ACK.
        """
        request = request if request is not None else self.request_packet
        if request is not None and not isinstance(request, ClientRequest_Request) and not hasattr(request, "spec_rules"):
            request = ClientRequest_Request(bytes(request), ndr64=self.ndr64, ndrendian=self.ndrendian)
        if isinstance(request, ClientRequest_Request):
            request = request.tapi()
        return carried_dispatch(self).dissect_reply(buffer_bytes(self.pBuffer), request)


class ClientDetach_Request(TapsrvStub):
    """MS-TRP 3.1.4.3: ClientDetach, opnum 2 (in)."""

    name = "ClientDetach request"

    fields_desc = [NDRPacketField("pphContext", NDRContextHandle(), NDRContextHandle)]


class ClientDetach_Response(TapsrvStub):
    """MS-TRP 3.1.4.3: ClientDetach, opnum 2 (out); the method is void."""

    name = "ClientDetach response"

    fields_desc = [NDRPacketField("pphContext", NDRContextHandle(), NDRContextHandle)]


TAPSRV_OPNUMS = {
    OPNUM_CLIENT_ATTACH: DceRpcOp(ClientAttach_Request, ClientAttach_Response),
    OPNUM_CLIENT_REQUEST: DceRpcOp(ClientRequest_Request, ClientRequest_Response),
    OPNUM_CLIENT_DETACH: DceRpcOp(ClientDetach_Request, ClientDetach_Response),
}

register_dcerpc_interface(
    name="tapsrv",
    uuid=TAPSRV_UUID,
    version=TAPSRV_VERSION,
    opnums=TAPSRV_OPNUMS,
)


def conformant_varying(data: bytes, max_count: int | None = None) -> NDRConformantArray:
    """pBuffer's value with an explicit max_count.

    scapy ignores size_is when building, so without this max_count would be
    len(data) instead of lNeededSize.
    """
    return NDRConformantArray(
        max_count=len(data) if max_count is None else max_count,
        value=[NDRVaryingArray(offset=0, actual_count=len(data), value=data)],
    )


def wellformed_pbuffer(stub: bytes, is_request: bool) -> bytes | None:
    """pBuffer's bytes from a well-formed NDR32 little-endian ClientRequest stub, read
    with struct; None for anything else, which scapy's NDR classes must judge.

    Well-formed: offset 0, actual_count <= max_count, and the stub ends exactly
    after the buffer, its alignment padding and the trailing integers
    (lNeededSize and plUsedSize in, plUsedSize out). Then scapy reads the same
    bytes (a property test holds the two together); it costs 50 times more.
    """
    at = 20 if is_request else 0  # the request's context handle first
    if len(stub) < at + 12:
        return None
    max_count, offset, actual = struct.unpack_from("<III", stub, at)
    start = at + 12
    end = start + actual
    if offset or actual > max_count or len(stub) != ((end + 3) & ~3) + (8 if is_request else 4):
        return None
    return stub[start:end]


def buffer_bytes(pbuffer) -> bytes:
    """The bytes of a dissected pBuffer (conformant varying array)."""
    value = pbuffer
    if isinstance(value, NDRConformantArray):
        value = value.value[0] if value.value else b""
    if isinstance(value, NDRVaryingArray):
        value = value.value
    if hasattr(value, "load"):
        value = value.load
    return bytes(value or b"")
