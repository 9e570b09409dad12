"""Read every TAPI message out of a capture file.

    >>> from scapy_layers.capture import read_tapi
    >>> for rec in read_tapi("pcaps/tcp_conversation.pcap"):
    ...     print(rec.frame, rec.direction, rec.packet.name, rec.violations())

The path from frames to TAPI messages: TCP segments are put back in order per
direction (``traffic.tcp_reassembly``); a connection carries either DCE/RPC
directly (ncacn_ip_tcp, any port) or SMB2, whose pipe reads/writes/transceives
become DCE/RPC streams (``traffic.smb2_pipe``); PDUs are framed and their
fragments joined (``traffic.dcerpc_stream``); tapsrv ClientRequest stubs are
dissected with the NDR classes of ``tapsrv`` and their pBuffer with the TAPI
layers of ``layers``.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

from scapy.packet import Packet

from ..spec import Violation
from ..traffic.dcerpc_stream import Association, PduFramer, RpcCall, looks_like_dcerpc
from ..traffic.frames import Frame, TcpSegment, read_frames, tcp_segment
from ..traffic.smb2_pipe import Smb2PipeDemux, looks_like_smb2
from ..traffic.tcp_reassembly import TcpStream
from .layers import TAPI
from .tapsrv import (
    OPNUM_CLIENT_REQUEST,
    TAPSRV_OPNUMS,
    TAPSRV_UUID,
    ClientRequest_Request,
    ClientRequest_Response,
    buffer_bytes,
    wellformed_pbuffer,
)

# Interfaces a user can name with ``decode_as`` for captures without a Bind.
DECODE_AS = {"tapsrv": (TAPSRV_UUID, 1)}


class Stub:
    """A ClientRequest stub: its bytes, dissected by scapy's NDR classes the first time
    somebody looks (``packet``), its TAPI message following it (a reply's chosen
    by ``request``, the TAPI request it answers). Reading the pBuffer needs no
    dissection when the stub is well-formed NDR32 (``wellformed_pbuffer``)."""

    __slots__ = ("cls", "data", "ndr64", "endian", "request", "truncated", "buffer", "_packet")

    def __init__(self, cls: type[Packet], data: bytes, ndr64: bool, endian: str,
                 request: Packet | None = None) -> None:
        self.cls, self.data, self.ndr64, self.endian, self.request = cls, data, ndr64, endian, request
        self._packet = None
        fast = None if ndr64 or endian != "little" else wellformed_pbuffer(data, cls is ClientRequest_Request)
        if fast is not None:
            self.truncated, self.buffer = False, fast
        else:
            pkt = self.packet()
            self.truncated = pkt.truncated
            self.buffer = buffer_bytes(pkt.pBuffer) if pkt.pBuffer is not None else b""

    def packet(self) -> Packet:
        if self._packet is None:
            # NDR32 unless the BindAck accepted NDR64 (scapy's conf.ndr64 default is not used)
            self._packet = self.cls(self.data, ndr64=self.ndr64, ndrendian=self.endian, request_packet=self.request)
        return self._packet


@dataclass
class TapiRecord:
    """One TAPI message found in a capture. ``stub`` is the ClientRequest stub that
    carried it, as scapy dissects it (on first use)."""

    frame: int
    direction: str  # "request" | "reply"
    packet: Packet
    carrier: Stub
    call_id: int
    transport: str  # "tcp" | "smb2"
    conversation: str
    fragments: int = 1
    request: "TapiRecord | None" = None
    reply: "TapiRecord | None" = None
    problems: list[str] = field(default_factory=list)

    def violations(self) -> list[Violation]:
        return self.packet.violations()

    @property
    def stub(self) -> Packet:
        return self.carrier.packet()

    @property
    def stub_class(self) -> type[Packet]:
        return self.carrier.cls

    @property
    def stub_truncated(self) -> bool:
        return self.carrier.truncated


class _Connection:
    """One TCP connection and everything it carries."""

    def __init__(self, name: str, assume) -> None:
        self.name = name
        self.assume = assume
        self.streams: dict[tuple, TcpStream] = {}
        self.kind: str | None = None  # "dcerpc" | "smb2"
        self.framers: dict[object, PduFramer] = {}
        self.associations: dict[object, Association] = {}
        self.smb = Smb2PipeDemux()
        self.problems: list[str] = []

    def association(self, key) -> Association:
        if key not in self.associations:
            self.associations[key] = Association(self.assume)
        return self.associations[key]

    def feed(self, seg: TcpSegment) -> Iterator[tuple[RpcCall, str, str]]:
        """Complete RPC calls this segment finishes, with transport and pipe."""
        flow = (seg.src, seg.dst)
        stream = self.streams.get(flow)
        if stream is None:
            stream = self.streams[flow] = TcpStream()
        gaps = stream.gaps_skipped
        data = stream.feed(seg)
        if stream.gaps_skipped != gaps:
            self._forget_partial(flow)
        if not data:
            return
        if self.kind is None:
            if looks_like_dcerpc(data):
                self.kind = "dcerpc"
            elif looks_like_smb2(data):
                self.kind = "smb2"
            else:
                return  # not at a message boundary yet; try the next chunk
        if self.kind == "dcerpc":
            yield from self._pdus(flow, data, self.association(None), seg.frame, "tcp", self.name)
        else:
            for item in self.smb.feed(data, flow):
                pipe = (item.file_id, item.to_server)
                name = f"{self.name} fid={item.file_id.hex()}"
                yield from self._pdus(pipe, item.data, self.association(item.file_id), seg.frame, "smb2", name)

    def _forget_partial(self, flow) -> None:
        """After a skipped TCP gap, what was half-framed in that direction cannot be completed."""
        self.smb.bufs.pop(flow, None)
        self.framers.pop(flow, None)
        if self.kind == "smb2":
            self.framers.clear()  # pipe framers are keyed by FileId and direction, not by TCP flow

    def _pdus(self, key, data, assoc: Association, frame: int, transport: str, name: str):
        framer = self.framers.get(key)
        if framer is None:
            if not looks_like_dcerpc(data):
                return
            framer = self.framers[key] = PduFramer()
        resyncs = framer.resyncs
        for pdu in framer.feed(data):
            call = assoc.on_pdu(pdu, frame)
            if call is not None:
                yield call, transport, name
        if framer.resyncs != resyncs:
            self.problems.append("bytes that are no DCE/RPC PDU header where one was due; "
                                 "resynchronised at the next segment")

    def drain_problems(self) -> list[str]:
        out = self.problems
        self.problems = []
        for source in (*self.streams.values(), self.smb, *self.associations.values()):
            if source.problems:
                out.extend(source.problems)
                source.problems = []
        return out


def _endpoint(ep: tuple[str, int]) -> str:
    host, port = ep
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(frozen=True)
class ReadProblem:
    """Input the reader could not turn into a message (damaged or cut short): it was skipped."""

    frame: int
    text: str

    def __str__(self) -> str:
        return f"frame {self.frame}: {self.text}"


class TapiRecords(list):
    """The records of a capture, with the problems met while reading it."""

    problems: list[ReadProblem]


class TapiReader:
    """Incremental reader: ``feed_frame`` returns the records a frame completes.

    Damaged input never raises: what cannot be framed is skipped and noted in
    ``problems`` (drain them with ``drain_problems``). Only the requests still
    waiting for their reply are kept (at most ``MAX_OPEN_CALLS``), so memory
    stays bounded however long the capture.
    """

    MAX_OPEN_CALLS = 4096

    def __init__(self, decode_as: str | None = None) -> None:
        if decode_as is not None and decode_as not in DECODE_AS:
            raise ValueError(f"unknown interface {decode_as!r}; known: {', '.join(DECODE_AS)}")
        self.assume = DECODE_AS.get(decode_as) if decode_as else None
        self.connections: dict[frozenset, _Connection] = {}
        self.problems: list[ReadProblem] = []
        self._open: dict[tuple[str, int], TapiRecord] = {}

    def feed_frame(self, frame: Frame) -> list[TapiRecord]:
        seg = tcp_segment(frame)
        if seg is None:
            return []
        key = frozenset((seg.src, seg.dst))
        conn = self.connections.get(key)
        if conn is None:
            name = f"{_endpoint(seg.src)} <-> {_endpoint(seg.dst)}"
            conn = self.connections[key] = _Connection(name, self.assume)
        new = []
        try:
            for call, transport, name in conn.feed(seg):
                rec = self._record(call, transport, name)
                if rec is not None:
                    new.append(rec)
        except Exception as exc:  # a path no damage test has reached yet: report it, keep reading
            self.connections.pop(key, None)
            conn.problems.append(f"reader error {type(exc).__name__}: {exc}; the connection's state was reset")
        self.problems.extend(ReadProblem(frame.number, text) for text in conn.drain_problems())
        return new

    def drain_problems(self) -> list[ReadProblem]:
        out, self.problems = self.problems, []
        return out

    def read(self, path: str) -> Iterator[TapiRecord]:
        """Every record of a capture file, as the frames are read (nothing is kept)."""
        with _few_young_collections():
            for frame in read_frames(path):
                yield from self.feed_frame(frame)

    def _record(self, call: RpcCall, transport: str, name: str) -> TapiRecord | None:
        if call.interface != TAPSRV_UUID or call.opnum != OPNUM_CLIENT_REQUEST:
            return None
        problems = []
        is_request = call.direction == "request"
        cls = ClientRequest_Request if is_request else ClientRequest_Response
        key = (name, call.call_id)
        req = None if is_request else self._open.get(key)
        stub = Stub(cls, call.stub, call.ndr64, "little" if call.little_endian else "big",
                    request=req.packet if req is not None else None)
        if stub.truncated:
            problems.append(f"stub truncated ({len(call.stub)} bytes)")
        buf = stub.buffer
        if not buf:
            # an empty pBuffer (actual_count 0, or the stub ends first) holds no
            # TAPI message; Wireshark shows none either
            if is_request:
                self._open.pop(key, None)
            return None
        if is_request:
            packet = TAPI.dissect_request(buf)
            rec = TapiRecord(call.frame, "request", packet, stub, call.call_id, transport, name, call.fragments, problems=problems)
            self._open.pop(key, None)
            self._open[key] = rec
            if len(self._open) > self.MAX_OPEN_CALLS:
                del self._open[next(iter(self._open))]  # the oldest unanswered request
        else:
            self._open.pop(key, None)
            packet = TAPI.dissect_reply(buf, req.packet if req else None)
            rec = TapiRecord(call.frame, "reply", packet, stub, call.call_id, transport, name, call.fragments, request=req, problems=problems)
            if req is not None:
                req.reply = rec
        return rec


@contextmanager
def _few_young_collections():
    """Dissecting allocates many short-lived containers and keeps every record:
    with Python's default thresholds the cyclic collector re-walks the young
    survivors so often that it took 27 % of read_tapi (50,000 frames, 9.6 s
    against 7.1 s here). Collections still run, 140 times less often."""
    previous = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*previous)


def iter_tapi(path: str, decode_as: str | None = None) -> Iterator[TapiRecord]:
    """``read_tapi`` one record at a time, in bounded memory (problems are not kept)."""
    return TapiReader(decode_as).read(path)


def read_tapi(path: str, decode_as: str | None = None) -> TapiRecords:
    """Every TAPI message of a pcap/pcapng file, in frame order.

    ``decode_as="tapsrv"`` takes DCE/RPC calls on contexts whose Bind is not
    in the capture as tapsrv calls. What could not be read is in the result's
    ``problems``. (While it reads, the garbage collector's thresholds are
    raised; they are restored on return.) ``iter_tapi`` gives the same records
    one by one, in bounded memory.
    """
    reader = TapiReader(decode_as)
    records = TapiRecords(reader.read(path))
    records.problems = reader.problems
    return records


__all__ = ["DECODE_AS", "TAPSRV_OPNUMS", "ReadProblem", "Stub", "TapiReader", "TapiRecord", "TapiRecords", "iter_tapi",
           "read_tapi"]
