"""Fast, deterministic pcap writing for large crafted captures.

The payloads come from the crafting code; only Ethernet/IPv4/TCP/UDP headers
and pcap records are packed here with ``struct`` (with correct checksums),
because building hundreds of thousands of frames as scapy packets takes
minutes. ``TcpConversation`` keeps sequence numbers consistent.
"""

from __future__ import annotations

import struct

EPOCH = 1_700_000_000
CLIENT_IP, SERVER_IP = bytes([192, 0, 2, 10]), bytes([192, 0, 2, 20])
CLIENT_MAC, SERVER_MAC = bytes.fromhex("020000000001"), bytes.fromhex("020000000002")
SYN, FIN, PSH_ACK, ACK, SYN_ACK, FIN_ACK = 0x02, 0x01, 0x18, 0x10, 0x12, 0x11


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src: bytes, dst: bytes, proto: int, payload: bytes, ident: int) -> bytes:
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, 0x4000, 128, proto, 0,
                         src, dst)
    return header[:10] + struct.pack("!H", checksum(header)) + header[12:] + payload


def tcp(src: bytes, dst: bytes, sport: int, dport: int, seq: int, ack: int, flags: int, payload: bytes) -> bytes:
    header = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 8192, 0, 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 6, len(header) + len(payload))
    return header[:16] + struct.pack("!H", checksum(pseudo + header + payload)) + header[18:] + payload


def udp(src: bytes, dst: bytes, sport: int, dport: int, payload: bytes) -> bytes:
    header = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    pseudo = src + dst + struct.pack("!BBH", 0, 17, len(header) + len(payload))
    return header[:6] + struct.pack("!H", checksum(pseudo + header + payload) or 0xFFFF) + payload


class PcapOut:
    """An Ethernet pcap; frame i is stamped EPOCH + i milliseconds."""

    def __init__(self, path: str) -> None:
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        self.count = 0

    def frame(self, ip_packet: bytes, from_client: bool) -> int:
        src, dst = (CLIENT_MAC, SERVER_MAC) if from_client else (SERVER_MAC, CLIENT_MAC)
        data = dst + src + b"\x08\x00" + ip_packet
        t = self.count
        self.f.write(struct.pack("<IIII", EPOCH + t // 1000, (t % 1000) * 1000, len(data), len(data)) + data)
        self.count += 1
        return self.count

    def close(self) -> None:
        self.f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class TcpConversation:
    """One TCP connection written into a PcapOut; returns frame numbers."""

    def __init__(self, out: PcapOut, client_port: int, server_port: int) -> None:
        self.out = out
        self.ports = (client_port, server_port)
        self.seq = {True: 1000, False: 5000}
        self.ident = 0

    def send(self, from_client: bool, flags: int, payload: bytes = b"") -> int:
        self.ident += 1
        s, d = (CLIENT_IP, SERVER_IP) if from_client else (SERVER_IP, CLIENT_IP)
        sp, dp = self.ports if from_client else self.ports[::-1]
        seg = tcp(s, d, sp, dp, self.seq[from_client], self.seq[not from_client], flags, payload)
        frame = self.out.frame(ipv4(s, d, 6, seg, self.ident), from_client)
        self.seq[from_client] = (self.seq[from_client] + len(payload) + (1 if flags & (SYN | FIN) else 0)) % (1 << 32)
        return frame

    def open(self) -> None:
        self.send(True, SYN)
        self.send(False, SYN_ACK)
        self.send(True, ACK)

    def close(self) -> None:
        self.send(True, FIN_ACK)
        self.send(False, FIN_ACK)
        self.send(True, ACK)
