"""Frames of a capture file, decoded down to TCP segments.

scapy's own dissection of Ethernet/IP/TCP would work, but builds a Packet per
frame and then guesses payloads (SMB2 on 445, DCE/RPC on 135) that the stream
layer re-parses anyway; plain struct decoding of the few headers we need is an
order of magnitude faster and is all the reassembly needs.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Iterator

from scapy.config import conf
from scapy.packet import Packet

from .capfile import read_records

# pcap link-layer types we can reach TCP through.
DLT_NULL = 0
DLT_EN10MB = 1
DLT_RAW = 101
DLT_RAW_ALT = 12
DLT_LOOP = 108
DLT_LINUX_SLL = 113
DLT_IPV4 = 228
DLT_IPV6 = 229
DLT_LINUX_SLL2 = 276

ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
ETH_VLAN = (0x8100, 0x88A8, 0x9100)

TCP_FIN = 0x01
TCP_SYN = 0x02
TCP_RST = 0x04


@dataclass(frozen=True)
class Frame:
    number: int  # 1-based, as Wireshark counts
    time: float
    data: bytes
    linktype: int
    end: int = 0  # byte offset just after the frame's record in its file


@dataclass(frozen=True)
class TcpSegment:
    frame: int
    src: tuple[str, int]
    dst: tuple[str, int]
    seq: int
    flags: int
    payload: bytes


def read_frames(path: str) -> Iterator[Frame]:
    """Every frame of a pcap or pcapng file, in file order (CaptureFileError on a bad file)."""
    for number, (time, data, linktype, end) in enumerate(read_records(path), start=1):
        yield Frame(number, time, data, linktype, end)


def scapy_frames(path: str) -> Iterator[tuple[int, Packet]]:
    """Every frame dissected by scapy from its link type, numbered from 1, as
    scapy's own PcapReader does; a frame scapy's dissection fails on comes
    back as Raw (damage is data, not an error). A frame whose layers scapy
    reads whole but whose post-dissection hooks raise (TLS's post_dissection
    registers keys: too short a DH prime raises) comes back as read: the
    hooks keep session state and change nothing of what the bytes say."""
    for frame in read_frames(path):
        cls = conf.l2types.num2layer.get(frame.linktype, conf.raw_layer)
        try:
            pkt = cls(frame.data)
        except Exception:  # scapy's own layers on damaged bytes
            try:
                pkt = cls(frame.data, _internal=1)  # dissected, its post_dissection hooks not run
            except Exception:
                pkt = conf.raw_layer(frame.data)
        pkt.time = frame.time
        yield frame.number, pkt


def _network_layer(frame: Frame) -> tuple[int, bytes] | None:
    """(ethertype, network-layer bytes) of a frame, or None if not IP."""
    d, lt = frame.data, frame.linktype
    if lt == DLT_EN10MB:
        if len(d) < 14:
            return None
        etype, off = struct.unpack_from("!H", d, 12)[0], 14
        while etype in ETH_VLAN and len(d) >= off + 4:
            etype, off = struct.unpack_from("!H", d, off + 2)[0], off + 4
        return etype, d[off:]
    if lt == DLT_LINUX_SLL:
        return (struct.unpack_from("!H", d, 14)[0], d[16:]) if len(d) >= 16 else None
    if lt == DLT_LINUX_SLL2:
        return (struct.unpack_from("!H", d, 0)[0], d[20:]) if len(d) >= 20 else None
    if lt in (DLT_NULL, DLT_LOOP):
        if len(d) <= 4:
            return None
        return (ETH_IPV6 if d[4] >> 4 == 6 else ETH_IPV4), d[4:]
    if lt in (DLT_RAW, DLT_RAW_ALT, DLT_IPV4, DLT_IPV6):
        if not d:
            return None
        return (ETH_IPV6 if (d[0] >> 4) == 6 else ETH_IPV4), d
    return None


def tcp_segment(frame: Frame) -> TcpSegment | None:
    """The TCP segment a frame carries, or None (not TCP, fragment, too short)."""
    net = _network_layer(frame)
    if net is None:
        return None
    etype, ip = net
    if etype == ETH_IPV4:
        if len(ip) < 20 or ip[0] >> 4 != 4:
            return None
        ihl = (ip[0] & 0x0F) * 4
        total = struct.unpack_from("!H", ip, 2)[0]
        frag = struct.unpack_from("!H", ip, 6)[0]
        if ip[9] != 6 or frag & 0x3FFF or ihl < 20:
            return None
        src, dst = _ipv4(ip[12:16]), _ipv4(ip[16:20])
        tcp = ip[ihl: total] if total >= ihl else ip[ihl:]
    elif etype == ETH_IPV6:
        if len(ip) < 40 or ip[6] != 6:
            return None
        plen = struct.unpack_from("!H", ip, 4)[0]
        src, dst = _ipv6(ip[8:24]), _ipv6(ip[24:40])
        tcp = ip[40: 40 + plen]
    else:
        return None
    if len(tcp) < 20:
        return None
    sport, dport, seq = struct.unpack_from("!HHI", tcp, 0)
    doff = (tcp[12] >> 4) * 4
    if doff < 20:
        return None
    return TcpSegment(frame.number, (src, sport), (dst, dport), seq, tcp[13], tcp[doff:])


def _ipv4(b: bytes) -> str:
    return "%d.%d.%d.%d" % tuple(b)


def _ipv6(b: bytes) -> str:
    import ipaddress

    return str(ipaddress.IPv6Address(b))
