"""A reference tapsrv endpoint for loopback testing, and a client for it.

The server speaks connection-oriented DCE/RPC over TCP: Bind (tapsrv, NDR32),
ClientAttach, ClientRequest and ClientDetach. For Req_Func 155 it applies the
server rules of MS-TRP 3.1.4.1.2 in the spec's order (see ``ack_for``). Bad
PDUs close that connection (logged); others are unaffected; each connection
buffers a bounded amount. ``serve`` runs until cancelled.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import struct
import uuid
from dataclasses import dataclass, field

from ..traffic.dcerpc_stream import PFC_FIRST_FRAG, PFC_LAST_FRAG, PTYPE_BIND, PTYPE_REQUEST, looks_like_dcerpc
from .craft import bind_ack_pdu, bind_pdu
from .layers import LINEAGENTSESSIONSTATE, TAPI32_MSG_SIZE
from .tapsrv import OPNUM_CLIENT_ATTACH, OPNUM_CLIENT_DETACH, OPNUM_CLIENT_REQUEST, TAPSRV_UUID, ClientAttach_Request

log = logging.getLogger("dissectgen.tapsrv")

DEFAULT_LINES = (0x00010001, 0x00010002, 0x00010003)
TAPI_SUCCESS = 0
TAPIERR_INVALRPCCONTEXT = 0x0000F101
LINEERR_INVALAGENTSTATE = 0x8000005A
LINEERR_INVALLINEHANDLE = 0x8000002B
LINEERR_INVALPARAM = 0x80000032
LINEERR_OPERATIONUNAVAIL = 0x80000049
NCA_OP_RNG_ERROR = 0x1C010002
MAX_PDU = 65536  # C706: max_recv_frag is negotiated below this
MAX_CALL_BYTES = 1 << 20  # stub reassembly bound per connection
HEADER = struct.Struct("<BBBB4sHHI")  # rpc_vers, minor, ptype, flags, drep, frag_len, auth_len, call_id
REQUEST_HEADER = struct.Struct("<IHH")  # alloc_hint, p_cont_id, opnum
REQ155 = struct.Struct("<15I")


def ack_for(buf: bytes, needed: int, lines: set[int], context_known: bool) -> int:
    """Ack_ReturnValue for one ClientRequest, following MS-TRP 3.1.4.1.2.

    Order: lNeededSize / buffer shorter than TAPI32_MSG -> LINEERR_INVALPARAM;
    unknown context handle -> TAPIERR_INVALRPCCONTEXT; a Req_Func other than
    155 -> LINEERR_OPERATIONUNAVAIL; then for 155: hLine not one of the
    server's lines -> LINEERR_INVALLINEHANDLE; both states zero, a multi-bit
    state or one outside LINEAGENTSESSIONSTATE_ -> LINEERR_INVALAGENTSTATE;
    dwRequestID >= 0x80000000 -> LINEERR_INVALPARAM; else dwRequestID (0 asks
    the caller for a fresh one).
    """
    if needed < TAPI32_MSG_SIZE or len(buf) < TAPI32_MSG_SIZE:
        return LINEERR_INVALPARAM
    if not context_known:
        return TAPIERR_INVALRPCCONTEXT
    f = REQ155.unpack_from(buf)
    req_func, _, request_id, h_line, _, state, next_state = f[:7]
    if req_func != 155:
        return LINEERR_OPERATIONUNAVAIL
    if h_line not in lines:
        return LINEERR_INVALLINEHANDLE
    if state == 0 and next_state == 0:
        return LINEERR_INVALAGENTSTATE
    for s in (state, next_state):
        if s and s not in LINEAGENTSESSIONSTATE:  # the table holds single-bit values only
            return LINEERR_INVALAGENTSTATE
    if request_id >= 0x80000000:
        return LINEERR_INVALPARAM
    return request_id


class ProtocolError(Exception):
    pass


def _pdu(ptype: int, call_id: int, body: bytes, flags: int = PFC_FIRST_FRAG | PFC_LAST_FRAG) -> bytes:
    return HEADER.pack(5, 0, ptype, flags, b"\x10\x00\x00\x00", 16 + len(body), 0, call_id) + body


def _response(call_id: int, stub: bytes) -> bytes:
    return _pdu(2, call_id, struct.pack("<IHBB", len(stub), 0, 0, 0) + stub)


def _fault(call_id: int, status: int) -> bytes:
    return _pdu(3, call_id, struct.pack("<IHBBII", 0, 0, 0, 0, status, 0))


@dataclass
class ServerStats:
    connections: int = 0
    requests: int = 0
    closed_on_error: int = 0
    acks: dict = field(default_factory=dict)


class TapsrvServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, lines=DEFAULT_LINES) -> None:
        self.host, self.port = host, port
        self.lines = set(lines)
        self.contexts: set[bytes] = set()
        self.next_request_id = 0
        self.stats = ServerStats()
        self._server: asyncio.AbstractServer | None = None

    def fresh_request_id(self) -> int:
        self.next_request_id = self.next_request_id % 0x7FFFFFFF + 1
        return self.next_request_id

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._connection, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def serve_forever(self) -> None:
        await self.start()
        log.info("tapsrv listening on %s:%d, lines %s", self.host, self.port,
                 ",".join(f"{x:#x}" for x in sorted(self.lines)))
        async with self._server:
            await self._server.serve_forever()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats.connections += 1
        peer = writer.get_extra_info("peername")
        bound = False
        frags: dict[int, bytearray] = {}
        try:
            while True:
                head = await reader.readexactly(16)
                if not looks_like_dcerpc(head) or head[4] & 0x10 == 0:
                    raise ProtocolError("not a little-endian DCE/RPC v5 PDU")
                _, _, ptype, flags, _, frag_len, auth_len, call_id = HEADER.unpack(head)
                if not 16 <= frag_len <= MAX_PDU:
                    raise ProtocolError(f"frag_len {frag_len}")
                body = await reader.readexactly(frag_len - 16)
                if auth_len:
                    raise ProtocolError("authenticated PDUs are not supported")
                if ptype == PTYPE_BIND:
                    bound = self._bind_ok(body)
                    if not bound:
                        raise ProtocolError("Bind to another interface")
                    writer.write(bind_ack_pdu(call_id, self.port))
                elif ptype == PTYPE_REQUEST:
                    if not bound or len(body) < 8:
                        raise ProtocolError("request before Bind, or short")
                    _, _, opnum = REQUEST_HEADER.unpack_from(body)
                    stub = frags.setdefault(call_id, bytearray())
                    if flags & PFC_FIRST_FRAG:
                        stub.clear()
                    stub += body[8:]
                    if sum(len(v) for v in frags.values()) > MAX_CALL_BYTES:
                        raise ProtocolError("stub larger than the per-connection bound")
                    if not flags & PFC_LAST_FRAG:
                        continue
                    del frags[call_id]
                    writer.write(self._call(opnum, call_id, bytes(stub)))
                else:
                    raise ProtocolError(f"unexpected PDU type {ptype}")
                await writer.drain()
        except asyncio.IncompleteReadError:
            pass  # the client closed
        except (ProtocolError, struct.error, ValueError) as exc:
            self.stats.closed_on_error += 1
            log.warning("closing %s: %s", peer, exc)
        except ConnectionError:
            pass
        finally:
            writer.close()

    @staticmethod
    def _bind_ok(body: bytes) -> bool:
        # p_cont_list: n_context_elem at 8, first element at 12: cont_id, n_syn, pad, abstract syntax uuid
        if len(body) < 12 + 4 + 20:
            return False
        return uuid.UUID(bytes_le=body[16:32]) == TAPSRV_UUID

    def _call(self, opnum: int, call_id: int, stub: bytes) -> bytes:
        if opnum == OPNUM_CLIENT_ATTACH:
            handle = b"\x00\x00\x00\x00" + uuid.uuid4().bytes
            self.contexts.add(handle)
            return _response(call_id, handle + struct.pack("<ii", 0, 0))
        if opnum == OPNUM_CLIENT_DETACH:
            self.contexts.discard(stub[:20])
            return _response(call_id, bytes(20))
        if opnum == OPNUM_CLIENT_REQUEST:
            return _response(call_id, self._client_request(stub))
        return _fault(call_id, NCA_OP_RNG_ERROR)

    def _client_request(self, stub: bytes) -> bytes:
        if len(stub) < 32:
            raise ProtocolError("ClientRequest stub too short")
        handle = stub[:20]
        max_count, offset, actual = struct.unpack_from("<III", stub, 20)
        buf = stub[32: 32 + actual]
        tail = 32 + actual + (-actual % 4)
        if len(buf) < actual or offset != 0 or len(stub) < tail + 8:
            raise ProtocolError("ClientRequest stub does not match its counts")
        needed, used = struct.unpack_from("<ii", stub, tail)
        self.stats.requests += 1
        ack = ack_for(buf, needed, self.lines, handle in self.contexts)
        if ack == 0:  # dwRequestID 0: the server picks a unique positive id
            ack = self.fresh_request_id()
        kind = ack if ack >= 0x80000000 or ack == TAPIERR_INVALRPCCONTEXT else "request id"
        self.stats.acks[kind] = self.stats.acks.get(kind, 0) + 1  # bounded: a few dozen keys
        reply = struct.pack("<I", ack) + buf[4:] if len(buf) >= 4 else buf
        pad = b"\x00" * (-len(reply) % 4)
        return struct.pack("<III", max(needed, 0), 0, len(reply)) + reply + pad + struct.pack("<i", len(reply))


# --- client


class TapsrvClient:
    """A blocking client: bind, attach, ClientRequest calls, detach."""

    def __init__(self, host: str, port: int, timeout: float = 10.0) -> None:
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.call_id = 0
        self.handle = bytes(20)

    def _next(self) -> int:
        self.call_id += 1
        return self.call_id

    def _recv_pdu(self) -> bytes:
        head = self._recv(16)
        frag_len = struct.unpack_from("<H", head, 8)[0]
        return head + self._recv(frag_len - 16)

    def _recv(self, n: int) -> bytes:
        data = bytearray()
        while len(data) < n:
            chunk = self.sock.recv(n - len(data))
            if not chunk:
                raise ConnectionError("server closed the connection")
            data += chunk
        return bytes(data)

    def _rpc(self, opnum: int, stub: bytes) -> bytes:
        self.sock.sendall(_pdu(PTYPE_REQUEST, self._next(), REQUEST_HEADER.pack(len(stub), 0, opnum) + stub))
        pdu = self._recv_pdu()
        if pdu[2] == 3:
            raise ConnectionError(f"fault {struct.unpack_from('<I', pdu, 24)[0]:#x}")
        return pdu[24:]

    def bind(self) -> None:
        self.sock.sendall(bind_pdu(self._next()))
        if self._recv_pdu()[2] != 12:
            raise ConnectionError("Bind not acknowledged")

    def attach(self) -> None:
        stub = self._rpc(OPNUM_CLIENT_ATTACH, bytes(ClientAttach_Request(
            lProcessID=4242, pszDomainUser="EXAMPLE\\agent", pszMachine="CLIENT01", ndr64=False)))
        self.handle = stub[:20]

    def request(self, buf: bytes, needed: int | None = None) -> bytes:
        """One ClientRequest; returns the reply's TAPI buffer."""
        needed = len(buf) if needed is None else needed
        stub = (self.handle + struct.pack("<III", needed, 0, len(buf)) + buf + b"\x00" * (-len(buf) % 4)
                + struct.pack("<ii", needed, len(buf)))
        reply = self._rpc(OPNUM_CLIENT_REQUEST, stub)
        actual = struct.unpack_from("<I", reply, 8)[0]
        return reply[12: 12 + actual]

    def detach(self) -> None:
        self._rpc(OPNUM_CLIENT_DETACH, self.handle)  # the stub is the context handle

    def close(self) -> None:
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def send(host: str, port: int, count: int, seed: int, mode: str, out, lines=DEFAULT_LINES) -> dict:
    """Connect, bind, attach, send ``count`` crafted requests, print each reply's meaning.

    Requests use the server's ``lines`` so that only the rule a mode breaks fails.
    """
    import random

    from .fuzz import BREAKABLE, _Crafter
    from .layers import TAPI

    rng = random.Random(f"{seed}:{mode}:send")
    crafter = _Crafter(rng, tuple(lines))
    tally: dict[str, int] = {}
    with TapsrvClient(host, port) as client:
        client.bind()
        client.attach()
        for i in range(count):
            if mode == "invalid":
                buf, _ = crafter.broken(BREAKABLE[i % len(BREAKABLE)][0])
            else:
                buf = bytes(crafter.valid_request())
                if mode == "mutate":
                    data = bytearray(buf)
                    data[rng.randrange(len(data))] = rng.randrange(256)
                    buf = bytes(data)
            request = TAPI.dissect_request(buf)
            reply = TAPI.dissect_reply(client.request(buf), request)
            meaning = reply.sprintf("%Ack_ReturnValue%")
            kind = "asynchronous request id" if " (" in meaning else meaning
            tally[kind] = tally.get(kind, 0) + 1
            print(f"{i + 1}: {request.summary()} -> {meaning}", file=out)
        client.detach()
    return tally
