"""TCP streams: order restored, retransmissions and overlaps trimmed."""

from scapy_layers.traffic.frames import TCP_FIN, TCP_SYN, TcpSegment
from scapy_layers.traffic.tcp_reassembly import TcpStream

A, B = ("10.0.0.1", 1000), ("10.0.0.2", 135)


def seg(seq, payload=b"", flags=0x18, frame=1):
    return TcpSegment(frame, A, B, seq, flags, payload)


def test_out_of_order_segments_come_out_in_order():
    s = TcpStream()
    assert s.feed(seg(99, flags=TCP_SYN)) == b""
    assert s.feed(seg(104, b"world")) == b""
    assert s.feed(seg(100, b"hell")) == b"hellworld"


def test_retransmission_and_overlap_are_trimmed():
    s = TcpStream()
    s.feed(seg(0, flags=TCP_SYN))
    assert s.feed(seg(1, b"abcd")) == b"abcd"
    assert s.feed(seg(1, b"abcd")) == b""
    assert s.feed(seg(3, b"cdef")) == b"ef"


def test_sequence_numbers_wrap():
    s = TcpStream()
    s.feed(seg(0xFFFFFFFE, flags=TCP_SYN))
    assert s.feed(seg(0xFFFFFFFF, b"ab")) == b"ab"
    assert s.feed(seg(1, b"cd")) == b"cd"


def test_capture_starting_mid_connection_and_fin():
    s = TcpStream()
    assert s.feed(seg(5000, b"xy")) == b"xy"
    s.feed(seg(5002, flags=TCP_FIN))
    assert s.closed
