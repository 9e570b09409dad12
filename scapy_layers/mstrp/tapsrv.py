"""The tapsrv DCE/RPC interface that carries MS-TRP [MS-TRP 3.1.4].

UUID 2f5f6520-ca46-1067-b319-00dd010662da v1.0, normally on \\PIPE\\tapsrv
(ncacn_np) or ncacn_ip_tcp. Only NDR32 is described: every call carries a
context handle and top-level [ref] pointers (no referent ids).

ClientRequest's pBuffer is [size_is(lNeededSize), length_is(*plUsedSize)]: a
conformant varying byte array (max_count = lNeededSize, offset, actual_count =
*plUsedSize) whose bytes are one TAPI32_MSG. A dissected ClientRequest stub is
followed by that message as its payload, so scapy's own tools see it:

    >>> conf.dcerpc_session_enable = True
    >>> bind_layers(TCP, DceRpc5, dport=PORT); bind_layers(TCP, DceRpc5, sport=PORT)
    >>> for pkt in sniff(offline=PCAP, session=DceRpcSession,
    ...                  lfilter=lambda p: SetAgentSessionState in p):
    ...     print(pkt[SetAgentSessionState].hLine)
"""

from __future__ import annotations

import struct
import uuid

from scapy.config import conf
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
from scapy.packet import Packet, Raw

from ..spec import SpecPacket

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


class StubTrailing(Raw):
    """Bytes after a carrying stub's last field (a malformed stub). A layer of its
    own, after the carried message, so the message's bytes stay pBuffer's."""

    name = "Stub trailing bytes"


class CarryingStub(TapsrvStub):
    """A stub whose pBuffer holds one message of the protocol declared with
    ``scapy_layers.spec.carry`` (MS-TRP's, once ``scapy_layers.mstrp`` is imported).

    Dissected, the stub is followed by that message, decoded from pBuffer, as
    its payload: ``SetAgentSessionState in stub``, ``stub[SetAgentSessionState]``,
    ``stub.show()`` and ``sniff(lfilter=...)`` work as for any scapy layer. The
    message *is* pBuffer, not bytes after the stub: ``bytes(stub)`` carries it
    once, inside the NDR array, so a dissected stub builds back byte for byte;
    an edited message is written into pBuffer (with the counts the new length
    needs), and setting pBuffer decodes the message again. ``stub / message``
    crafts a stub carrying ``message`` the same way.
    """

    # pBuffer's counts among the stub's own fields: name -> "max_count" | "actual_count"
    buffer_counts: dict[str, str] = {}

    def carried_message(self, buf: bytes) -> Packet:  # pragma: no cover - per direction
        raise NotImplementedError

    def message(self) -> Packet | None:
        """The carried message following this stub, if any."""
        return self.payload if isinstance(self.payload, SpecPacket) else None

    def _buffer(self) -> bytes:
        return buffer_bytes(self.pBuffer) if self.pBuffer is not None else b""

    def _decoded(self) -> Packet | None:
        """pBuffer's message, or None: no protocol declared, or an empty pBuffer
        (which holds no message; Wireshark shows none either)."""
        if type(self).__dict__.get("carried", {}).get("pBuffer") is None:
            return None
        buf = self._buffer()
        return self.carried_message(buf) if buf else None

    def do_dissect_payload(self, s):
        message = self._decoded()
        if message is None:
            return super().do_dissect_payload(s)
        self.add_payload(message)
        if s:
            message.lastlayer().add_payload(StubTrailing(s))

    def setfieldval(self, attr, val):
        super().setfieldval(attr, val)
        if attr == "pBuffer" and self.message() is not None:
            trailing = self.getlayer(StubTrailing)
            self.remove_payload()
            message = self._decoded()
            if message is not None:
                self.add_payload(message)
            if trailing is not None:
                self.lastlayer().add_payload(trailing.copy())

    def _message_bytes(self, message: Packet) -> bytes:
        data = message.do_build()
        trailing = message.getlayer(StubTrailing)
        return data[: len(data) - len(trailing.do_build())] if trailing is not None else data

    def do_build_payload(self):
        if self.message() is None:
            return super().do_build_payload()
        trailing = self.getlayer(StubTrailing)
        return trailing.do_build() if trailing is not None else b""

    def do_build(self):
        message = self.message()
        if message is not None:
            data = self._message_bytes(message)
            if data != self._buffer():
                return self._carrying(data).do_build() + self.do_build_payload()
        return super().do_build()

    def _carrying(self, data: bytes) -> "CarryingStub":
        """This stub alone, its pBuffer holding ``data``: the array keeps its
        size (max_count) while ``data`` fits, else grows to it."""
        stub = self.copy()
        stub.remove_payload()
        room = getattr(self.pBuffer, "max_count", None)
        size = max(room if isinstance(room, int) else 0, len(data))
        stub.pBuffer = conformant_varying(data, size)
        for name, count in self.buffer_counts.items():
            setattr(stub, name, size if count == "max_count" else len(data))
        return stub

    def copy(self):
        clone = super().copy()
        clone.truncated = self.truncated
        return clone


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


class ClientRequest_Request(CarryingStub):
    """MS-TRP 3.1.4.2: ClientRequest, opnum 1 (in); dissected, its TAPI request follows."""

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
    buffer_counts = {"lNeededSize": "max_count", "plUsedSize": "actual_count"}

    def carried_message(self, buf: bytes) -> Packet:
        return carried_dispatch(self).dissect_request(buf)

    def tapi(self):
        """pBuffer dissected as a TAPI request (dispatched on Req_Func)."""
        return self.carried_message(buffer_bytes(self.pBuffer))

    def whole(self) -> bool:
        """Dissected to its last field with no byte left over."""
        return not self.truncated and StubTrailing not in self and conf.padding_layer not in self


class ClientRequest_Response(CarryingStub):
    """MS-TRP 3.1.4.2: ClientRequest, opnum 1 (out); the method is void. Dissected,
    its TAPI reply follows, of the class its request's Req_Func picks."""

    name = "ClientRequest response"

    fields_desc = [
        NDRConfVarStrLenField(
            "pBuffer",
            b"",
            length_is=lambda pkt: pkt.plUsedSize,
        ),
        NDRSignedIntField("plUsedSize", None, size_of="pBuffer"),
    ]
    buffer_counts = {"plUsedSize": "actual_count"}

    def carried_message(self, buf: bytes) -> Packet:
        return carried_dispatch(self).dissect_reply(buf, self.request_message())

    def request_message(self, request=None) -> Packet | None:
        """The TAPI request this reply answers, from ``request`` or else from
        ``request_packet`` (what scapy's DceRpcSession attaches to a response):
        a TAPI message, a ClientRequest_Request, or its bytes (the session keeps
        them undissected). None when unknown; also when those bytes are not a
        whole stub: of a call whose request came in fragments, the session keeps
        the last fragment only."""
        request = request if request is not None else self.request_packet
        if request is None or isinstance(request, SpecPacket):
            return request
        if not isinstance(request, ClientRequest_Request):
            # do_build: a Raw's own bytes, not the Padding after it (the next PDUs of its segment)
            data = request.do_build() if isinstance(request, Packet) else bytes(request)
            request = ClientRequest_Request(data, ndr64=self.ndr64, ndrendian=self.ndrendian)
            if not request.whole():
                return None
        message = request.message()
        return message if message is not None else request.tapi()

    def tapi(self, request=None):
        """pBuffer dissected as the reply to ``request`` (see ``request_message``),
        a generic TAPI32_ACK when that is unknown."""
        return carried_dispatch(self).dissect_reply(buffer_bytes(self.pBuffer), self.request_message(request))


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
