"""Crafted SetAgentSessionState traffic for fuzzing, reproducible from a seed.

Modes:
  valid    spec-conforming random requests and the replies a server gives
  invalid  each exchange breaks one spec rule on purpose, labelled
  mutate   valid exchanges whose PDUs are then damaged byte by byte: the TAPI
           buffer, the NDR header (counts, sizes) or the DCE/RPC header
           (lengths, fragment flags, types), labelled

``generate`` writes complete DCE/RPC conversations (handshake, Bind, ClientAttach,
the calls, ClientDetach, FIN; 500 calls per connection) to a pcap and returns
one label per crafted or damaged message.
"""

from __future__ import annotations

import random
import struct
import sys
from dataclasses import asdict, dataclass

from ..traffic.rawpcap import PSH_ACK, PcapOut, TcpConversation
from .craft import PduTemplates, bind_ack_pdu, bind_pdu, context_handle, request_pdus, response_pdus
from .layers import LINEAGENTSESSIONSTATE, SET_AGENT_SESSION_STATE_ERRORS, SetAgentSessionState, TAPI32_MSG_SIZE
from .tapsrv import (
    OPNUM_CLIENT_ATTACH, OPNUM_CLIENT_DETACH, ClientAttach_Request, ClientAttach_Response,
    ClientDetach_Request, ClientDetach_Response,
)

MODES = ("valid", "invalid", "mutate")
CALLS_PER_CONNECTION = 500
# mutations often break a connection's framing for good: keep them short
CALLS_PER_MUTATED_CONNECTION = 20
SERVER_PORT = 49710
STATES = sorted(LINEAGENTSESSIONSTATE)
DOCUMENTED_ERRORS = sorted(SET_AGENT_SESSION_STATE_ERRORS)
LINEERR_NODRIVER = 0x80000043
# Rules an exchange can break on purpose, and on which side.
BREAKABLE = [
    ("reserved1_zero", "request"), ("request_id_range", "request"), ("states_both_zero", "request"),
    ("state_single_bit", "request"), ("state_known", "request"), ("next_state_single_bit", "request"),
    ("next_state_known", "request"), ("buffer_length", "request"), ("ack_documented", "reply"),
    ("request_id_echo", "reply"),
]
# Where a mutation lands, as (name, start, end) byte ranges of a ClientRequest
# request PDU: 24-byte DCE/RPC header, then the stub (20-byte context handle,
# max_count, offset, actual_count, the 60-byte buffer, lNeededSize, plUsedSize).
REQUEST_REGIONS = [("dcerpc header", 0, 24), ("ndr header", 44, 56), ("tapi buffer", 56, 116),
                   ("ndr sizes", 116, 124)]
RESPONSE_REGIONS = [("dcerpc header", 0, 24), ("ndr header", 24, 36), ("tapi buffer", 36, 96),
                    ("ndr sizes", 96, 100)]


@dataclass(frozen=True)
class Label:
    frame: int
    direction: str  # request | reply
    kind: str  # valid | invalid | mutate
    detail: str  # the rule broken, or the mutation made

    def as_dict(self) -> dict:
        return asdict(self)


class _Crafter:
    def __init__(self, rng: random.Random, lines: tuple[int, ...] | None = None) -> None:
        self.rng = rng
        self.lines = lines  # hLine values to use (a server's lines); None: any
        self.next_id = 0x100

    def valid_request(self) -> SetAgentSessionState:
        r = self.rng
        state = r.choice([0, *STATES])
        nxt = r.choice(STATES) if state == 0 else r.choice([0, *STATES])
        return SetAgentSessionState(
            dwRequestID=r.choice([0, r.randrange(1, 0x80000000)]),
            hLine=r.choice(self.lines) if self.lines else r.randrange(1 << 32),
            hAgentSession=r.randrange(1 << 32), dwAgentSessionState=state, dwNextAgentSessionState=nxt,
            **{f"Reserved{i}": r.randrange(1 << 32) for i in range(2, 10)},
        )

    def valid_ack(self, req: SetAgentSessionState) -> int:
        if self.rng.random() < 0.25:
            return self.rng.choice(DOCUMENTED_ERRORS)
        if req.dwRequestID:
            return req.dwRequestID
        self.next_id += 1
        return self.next_id

    def broken(self, rule: str) -> tuple[bytes, int]:
        """A request buffer and an ack with ``rule`` broken."""
        r = self.rng
        req = self.valid_request()
        ack = None
        if rule == "reserved1_zero":
            req.Reserved1 = r.randrange(1, 1 << 32)
        elif rule == "request_id_range":
            req.dwRequestID = r.randrange(0x80000000, 1 << 32)
            ack = 0x80000032
        elif rule == "states_both_zero":
            req.dwAgentSessionState = req.dwNextAgentSessionState = 0
            ack = 0x8000005A
        elif rule in ("state_single_bit", "next_state_single_bit"):
            value = r.choice(STATES) | r.choice([s for s in STATES if s != STATES[0]]) | 1
            setattr(req, "dwAgentSessionState" if rule == "state_single_bit" else "dwNextAgentSessionState", value)
            ack = 0x8000005A
        elif rule in ("state_known", "next_state_known"):
            value = 1 << r.randrange(6, 32)
            setattr(req, "dwAgentSessionState" if rule == "state_known" else "dwNextAgentSessionState", value)
            ack = 0x8000005A
        elif rule == "buffer_length":
            return bytes(req)[: r.randrange(4, TAPI32_MSG_SIZE)], 0x80000032
        elif rule == "ack_documented":
            ack = LINEERR_NODRIVER
        elif rule == "request_id_echo":
            req.dwRequestID = r.randrange(1, 0x7FFFFFFF)
            ack = req.dwRequestID + 1
            if ack == 0xF101:  # TAPIERR_INVALRPCCONTEXT is an error, not a wrong id
                ack += 1
        return bytes(req), self.valid_ack(req) if ack is None else ack


def _reply(buf: bytes, ack: int) -> bytes:
    return struct.pack("<I", ack) + buf[4:]


def _mutate(pdu: bytes, regions, rng: random.Random, keep_framing: bool = False) -> tuple[bytes, str]:
    if keep_framing:  # in place, and never the DCE/RPC header: every PDU stays a PDU
        regions = [r for r in regions if r[0] != "dcerpc header"]
    name, start, end = rng.choice(regions)
    end = min(end, len(pdu))
    data = bytearray(pdu)
    op = rng.choice(["flip", "byte", "word"] if keep_framing else ["flip", "byte", "word", "truncate", "extend"])
    if op == "flip":
        pos = rng.randrange(start, end)
        data[pos] ^= 1 << rng.randrange(8)
        what = f"bit flip at {pos}"
    elif op == "byte":
        pos = rng.randrange(start, end)
        data[pos] = rng.choice([0x00, 0xFF, 0x7F, 0x80, rng.randrange(256)])
        what = f"byte {data[pos]:#04x} at {pos}"
    elif op == "word":
        pos = rng.randrange(start, max(start + 1, end - 3))
        word = rng.choice([0, 0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, len(pdu), len(pdu) + 1, rng.randrange(1 << 32)])
        data[pos: pos + 4] = struct.pack("<I", word)
        what = f"word {word:#x} at {pos}"
    elif op == "truncate":
        cut = rng.randrange(start, end)
        del data[cut:]
        what = f"truncated at {cut}"
    else:
        data += bytes(rng.randrange(256) for _ in range(rng.randrange(1, 64)))
        what = "garbage appended"
    return bytes(data), f"{name}: {what}"


def client_port(conn: int) -> int:
    """The client port of connection ``conn``: in the dynamic range (RFC 6335), where
    Wireshark registers no dissector by port. (From 10000 up, connection 288 got
    10288, BEEP's port, and Wireshark showed its tapsrv calls as BEEP.)"""
    port = 49152 + conn % 16000
    return port + 1 if port == SERVER_PORT else port


def generate(path: str, count: int, seed: int = 0, mode: str = "valid", progress: bool = False,
             keep_framing: bool = False) -> list[Label]:
    """Write ``count`` exchanges; ``keep_framing`` (mutate) damages NDR and TAPI
    bytes in place only, so both dissectors still find every message."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}; use one of {', '.join(MODES)}")
    rng = random.Random(f"{seed}:{mode}")
    crafter = _Crafter(rng)
    pdus = PduTemplates()
    labels: list[Label] = []
    attach = (bytes(ClientAttach_Request(lProcessID=4242, pszDomainUser="EXAMPLE\\agent", pszMachine="FUZZ")),
              bytes(ClientAttach_Response(pphContext=context_handle())))
    detach = (bytes(ClientDetach_Request(pphContext=context_handle())), bytes(ClientDetach_Response()))
    done = 0
    with PcapOut(path) as out:
        conn = 0
        while done < count:
            conn += 1
            c = TcpConversation(out, client_port(conn), SERVER_PORT)
            c.open()
            c.send(True, PSH_ACK, bind_pdu(1))
            c.send(False, PSH_ACK, bind_ack_pdu(1, SERVER_PORT))
            c.send(True, PSH_ACK, request_pdus(2, OPNUM_CLIENT_ATTACH, attach[0])[0])
            c.send(False, PSH_ACK, response_pdus(2, attach[1])[0])
            call = 3
            per_connection = CALLS_PER_MUTATED_CONNECTION if mode == "mutate" else CALLS_PER_CONNECTION
            for _ in range(min(per_connection, count - done)):
                _exchange(c, call, mode, crafter, pdus, rng, labels, keep_framing)
                call += 1
                done += 1
                if progress and done % 1000 == 0:
                    print(f"\r{done}/{count} exchanges", end="", file=sys.stderr, flush=True)
            c.send(True, PSH_ACK, request_pdus(call, OPNUM_CLIENT_DETACH, detach[0])[0])
            c.send(False, PSH_ACK, response_pdus(call, detach[1])[0])
            c.close()
    if progress:
        print(f"\r{done}/{count} exchanges", file=sys.stderr)
    return labels


def _exchange(c: TcpConversation, call: int, mode: str, crafter: _Crafter, pdus: PduTemplates, rng: random.Random,
              labels: list, keep_framing: bool) -> None:
    if mode == "invalid":
        rule, side = BREAKABLE[len(labels) % len(BREAKABLE)]
        req, ack = crafter.broken(rule)
    else:
        packet = crafter.valid_request()
        req, ack = bytes(packet), crafter.valid_ack(packet)
    req_pdu = pdus.request_pdu(call, req)
    rsp_pdu = pdus.response_pdu(call, _reply(req, ack))
    if mode == "mutate":
        if rng.random() < 0.5:
            req_pdu, what = _mutate(req_pdu, REQUEST_REGIONS, rng, keep_framing)
            side = "request"
        else:
            rsp_pdu, what = _mutate(rsp_pdu, RESPONSE_REGIONS, rng, keep_framing)
            side = "reply"
    req_frame = c.send(True, PSH_ACK, req_pdu)
    rsp_frame = c.send(False, PSH_ACK, rsp_pdu)
    frame = req_frame if (mode == "valid" or side == "request") else rsp_frame
    if mode == "valid":
        labels.append(Label(req_frame, "request", "valid", ""))
    elif mode == "invalid":
        labels.append(Label(frame, side, "invalid", rule))
    else:
        labels.append(Label(frame, side, "mutate", what))
