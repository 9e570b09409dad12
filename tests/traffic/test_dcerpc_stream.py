"""DCE/RPC PDU framing over a byte stream."""

import struct

from scapy_layers.traffic.dcerpc_stream import PduFramer


def pdu(body=b"", call_id=1):
    frag_len = 16 + len(body)
    return bytes([5, 0, 0, 3, 0x10, 0, 0, 0]) + struct.pack("<HHI", frag_len, 0, call_id) + body


def test_pdu_split_over_chunks_and_two_in_one():
    f = PduFramer()
    one, two = pdu(b"a" * 10, 1), pdu(b"b" * 3, 2)
    assert f.feed(one[:7]) == []
    assert f.feed(one[7:] + two) == [one, two]


def test_garbage_resynchronises_at_the_next_chunk():
    f = PduFramer()
    bad = bytearray(pdu(b"x"))
    bad[8:10] = struct.pack("<H", 4)  # frag_len shorter than the header
    assert f.feed(bytes(bad)) == []
    assert f.resyncs == 1
    assert f.feed(pdu(b"ok")) == [pdu(b"ok")]


def test_a_chunk_that_does_not_start_a_pdu_is_ignored():
    f = PduFramer()
    assert f.feed(b"\x00" * 40) == []
    assert f.feed(pdu()) == [pdu()]
