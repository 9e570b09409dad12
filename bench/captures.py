"""Large benchmark captures, built deterministically and fast.

The DCE/RPC payloads are made by the project's own crafting code
(``scapy_layers.mstrp.craft``), once per message variant; Ethernet/IPv4/TCP/UDP
headers and the pcap records are then packed with ``struct``, because building
200,000 frames as scapy packets would take minutes.
"""

from __future__ import annotations

import random

from scapy_layers.traffic.rawpcap import CLIENT_IP, SERVER_IP, PcapOut, TcpConversation, ipv4, udp
from scapy_layers.mstrp.craft import PduTemplates, bind_ack_pdu, bind_pdu, reply_for
from scapy_layers.mstrp.fuzz import client_port
from scapy_layers.mstrp import (
    LINEAGENTSESSIONSTATE, SET_AGENT_SESSION_STATE_ERRORS, SetAgentSessionState,
)

EXCHANGES_PER_CONNECTION = 500
SERVER_PORT = 49710
UDP_PORT = 40100


def _variants(rng: random.Random, n: int = 64) -> list[tuple[bytes, bytes]]:
    """(request TAPI buffer, reply TAPI buffer) pairs: mixed states, ids and errors."""
    states = [0, *sorted(LINEAGENTSESSIONSTATE), 3]
    errors = sorted(SET_AGENT_SESSION_STATE_ERRORS) + [0x80000043]
    out = []
    for i in range(n):
        req = SetAgentSessionState(dwRequestID=rng.choice([0, i + 1]), hLine=0x10000 + rng.randrange(16),
                                   hAgentSession=rng.randrange(1 << 32), dwAgentSessionState=rng.choice(states),
                                   dwNextAgentSessionState=rng.choice(states))
        ack = rng.choice(errors) if i % 3 == 0 else req.dwRequestID or 0x1000 + i
        out.append((bytes(req), bytes(reply_for(req, ack))))
    return out


def dcerpc_capture(path: str, frames: int, seed: int = 1) -> int:
    """tapsrv ClientRequest traffic over TCP: connections of 500 calls each."""
    rng = random.Random(seed)
    variants = _variants(rng)
    templates = PduTemplates()
    out = PcapOut(path)
    conn = 0
    while out.count < frames:
        conn += 1
        c = TcpConversation(out, client_port(conn), SERVER_PORT)
        c.open()
        c.send(True, 0x18, bind_pdu(1))
        c.send(False, 0x18, bind_ack_pdu(1, SERVER_PORT))
        for call in range(2, 2 + EXCHANGES_PER_CONNECTION):
            if out.count + 2 > frames - 3:
                break
            req, rep = variants[rng.randrange(len(variants))]
            c.send(True, 0x18, templates.request_pdu(call, req))
            c.send(False, 0x18, templates.response_pdu(call, rep))
        c.close()
    out.close()
    return out.count


def udp_capture(path: str, frames: int, seed: int = 2) -> int:
    """Raw TAPI request buffers, one per UDP datagram."""
    rng = random.Random(seed)
    variants = _variants(rng)
    out = PcapOut(path)
    for i in range(frames):
        req, _ = variants[rng.randrange(len(variants))]
        out.frame(ipv4(CLIENT_IP, SERVER_IP, 17, udp(CLIENT_IP, SERVER_IP, 50000, UDP_PORT, req), i), True)
    out.close()
    return out.count


def buffers(n: int, seed: int = 3) -> list[bytes]:
    rng = random.Random(seed)
    variants = _variants(rng)
    return [variants[rng.randrange(len(variants))][0] for _ in range(n)]
