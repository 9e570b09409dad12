"""Connection-oriented DCE/RPC [C706 12, MS-RPCE 2.2.2] out of a byte stream.

``PduFramer`` cuts a stream into PDUs; ``Association`` follows one
association (a TCP connection or an SMB2 pipe handle): which interface each
presentation context is bound to, call id -> opnum, and the reassembly of
fragmented request/response stubs. It yields one ``RpcCall`` per complete
request or response stub.
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass, field

from scapy.layers.dcerpc import DceRpc5

PTYPE_REQUEST = 0
PTYPE_RESPONSE = 2
PTYPE_FAULT = 3
PTYPE_BIND = 11
PTYPE_BIND_ACK = 12
PTYPE_ALTER_CONTEXT = 14
PTYPE_ALTER_CONTEXT_RESP = 15

PFC_FIRST_FRAG = 0x01
PFC_LAST_FRAG = 0x02
PFC_OBJECT_UUID = 0x80

COMMON_HEADER = 16
NDR64_SYNTAX = uuid.UUID("71710533-beba-4937-8319-b5dbef9ccc36")
# A stub larger than this is not buffered further (C706: 65528 per fragment,
# calls may span many fragments; 16 MiB is far beyond any TAPI buffer).
MAX_STUB = 16 << 20


def looks_like_dcerpc(data: bytes) -> bool:
    return len(data) >= 2 and data[0] == 5 and data[1] == 0


class PduFramer:
    """Cuts a byte stream into whole connection-oriented PDUs.

    After garbage (a bad version or length) it drops what it holds and tries
    again at the start of the next chunk, as Wireshark does per TCP segment.
    """

    def __init__(self) -> None:
        self.buf = bytearray()
        self.resyncs = 0

    def feed(self, data: bytes) -> list[bytes]:
        if not self.buf and not looks_like_dcerpc(data):
            return []
        self.buf += data
        out = []
        while len(self.buf) >= COMMON_HEADER:
            little = self.buf[4] & 0x10
            frag_len = struct.unpack_from("<H" if little else ">H", self.buf, 8)[0]
            if not looks_like_dcerpc(self.buf) or frag_len < COMMON_HEADER:
                self.resyncs += 1
                self.buf.clear()
                break
            if len(self.buf) < frag_len:
                break
            out.append(bytes(self.buf[:frag_len]))
            del self.buf[:frag_len]
        return out


@dataclass
class RpcCall:
    """One complete request or response stub."""

    direction: str  # "request" | "response"
    call_id: int
    opnum: int | None
    interface: uuid.UUID | None
    if_version: int | None
    stub: bytes
    little_endian: bool
    fragments: int
    ndr64: bool = False
    request: "RpcCall | None" = None
    frame: int = 0
    extra: dict = field(default_factory=dict)


@dataclass
class _Pending:
    opnum: int | None
    cont_id: int
    request: RpcCall | None


class Association:
    """State of one DCE/RPC association (bindings, calls, fragments).

    ``assume`` is the (uuid, version) to use for presentation contexts whose
    Bind was not captured.
    """

    def __init__(self, assume: tuple[uuid.UUID, int] | None = None) -> None:
        self.assume = assume
        self.contexts: dict[int, tuple[uuid.UUID, int]] = {}
        self.offered: dict[int, tuple[uuid.UUID, int]] = {}
        self.offered_order: list[int] = []
        self.ndr64: set[int] = set()
        self.calls: dict[int, _Pending] = {}
        self.frags: dict[tuple[int, int], bytearray] = {}
        self.frag_counts: dict[tuple[int, int], int] = {}
        self.problems: list[str] = []

    def on_pdu(self, pdu: bytes, frame: int) -> RpcCall | None:
        ptype, flags = pdu[2], pdu[3]
        little = bool(pdu[4] & 0x10)
        e = "<" if little else ">"
        frag_len, auth_len, call_id = struct.unpack_from(e + "HHI", pdu, 8)
        if ptype in (PTYPE_BIND, PTYPE_ALTER_CONTEXT):
            self._on_bind(pdu)
            return None
        if ptype in (PTYPE_BIND_ACK, PTYPE_ALTER_CONTEXT_RESP):
            self._on_bind_ack(pdu)
            return None
        if ptype not in (PTYPE_REQUEST, PTYPE_RESPONSE) or len(pdu) < 24:
            if ptype == PTYPE_FAULT:
                self.calls.pop(call_id, None)
            return None
        if ptype == PTYPE_REQUEST:
            cont_id, opnum = struct.unpack_from(e + "HH", pdu, 20)
            start = 24 + (16 if flags & PFC_OBJECT_UUID else 0)
        else:
            cont_id = struct.unpack_from(e + "H", pdu, 20)[0]
            opnum = None
            start = 24
        end = frag_len
        if auth_len:
            # sec_trailer (8 bytes) + token at the end; auth padding before it.
            trailer = frag_len - auth_len - 8
            pad = pdu[trailer + 2] if 0 <= trailer + 2 < len(pdu) else 0
            end = max(start, trailer - pad)
        body = pdu[start:end]

        key = (ptype, call_id)
        if not (flags & PFC_FIRST_FRAG and flags & PFC_LAST_FRAG):
            if flags & PFC_FIRST_FRAG or key not in self.frags:
                self.frags[key] = bytearray()
                self.frag_counts[key] = 0
            if len(self.frags[key]) + len(body) <= MAX_STUB:
                self.frags[key] += body
            self.frag_counts[key] += 1
            if not flags & PFC_LAST_FRAG:
                if ptype == PTYPE_REQUEST:
                    self.calls.setdefault(call_id, _Pending(opnum, cont_id, None))
                return None
            body = bytes(self.frags.pop(key))
            nfrags = self.frag_counts.pop(key)
        else:
            nfrags = 1

        if ptype == PTYPE_REQUEST:
            iface = self.contexts.get(cont_id) or self.assume
            call = RpcCall(
                "request", call_id, opnum,
                iface[0] if iface else None, iface[1] if iface else None,
                body, little, nfrags, cont_id in self.ndr64, frame=frame,
            )
            self.calls[call_id] = _Pending(opnum, cont_id, call)
            return call
        pending = self.calls.pop(call_id, None)
        iface = (self.contexts.get(pending.cont_id) if pending else self.contexts.get(cont_id)) or self.assume
        return RpcCall(
            "response", call_id, pending.opnum if pending else None,
            iface[0] if iface else None, iface[1] if iface else None,
            body, little, nfrags, cont_id in self.ndr64,
            request=pending.request if pending else None, frame=frame,
        )

    def _on_bind(self, pdu: bytes) -> None:
        offered = []
        try:
            for ctx in DceRpc5(pdu).context_elem or []:
                syntax = ctx.abstract_syntax
                if syntax is not None:
                    offered.append((ctx.cont_id, (syntax.if_uuid, syntax.if_version)))
        except Exception as exc:  # scapy's dissection of a damaged Bind
            self.problems.append(f"Bind unreadable ({type(exc).__name__}); its contexts are not known")
            offered = []
        self.offered_order = []
        for cont_id, iface in offered:
            self.offered[cont_id] = iface
            self.offered_order.append(cont_id)

    def _on_bind_ack(self, pdu: bytes) -> None:
        try:
            results = [(res.result, getattr(res.transfer_syntax, "if_uuid", None))
                       for res in DceRpc5(pdu).results or []]
        except Exception as exc:  # scapy's dissection of a damaged BindAck
            self.problems.append(f"BindAck unreadable ({type(exc).__name__}); no context accepted")
            results = []
        for cont_id, (result, syntax) in zip(self.offered_order, results):
            if result == 0 and cont_id in self.offered:
                self.contexts[cont_id] = self.offered[cont_id]
                if syntax == NDR64_SYNTAX:
                    self.ndr64.add(cont_id)
                else:
                    self.ndr64.discard(cont_id)
        self.offered_order = []
