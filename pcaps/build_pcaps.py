#!/usr/bin/env python3
"""Regenerate every sample capture in this folder, byte for byte.

    python pcaps/build_pcaps.py [OUTDIR]

Everything is fixed: addresses, ports, TCP sequence numbers, timestamps and
field values, so the output is identical on every run and every machine
(tests/test_pcaps.py checks that against the committed files).
"""

from __future__ import annotations

import os
import sys
from typing import Callable

from scapy.layers.inet import IP, TCP
from scapy.packet import Packet

from scapy_layers.mstrp.craft import (
    Exchange,
    Options,
    TcpFlow,
    bind_ack_pdu,
    bind_pdu,
    client_request_stub,
    client_response_stub,
    reply_for,
    request_pdus,
    response_pdus,
    tapsrv_conversation,
    write_pcap,
)
from scapy_layers.mstrp import (
    LINEAGENTSESSIONSTATE,
    SET_AGENT_SESSION_STATE_ERRORS,
    SetAgentSessionState,
    TAPI32_MSG,
)
from scapy_layers.mstrp.tapsrv import OPNUM_CLIENT_REQUEST

LINE = 0x00010001
SESSION = 0x00020002
NOTREADY, READY, BUSYONCALL = 0x1, 0x2, 0x4
LINEERR_INVALAGENTSTATE = 0x8000005A
LINEERR_INVALPARAM = 0x80000032
LINEERR_NODRIVER = 0x80000043  # a real LINEERR, not documented for Req_Func 155


def request(**fields) -> SetAgentSessionState:
    values = dict(hLine=LINE, hAgentSession=SESSION, dwAgentSessionState=READY)
    values.update(fields)
    return SetAgentSessionState(**values)


def answered(req: Packet, ack: int) -> Exchange:
    return Exchange(req, reply_for(req, ack))


def _typical() -> list[Exchange]:
    return [
        answered(request(dwRequestID=1, dwAgentSessionState=READY, dwNextAgentSessionState=NOTREADY), 1),
        answered(request(dwRequestID=0, dwAgentSessionState=BUSYONCALL), 0x100),
        answered(request(dwRequestID=3, hLine=0x00010002, dwAgentSessionState=0,
                         dwNextAgentSessionState=READY), 3),
    ]


def _short_stub() -> list[Packet]:
    """A ClientRequest whose PDU ends 30 bytes into the TAPI buffer."""
    opts = Options()
    flow = TcpFlow(opts)
    flow.handshake()
    flow.send(True, bind_pdu(1))
    flow.send(False, bind_ack_pdu(1, opts.server[1]))
    buf = bytes(request(dwRequestID=9))
    stub = client_request_stub(buf)[: 20 + 12 + 30]
    flow.send(True, request_pdus(2, OPNUM_CLIENT_REQUEST, stub)[0])
    reply = reply_for(buf, LINEERR_INVALPARAM)
    flow.send(False, response_pdus(2, client_response_stub(bytes(reply)))[0])
    flow.close()
    return flow.frames


def _other_requests() -> list[Exchange]:
    close_line = TAPI32_MSG(Req_Func=9, Param1=LINE)  # Close (2.2.4.1.3.9), not modelled yet
    undocumented = TAPI32_MSG(Req_Func=999)
    return [
        answered(close_line, 0),
        answered(undocumented, 0x80000049),  # LINEERR_OPERATIONUNAVAIL
    ]


def _pdus_of(frames: list[Packet], opts: Options) -> list[tuple[bool, bytes]]:
    """(from the client, payload) of each segment that carries data."""
    return [((f[IP].src, f[TCP].sport) == opts.client, bytes(f[TCP].payload)) for f in frames if f[TCP].payload]


def short_first_segment(bind_cut: int | None = None) -> list[Packet]:
    """The first SetAgentSessionState request's PDU starts with a 10-byte segment,
    shorter than DCE/RPC's 16-byte header; its rest comes in two segments, the
    second of which also starts the next request, so that PDU starts mid-segment.
    Wireshark's DCE/RPC heuristic alone loses both requests (and so the opnum
    of their replies); the generated dissectors must not. ``bind_cut``: the
    Bind too comes in two segments, the first that long."""
    opts = Options()
    pdus = _pdus_of(tapsrv_conversation(_typical(), opts), opts)
    flow = TcpFlow(opts)
    flow.handshake()
    (_, bind), *setup = pdus[:4]  # Bind, BindAck, ClientAttach and its reply
    for part in (bind[:bind_cut], bind[bind_cut:]) if bind_cut else (bind,):
        flow.segment(True, "PA", part)
    for from_client, pdu in setup:
        flow.send(from_client, pdu)
    (_, first), (_, first_reply), (_, second) = pdus[4:7]
    for part in (first[:10], first[10:70], first[70:] + second[:30]):
        flow.segment(True, "PA", part)
    flow.send(False, first_reply)
    flow.segment(True, "PA", second[30:])
    for from_client, pdu in pdus[7:]:
        flow.send(from_client, pdu)
    flow.close()
    return flow.frames


# --- damaged captures: the reader must skip what it cannot frame and go on


def _replayed(frames: list[Packet], opts: Options, payload_of) -> list[Packet]:
    """The same conversation with some TCP payloads changed: ``payload_of(index,
    payload)`` gives the new payload, or None for a segment lost on the wire
    (its sender's sequence numbers still advance past it)."""
    flow = TcpFlow(opts)
    for i, f in enumerate(frames):
        tcp = f[TCP]
        from_client = (f[IP].src, tcp.sport) == opts.client
        payload = bytes(tcp.payload)
        new = payload_of(i, payload)
        if new is None:
            flow.seq[from_client] = (flow.seq[from_client] + len(payload)) % (1 << 32)
            continue
        flow.segment(from_client, str(tcp.flags), new)
    return flow.frames


def _carrying(frames: list[Packet], req: Packet) -> int:
    """Index of the frame whose payload holds the TAPI buffer of ``req``."""
    buf = bytes(req)
    return next(i for i, f in enumerate(frames) if buf in bytes(f[TCP].payload))


def _smb2_header_cut_short() -> list[Packet]:
    """The second request's SMB2 message is 40 bytes, too short for its own header;
    its NetBIOS length says so, so the messages around it still frame."""
    exchanges = _typical()
    opts = Options(transport="smb2", server=("192.0.2.20", 445))
    frames = tapsrv_conversation(exchanges, opts)
    target = _carrying(frames, exchanges[1].request)
    return _replayed(frames, opts, lambda i, p: b"\x00\x00\x00\x28" + p[4:44] if i == target else p)


def _netbios_length_lies() -> list[Packet]:
    """The second request's NetBIOS length claims 1,000 bytes more than it carries,
    so its message swallows what follows until the next segment starts an SMB2 message."""
    exchanges = _typical()
    opts = Options(transport="smb2", server=("192.0.2.20", 445))
    frames = tapsrv_conversation(exchanges, opts)
    target = _carrying(frames, exchanges[1].request)

    def lie(i, p):
        if i != target:
            return p
        return p[:1] + (int.from_bytes(p[1:4], "big") + 1000).to_bytes(3, "big") + p[4:]
    return _replayed(frames, opts, lie)


def _tcp_out_of_order() -> list[Packet]:
    """PDUs split in 40-byte segments; two of the first request's segments swap places,
    one is sent again overlapping its neighbour by 10 bytes, and one segment of the
    last reply is lost (its gap is given up at the FIN)."""
    exchanges = _typical()
    opts = Options(segment_size=40)
    frames = tapsrv_conversation(exchanges, opts)
    lost = _segments_of(frames, opts, bytes(exchanges[2].reply), from_client=False)[1]
    frames = _replayed(frames, opts, lambda i, p: None if i == lost else p)
    a, b = _segments_of(frames, opts, bytes(exchanges[0].request), from_client=True)[:2]
    frames[a], frames[b] = frames[b], frames[a]
    again = frames[b].copy()
    again[TCP].seq -= 10
    again[TCP].remove_payload()
    again = again / (bytes(frames[a][TCP].payload)[-10:] + bytes(frames[b][TCP].payload))
    del again[IP].len, again[IP].chksum, again[TCP].chksum
    frames.insert(b + 1, again)
    for n, f in enumerate(frames):
        f.time = opts.epoch + 0.001 * n
    return frames


def _segments_of(frames: list[Packet], opts: Options, data: bytes, from_client: bool) -> list[int]:
    """Indexes of the segments that carry ``data`` in one direction's byte stream."""
    stream, owners = b"", []
    for i, f in enumerate(frames):
        if ((f[IP].src, f[TCP].sport) == opts.client) == from_client:
            payload = bytes(f[TCP].payload)
            stream += payload
            owners += [i] * len(payload)
    start = stream.index(data)
    return sorted(set(owners[start:start + len(data)]))


# name -> frames builder. Names say what each capture was built to show.
SAMPLES: dict[str, Callable[[], list[Packet]]] = {
    "tcp_conversation.pcap": lambda: tapsrv_conversation(_typical()),
    "tcp_conversation.pcapng": lambda: tapsrv_conversation(_typical()),
    "smb2_pipe_transceive.pcap": lambda: tapsrv_conversation(_typical(), transport="smb2"),
    "smb2_pipe_write_read.pcap": lambda: tapsrv_conversation(
        _typical(), transport="smb2", smb2_mode="write_read"
    ),
    "fragmented_stub.pcap": lambda: tapsrv_conversation(_typical(), max_frag_body=32),
    "tcp_segmented_pdu.pcap": lambda: tapsrv_conversation(_typical(), segment_size=40),
    "tcp_short_first_segment.pcap": short_first_segment,
    "two_pdus_one_segment.pcap": lambda: tapsrv_conversation(_typical(), pipeline=True),
    "no_bind.pcap": lambda: tapsrv_conversation(_typical(), start_after_bind=True),
    "all_session_states.pcap": lambda: tapsrv_conversation(
        [
            answered(request(dwRequestID=i, dwAgentSessionState=state), i)
            for i, state in enumerate(sorted(LINEAGENTSESSIONSTATE), start=1)
        ]
    ),
    "all_documented_errors.pcap": lambda: tapsrv_conversation(
        [answered(request(dwRequestID=i), err) for i, err in enumerate(SET_AGENT_SESSION_STATE_ERRORS, start=1)]
    ),
    "other_req_funcs.pcap": lambda: tapsrv_conversation(_other_requests()),
    "malformed_truncated_buffer.pcap": lambda: tapsrv_conversation(
        [answered(bytes(request(dwRequestID=5))[:40], LINEERR_INVALPARAM)]
    ),
    "malformed_short_stub.pcap": _short_stub,
    "malformed_reserved1.pcap": lambda: tapsrv_conversation(
        [answered(request(dwRequestID=6, Reserved1=0xDEADBEEF), 6)]
    ),
    "malformed_both_states_zero.pcap": lambda: tapsrv_conversation(
        [answered(request(dwRequestID=7, dwAgentSessionState=0, dwNextAgentSessionState=0),
                  LINEERR_INVALAGENTSTATE)]
    ),
    "malformed_multi_bit_state.pcap": lambda: tapsrv_conversation(
        [answered(request(dwRequestID=8, dwAgentSessionState=READY | BUSYONCALL), LINEERR_INVALAGENTSTATE)]
    ),
    "malformed_unknown_state.pcap": lambda: tapsrv_conversation(
        [answered(request(dwRequestID=10, dwNextAgentSessionState=0x40), LINEERR_INVALAGENTSTATE)]
    ),
    "malformed_request_id_high.pcap": lambda: tapsrv_conversation(
        [answered(request(dwRequestID=0x80000000), LINEERR_INVALPARAM)]
    ),
    "malformed_undocumented_lineerr.pcap": lambda: tapsrv_conversation(
        [answered(request(dwRequestID=11), LINEERR_NODRIVER)]
    ),
    "damaged_smb2_header.pcap": _smb2_header_cut_short,
    "damaged_netbios_length.pcap": _netbios_length_lies,
    "damaged_tcp_order.pcap": _tcp_out_of_order,
}


def build_all(outdir: str) -> list[str]:
    os.makedirs(outdir, exist_ok=True)
    written = []
    for name, build in SAMPLES.items():
        path = os.path.join(outdir, name)
        write_pcap(path, build())
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    outdir = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    for path in build_all(outdir):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
