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


def test_a_gap_never_filled_is_given_up_after_enough_later_segments():
    from scapy_layers.traffic.tcp_reassembly import GAP_PATIENCE_SEGMENTS

    s = TcpStream()
    s.feed(seg(0, flags=TCP_SYN))
    assert s.feed(seg(1, b"a" * 10)) == b"a" * 10
    # bytes 11..20 are lost; what follows waits, then is delivered without them
    out = b"".join(s.feed(seg(21 + 10 * k, bytes([65 + k]) * 10)) for k in range(GAP_PATIENCE_SEGMENTS + 1))
    assert out == b"".join(bytes([65 + k]) * 10 for k in range(GAP_PATIENCE_SEGMENTS + 1))
    assert s.gaps_skipped == 1 and s.problems == ["TCP gap of 10 bytes never filled; skipped"]


def test_a_segment_far_ahead_does_not_take_the_stream_with_it():
    """A damaged sequence number must not make the rest of the connection look old."""
    s = TcpStream()
    s.feed(seg(0, flags=TCP_SYN))
    s.feed(seg(1, b"x"))
    assert s.feed(seg(1 + (1 << 20), b"bogus")) == b""
    assert s.feed(seg(2, b"yz")) == b"yz"
    assert s.feed(seg(4, b"w")) == b"w"


def test_the_gap_is_given_up_at_the_fin():
    s = TcpStream()
    s.feed(seg(0, flags=TCP_SYN))
    s.feed(seg(1, b"ab"))
    assert s.feed(seg(5, b"ef")) == b""
    assert s.feed(seg(7, flags=TCP_FIN | 0x10)) == b"ef"
    assert s.problems == ["TCP gap of 2 bytes never filled; skipped"]
