"""Craft complete tapsrv conversations and write them to pcap/pcapng.

    >>> from scapy_layers.craft import Exchange, tapsrv_conversation, write_pcap
    >>> from scapy_layers.mstrp import SetAgentSessionState, SetAgentSessionStateReply
    >>> req = SetAgentSessionState(hLine=0x10001, dwAgentSessionState=2)
    >>> frames = tapsrv_conversation([Exchange(req, SetAgentSessionStateReply(Ack_ReturnValue=1))])
    >>> write_pcap("out.pcap", frames)

A conversation is a TCP handshake, Bind/BindAck, ClientAttach, one
ClientRequest per exchange with its reply, ClientDetach and FIN — over plain TCP
(ncacn_ip_tcp) or over SMB2 to \\PIPE\\tapsrv (ncacn_np). Everything is
deterministic: fixed addresses, ports, sequence numbers and timestamps.
"""

from __future__ import annotations

import struct
import uuid
from dataclasses import dataclass

from scapy.layers.dcerpc import (
    DceRpc5,
    DceRpc5AbstractSyntax,
    DceRpc5Bind,
    DceRpc5BindAck,
    DceRpc5Context,
    DceRpc5PortAny,
    DceRpc5Request,
    DceRpc5Response,
    DceRpc5Result,
    DceRpc5TransferSyntax,
    NDRContextHandle,
)
from scapy.layers.inet import IP, TCP
from scapy.layers.l2 import Ether
from scapy.layers.netbios import NBTSession
from scapy.layers.smb2 import (
    SMB2_FILEID,
    SMB2_Create_Request,
    SMB2_Create_Response,
    SMB2_Header,
    SMB2_IOCTL_Request,
    SMB2_IOCTL_Response,
    SMB2_Read_Request,
    SMB2_Read_Response,
    SMB2_Tree_Connect_Request,
    SMB2_Tree_Connect_Response,
    SMB2_Write_Request,
    SMB2_Write_Response,
)
from scapy.packet import Packet, Raw
from scapy.utils import PcapNgWriter, PcapWriter

from ..traffic.dcerpc_stream import NDR64_SYNTAX
from ..traffic.smb2_pipe import FSCTL_PIPE_TRANSCEIVE
from .layers import TAPI, TAPI32_MSG_SIZE
from .tapsrv import (
    OPNUM_CLIENT_ATTACH,
    OPNUM_CLIENT_DETACH,
    OPNUM_CLIENT_REQUEST,
    TAPSRV_UUID,
    ClientAttach_Request,
    ClientAttach_Response,
    ClientDetach_Request,
    ClientDetach_Response,
    ClientRequest_Request,
    ClientRequest_Response,
    conformant_varying,
)

NDR32_SYNTAX = uuid.UUID("8a885d04-1ceb-11c9-9fe8-08002b104860")
EPOCH = 1_700_000_000.0  # fixed capture start time
FRAME_GAP = 0.001
CLIENT_MAC, SERVER_MAC = "02:00:00:00:00:01", "02:00:00:00:00:02"
CONTEXT_UUID = bytes.fromhex("5c7a0c1e6b2d4f4f8a3e1d2c3b4a5968")
SMB2_IPC_TREE_ID = 1
SMB2_SESSION_ID = 0x0000100000000001
_PIPE_TIMES = {k: EPOCH for k in ("CreationTime", "LastAccessTime", "LastWriteTime", "ChangeTime")}
PIPE_FILE_ID = SMB2_FILEID(Persistent=0x0000000000000001, Volatile=0x00000000FFFF0001)


@dataclass
class Exchange:
    """One ClientRequest: a TAPI request buffer and the server's reply buffer.

    ``needed`` is lNeededSize (defaults to the request's length); ``reply``
    None leaves the call unanswered.
    """

    request: Packet | bytes
    reply: Packet | bytes | None = None
    needed: int | None = None


@dataclass
class Options:
    transport: str = "tcp"  # "tcp" | "smb2"
    client: tuple[str, int] = ("192.0.2.10", 49800)
    server: tuple[str, int] = ("192.0.2.20", 49710)
    max_frag_body: int | None = None  # DCE/RPC fragment size: fragments stubs
    segment_size: int | None = None  # TCP payload per segment: splits PDUs
    pipeline: bool = False  # all requests in one segment, then all replies
    start_after_bind: bool = False  # drop handshake, Bind, BindAck, ClientAttach
    smb2_mode: str = "ioctl"  # "ioctl" (FSCTL_PIPE_TRANSCEIVE) | "write_read"
    ndr64: bool = False  # negotiate the NDR64 transfer syntax and marshal stubs with it
    epoch: float = EPOCH


class TcpFlow:
    """Frames of one TCP connection with consistent sequence numbers."""

    def __init__(self, opts: Options, client_isn: int = 0x1000, server_isn: int = 0x8000) -> None:
        self.opts = opts
        self.seq = {True: client_isn, False: server_isn}
        self.frames: list[Packet] = []

    def segment(self, from_client: bool, flags: str, payload: bytes = b"") -> Packet:
        """One TCP segment, sequence numbers following the ones before it."""
        o = self.opts
        (src, sport), (dst, dport) = (o.client, o.server) if from_client else (o.server, o.client)
        smac, dmac = (CLIENT_MAC, SERVER_MAC) if from_client else (SERVER_MAC, CLIENT_MAC)
        ack = self.seq[not from_client] if "A" in flags else 0
        pkt = (
            Ether(src=smac, dst=dmac)
            / IP(src=src, dst=dst, id=len(self.frames) + 1, flags="DF", ttl=128)
            / TCP(sport=sport, dport=dport, seq=self.seq[from_client], ack=ack, flags=flags, window=8192)
        )
        if payload:
            pkt = pkt / Raw(payload)
        pkt.time = o.epoch + FRAME_GAP * len(self.frames)
        self.frames.append(pkt)
        advance = len(payload) + (1 if ("S" in flags or "F" in flags) else 0)
        self.seq[from_client] = (self.seq[from_client] + advance) % (1 << 32)
        return pkt

    def handshake(self) -> None:
        self.segment(True, "S")
        self.segment(False, "SA")
        self.segment(True, "A")

    def send(self, from_client: bool, data: bytes) -> None:
        size = self.opts.segment_size or len(data) or 1
        for i in range(0, len(data), size):
            self.segment(from_client, "PA", data[i: i + size])

    def close(self) -> None:
        self.segment(True, "FA")
        self.segment(False, "FA")
        self.segment(True, "A")


# --- DCE/RPC PDUs


def bind_pdu(call_id: int, iface=TAPSRV_UUID, version: int = 1, ndr64: bool = False) -> bytes:
    syntax = (NDR64_SYNTAX, 1) if ndr64 else (NDR32_SYNTAX, 2)
    return bytes(
        DceRpc5(call_id=call_id, pfc_flags="PFC_FIRST_FRAG+PFC_LAST_FRAG")
        / DceRpc5Bind(
            max_xmit_frag=4280,
            max_recv_frag=4280,
            context_elem=[
                DceRpc5Context(
                    cont_id=0,
                    abstract_syntax=DceRpc5AbstractSyntax(if_uuid=iface, if_version=version),
                    transfer_syntaxes=[DceRpc5TransferSyntax(if_uuid=syntax[0], if_version=syntax[1])],
                )
            ],
        )
    )


def bind_ack_pdu(call_id: int, port: int, ndr64: bool = False) -> bytes:
    syntax = (NDR64_SYNTAX, 1) if ndr64 else (NDR32_SYNTAX, 2)
    # sec_addr must be set: scapy builds a malformed BindAck without it.
    return bytes(
        DceRpc5(call_id=call_id, pfc_flags="PFC_FIRST_FRAG+PFC_LAST_FRAG")
        / DceRpc5BindAck(
            max_xmit_frag=4280,
            max_recv_frag=4280,
            assoc_group_id=0x12345,
            sec_addr=DceRpc5PortAny(port_spec=b"%d\x00" % port),
            results=[
                DceRpc5Result(
                    result=0,
                    reason=0,
                    transfer_syntax=DceRpc5TransferSyntax(if_uuid=syntax[0], if_version=syntax[1]),
                )
            ],
        )
    )


def _fragments(stub: bytes, max_body: int | None) -> list[tuple[bytes, str]]:
    if not max_body or len(stub) <= max_body:
        return [(stub, "PFC_FIRST_FRAG+PFC_LAST_FRAG")]
    chunks = [stub[i: i + max_body] for i in range(0, len(stub), max_body)]
    flags = []
    for i in range(len(chunks)):
        f = []
        if i == 0:
            f.append("PFC_FIRST_FRAG")
        if i == len(chunks) - 1:
            f.append("PFC_LAST_FRAG")
        flags.append("+".join(f) or 0)
    return list(zip(chunks, flags))


def request_pdus(call_id: int, opnum: int, stub: bytes, max_body: int | None = None) -> list[bytes]:
    return [
        bytes(
            DceRpc5(call_id=call_id, pfc_flags=flags)
            / DceRpc5Request(alloc_hint=len(stub), cont_id=0, opnum=opnum)
            / Raw(chunk)
        )
        for chunk, flags in _fragments(stub, max_body)
    ]


def response_pdus(call_id: int, stub: bytes, max_body: int | None = None) -> list[bytes]:
    return [
        bytes(
            DceRpc5(call_id=call_id, pfc_flags=flags)
            / DceRpc5Response(alloc_hint=len(stub), cont_id=0)
            / Raw(chunk)
        )
        for chunk, flags in _fragments(stub, max_body)
    ]


# --- tapsrv stubs


def context_handle() -> NDRContextHandle:
    return NDRContextHandle(attributes=0, uuid=CONTEXT_UUID)


def client_request_stub(buf: bytes, needed: int | None = None, ndr64: bool = False) -> bytes:
    needed = len(buf) if needed is None else needed
    return bytes(
        ClientRequest_Request(
            phContext=context_handle(),
            pBuffer=conformant_varying(buf, needed),
            lNeededSize=needed,
            plUsedSize=len(buf),
            ndr64=ndr64,
        )
    )


def client_response_stub(buf: bytes, needed: int | None = None, ndr64: bool = False) -> bytes:
    needed = len(buf) if needed is None else needed
    return bytes(
        ClientRequest_Response(
            pBuffer=conformant_varying(buf, needed), plUsedSize=len(buf), ndr64=ndr64
        )
    )


def reply_for(request: Packet | bytes, ack: int) -> Packet:
    """The server's reply: the request buffer with its first word replaced."""
    buf = bytes(request)
    return TAPI.dissect_reply(ack.to_bytes(4, "little") + buf[4:], TAPI.dissect_request(buf))


class PduTemplates:
    """ClientRequest PDUs; the common 60-byte case patched into a template.

    Building each PDU with scapy costs a millisecond or two; for a buffer of
    the usual size only the call id and the buffer bytes differ.
    """

    def __init__(self) -> None:
        probe = bytes(range(1, TAPI32_MSG_SIZE + 1))  # a pattern found once in each PDU
        self.request = request_pdus(0, OPNUM_CLIENT_REQUEST, client_request_stub(probe))[0]
        self.response = response_pdus(0, client_response_stub(probe))[0]
        self.req_at = self.request.index(probe, 24 + 20)
        self.rsp_at = self.response.index(probe, 24)

    @staticmethod
    def _patch(template: bytes, at: int, call: int, buf: bytes) -> bytes:
        pdu = bytearray(template)
        pdu[12:16] = struct.pack("<I", call)
        pdu[at: at + len(buf)] = buf
        return bytes(pdu)

    def request_pdu(self, call: int, buf: bytes) -> bytes:
        if len(buf) == TAPI32_MSG_SIZE:
            return self._patch(self.request, self.req_at, call, buf)
        return request_pdus(call, OPNUM_CLIENT_REQUEST, client_request_stub(buf))[0]

    def response_pdu(self, call: int, buf: bytes) -> bytes:
        if len(buf) == TAPI32_MSG_SIZE:
            return self._patch(self.response, self.rsp_at, call, buf)
        return response_pdus(call, client_response_stub(buf))[0]


# --- whole conversations


@dataclass
class _Call:
    opnum: int
    request_stub: bytes
    response_stub: bytes | None
    setup: bool = False  # part of what start_after_bind drops


def _plan(exchanges: list[Exchange], ndr64: bool = False) -> list[_Call]:
    calls = [
        _Call(
            OPNUM_CLIENT_ATTACH,
            bytes(ClientAttach_Request(lProcessID=4242, pszDomainUser="EXAMPLE\\agent", pszMachine="CLIENT01",
                                       ndr64=ndr64)),
            bytes(ClientAttach_Response(pphContext=context_handle(), phAsyncEventsEvent=0, status=0, ndr64=ndr64)),
            setup=True,
        )
    ]
    for ex in exchanges:
        req = bytes(ex.request)
        needed = ex.needed if ex.needed is not None else len(req)
        calls.append(
            _Call(
                OPNUM_CLIENT_REQUEST,
                client_request_stub(req, needed, ndr64),
                None if ex.reply is None else client_response_stub(bytes(ex.reply), needed, ndr64),
            )
        )
    calls.append(
        _Call(
            OPNUM_CLIENT_DETACH,
            bytes(ClientDetach_Request(pphContext=context_handle(), ndr64=ndr64)),
            bytes(ClientDetach_Response(pphContext=NDRContextHandle(), ndr64=ndr64)),
        )
    )
    return calls


def tapsrv_conversation(exchanges: list[Exchange], opts: Options | None = None, **kw) -> list[Packet]:
    """Frames of one complete tapsrv conversation carrying ``exchanges``."""
    opts = opts or Options(**kw)
    if opts.transport == "smb2":
        if opts.server[1] != 445 and "server" not in kw:
            opts.server = (opts.server[0], 445)
        return _smb2_conversation(_plan(exchanges, opts.ndr64), opts)
    if opts.transport != "tcp":
        raise ValueError(f"unknown transport {opts.transport!r}: use 'tcp' or 'smb2'")
    return _tcp_conversation(_plan(exchanges, opts.ndr64), opts)


def _tcp_conversation(calls: list[_Call], opts: Options) -> list[Packet]:
    flow = TcpFlow(opts)
    skip_setup = opts.start_after_bind
    if not skip_setup:
        flow.handshake()
        flow.send(True, bind_pdu(1, ndr64=opts.ndr64))
        flow.send(False, bind_ack_pdu(1, opts.server[1], ndr64=opts.ndr64))
    pending_requests: list[bytes] = []
    pending_replies: list[bytes] = []
    for call_id, call in enumerate(calls, start=2):
        if call.setup and skip_setup:
            continue
        req = request_pdus(call_id, call.opnum, call.request_stub, opts.max_frag_body)
        rsp = [] if call.response_stub is None else response_pdus(call_id, call.response_stub, opts.max_frag_body)
        if opts.pipeline and call.opnum == OPNUM_CLIENT_REQUEST:
            pending_requests.append(b"".join(req))
            pending_replies.append(b"".join(rsp))
            continue
        _flush_pipeline(flow, pending_requests, pending_replies)
        # each fragment in its own segment(s), as real stacks send them
        for pdu in req:
            flow.send(True, pdu)
        for pdu in rsp:
            flow.send(False, pdu)
    _flush_pipeline(flow, pending_requests, pending_replies)
    flow.close()
    return flow.frames


def _flush_pipeline(flow: TcpFlow, requests: list[bytes], replies: list[bytes]) -> None:
    if requests:
        flow.send(True, b"".join(requests))
        if any(replies):
            flow.send(False, b"".join(replies))
    requests.clear()
    replies.clear()


def _smb2(command_pkt: Packet, mid: int, response: bool, tree_id: int = SMB2_IPC_TREE_ID) -> bytes:
    hdr = SMB2_Header(
        Command=command_pkt.Command,
        Flags="SMB2_FLAGS_SERVER_TO_REDIR" if response else 0,
        MID=mid,
        TID=tree_id,
        SessionId=SMB2_SESSION_ID,
        CreditRequest=1,
        CreditCharge=1,
    )
    return bytes(NBTSession() / hdr / command_pkt)


def _smb2_conversation(calls: list[_Call], opts: Options) -> list[Packet]:
    flow = TcpFlow(opts)
    mid = 0

    def exchange(request: Packet, response: Packet) -> None:
        nonlocal mid
        mid += 1
        flow.send(True, _smb2(request, mid, False))
        flow.send(False, _smb2(response, mid, True))

    def pipe_write_read(data_in: bytes, data_out: bytes) -> None:
        exchange(
            SMB2_Write_Request(FileId=PIPE_FILE_ID, Data=data_in),
            SMB2_Write_Response(Count=len(data_in)),
        )
        if data_out:
            exchange(
                SMB2_Read_Request(FileId=PIPE_FILE_ID, Length=4280),
                SMB2_Read_Response(Data=data_out),
            )

    def pipe_transceive(data_in: bytes, data_out: bytes) -> None:
        exchange(
            SMB2_IOCTL_Request(
                CtlCode=FSCTL_PIPE_TRANSCEIVE,
                FileId=PIPE_FILE_ID,
                Flags="SMB2_0_IOCTL_IS_FSCTL",
                Input=Raw(data_in),
                MaxOutputResponse=4280,
            ),
            SMB2_IOCTL_Response(
                CtlCode=FSCTL_PIPE_TRANSCEIVE,
                FileId=PIPE_FILE_ID,
                Output=Raw(data_out),
            ),
        )

    if not opts.start_after_bind:
        flow.handshake()
        exchange(
            SMB2_Tree_Connect_Request(Path="\\\\%s\\IPC$" % opts.server[0]),
            SMB2_Tree_Connect_Response(ShareType="PIPE", ShareFlags=0x30, MaximalAccess=0x1F01FF),
        )
        exchange(
            SMB2_Create_Request(Name="tapsrv", DesiredAccess=0x0012019F, ShareAccess=0x3,
                                CreateDisposition=1, CreateOptions=0x400040, ImpersonationLevel=2),
            # Fixed times: scapy would stamp the build time into the file.
            SMB2_Create_Response(FileId=PIPE_FILE_ID, CreateAction=1, **_PIPE_TIMES),
        )
        pipe_write_read(bind_pdu(1, ndr64=opts.ndr64), bind_ack_pdu(1, 0, ndr64=opts.ndr64))
    for call_id, call in enumerate(calls, start=2):
        if call.setup and opts.start_after_bind:
            continue
        req = b"".join(request_pdus(call_id, call.opnum, call.request_stub, opts.max_frag_body))
        rsp = b"" if call.response_stub is None else b"".join(
            response_pdus(call_id, call.response_stub, opts.max_frag_body)
        )
        if opts.smb2_mode == "write_read" or opts.max_frag_body:
            pipe_write_read(req, rsp)
        else:
            pipe_transceive(req, rsp)
    flow.close()
    return flow.frames


def write_pcap(path: str, frames: list[Packet], pcapng: bool | None = None) -> None:
    """Write frames to ``path`` (pcapng if it ends with .pcapng), deterministically."""
    if pcapng is None:
        pcapng = path.endswith(".pcapng")
    writer = PcapNgWriter(path) if pcapng else PcapWriter(path, linktype=1, sync=False)
    try:
        for f in frames:
            writer.write(f)
    finally:
        writer.close()
