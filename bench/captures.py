"""Large benchmark captures, built deterministically and fast.

The DCE/RPC payloads are made by the project's own crafting code
(``scapy_layers.craft``), once per message variant; Ethernet/IPv4/TCP/UDP
headers and the pcap records are then packed with ``struct``, because building
200,000 frames as scapy packets would take minutes.
"""

from __future__ import annotations

import random
import struct

from scapy_layers.craft import bind_ack_pdu, bind_pdu, client_request_stub, client_response_stub, reply_for, \
    request_pdus, response_pdus
from scapy_layers.mstrp import (
    LINEAGENTSESSIONSTATE, SET_AGENT_SESSION_STATE_ERRORS, SetAgentSessionState,
)
from scapy_layers.tapsrv import OPNUM_CLIENT_REQUEST

EPOCH = 1_700_000_000
CLIENT, SERVER = bytes([192, 0, 2, 10]), bytes([192, 0, 2, 20])
MAC_C, MAC_S = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")
EXCHANGES_PER_CONNECTION = 500
SERVER_PORT = 49710
UDP_PORT = 40100


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def _ipv4(src: bytes, dst: bytes, proto: int, payload: bytes, ident: int) -> bytes:
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, 0x4000, 128, proto, 0,
                         src, dst)
    return header[:10] + struct.pack("!H", _checksum(header)) + header[12:] + payload


def _tcp(src, dst, sport, dport, seq, ack, flags, payload) -> bytes:
    header = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 8192, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(header) + len(payload))
    csum = _checksum(pseudo + header + payload)
    return header[:16] + struct.pack("!H", csum) + header[18:] + payload


def _udp(src, dst, sport, dport, payload) -> bytes:
    header = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, len(header) + len(payload))
    return header[:6] + struct.pack("!H", _checksum(pseudo + header + payload) or 0xFFFF) + payload


class PcapOut:
    def __init__(self, path: str) -> None:
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.count = 0

    def frame(self, eth_payload: bytes, from_client: bool) -> None:
        src, dst = (MAC_C, MAC_S) if from_client else (MAC_S, MAC_C)
        data = dst + src + b"\x08\x00" + eth_payload
        t = self.count  # one frame per millisecond
        self.f.write(struct.pack("<IIII", EPOCH + t // 1000, (t % 1000) * 1000, len(data), len(data)) + data)
        self.count += 1

    def close(self) -> None:
        self.f.close()


def _with_call_id(pdu: bytes, call_id: int) -> bytes:
    """The same PDU with another call id (offset 12, little-endian drep)."""
    return pdu[:12] + struct.pack("<I", call_id) + pdu[16:]


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
    # PDUs built once per variant by the crafting code; only the call id varies.
    pdus = [(request_pdus(0, OPNUM_CLIENT_REQUEST, client_request_stub(req))[0],
             response_pdus(0, client_response_stub(rep))[0]) for req, rep in _variants(rng)]
    out = PcapOut(path)
    conn = 0
    while out.count < frames:
        conn += 1
        sport = 10000 + conn % 50000
        seq = {True: 1000, False: 5000}
        ident = 0

        def send(from_client, flags, payload=b""):
            nonlocal ident
            ident += 1
            s, d = (CLIENT, SERVER) if from_client else (SERVER, CLIENT)
            sp, dp = (sport, SERVER_PORT) if from_client else (SERVER_PORT, sport)
            out.frame(_ipv4(s, d, 6, _tcp(s, d, sp, dp, seq[from_client], seq[not from_client], flags, payload),
                            ident), from_client)
            seq[from_client] = (seq[from_client] + len(payload) + (1 if flags & 0x03 else 0)) % (1 << 32)

        send(True, 0x02)
        send(False, 0x12)
        send(True, 0x10)
        send(True, 0x18, bind_pdu(1))
        send(False, 0x18, bind_ack_pdu(1, SERVER_PORT))
        for call in range(2, 2 + EXCHANGES_PER_CONNECTION):
            if out.count + 2 > frames - 3:
                break
            req, rep = pdus[rng.randrange(len(pdus))]
            send(True, 0x18, _with_call_id(req, call))
            send(False, 0x18, _with_call_id(rep, call))
        send(True, 0x11)
        send(False, 0x11)
        send(True, 0x10)
    out.close()
    return out.count


def udp_capture(path: str, frames: int, seed: int = 2) -> int:
    """Raw TAPI request buffers, one per UDP datagram."""
    rng = random.Random(seed)
    variants = _variants(rng)
    out = PcapOut(path)
    for i in range(frames):
        req, _ = variants[rng.randrange(len(variants))]
        out.frame(_ipv4(CLIENT, SERVER, 17, _udp(CLIENT, SERVER, 50000, UDP_PORT, req), i), True)
    out.close()
    return out.count


def buffers(n: int, seed: int = 3) -> list[bytes]:
    rng = random.Random(seed)
    variants = _variants(rng)
    return [variants[rng.randrange(len(variants))][0] for _ in range(n)]
