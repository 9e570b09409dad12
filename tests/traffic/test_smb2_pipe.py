"""SMB2 pipes: damaged NetBIOS framing and SMB2 headers are skipped, reported, and
reading goes on."""

import struct

from scapy_layers.traffic.smb2_pipe import FSCTL_PIPE_TRANSCEIVE, SMB2_IOCTL, Smb2PipeDemux

FILE_ID = bytes(range(16))


def smb2(command, body, response=False, next_command=0, message_id=1, status=0):
    header = b"\xfeSMB" + struct.pack("<HHIHHIIQIIQ16s", 64, 0, status, command, 1, int(response), next_command,
                                      message_id, 0, 0, 0, b"\0" * 16)
    return header + body


def transceive(data, response=False):
    off = 64 + 56
    if response:
        body = struct.pack("<HHI16sIIIIIIII", 49, 0, FSCTL_PIPE_TRANSCEIVE, FILE_ID, 0, 0, off, len(data), 0, 0, 0, 0)
    else:
        body = struct.pack("<HHI16sIIIIIIII", 57, 0, FSCTL_PIPE_TRANSCEIVE, FILE_ID, off, len(data), 0, 0, 0, 0, 0, 0)
    return smb2(SMB2_IOCTL, body + data, response)


def nbt(msg, length=None):
    return b"\x00" + (len(msg) if length is None else length).to_bytes(3, "big") + msg


def test_transceive_both_ways():
    d = Smb2PipeDemux()
    (out,) = d.feed(nbt(transceive(b"request")), "c")
    assert (out.to_server, out.data, out.file_id) == (True, b"request", FILE_ID)
    (back,) = d.feed(nbt(transceive(b"reply", response=True)), "s")
    assert (back.to_server, back.data) == (False, b"reply")
    assert d.problems == []


def test_header_cut_short_is_skipped():
    d = Smb2PipeDemux()
    assert d.feed(nbt(transceive(b"x")[:40]), "c") == []
    assert d.problems == ["SMB2 message of 40 bytes is shorter than its 64-byte header; skipped"]
    assert [p.data for p in d.feed(nbt(transceive(b"next")), "c")] == [b"next"]


def test_next_command_inside_the_header_is_not_followed():
    d = Smb2PipeDemux()
    chained = smb2(SMB2_IOCTL, b"", next_command=8) + transceive(b"lost")
    assert d.feed(nbt(chained), "c") == []
    assert d.problems[-1].startswith("SMB2 NextCommand 8 is shorter than the 64-byte header")


def test_body_too_short_for_its_fields():
    d = Smb2PipeDemux()
    assert d.feed(nbt(smb2(SMB2_IOCTL, b"\x39\x00\x00\x00")), "c") == []
    assert d.problems == ["SMB2 command 0x000b (68 bytes) too short for its fields"]


def test_netbios_length_overrunning_the_next_message_is_resynchronised():
    d = Smb2PipeDemux()
    first = transceive(b"first")
    assert d.feed(nbt(first, len(first) + 1000), "c") == []
    assert [p.data for p in d.feed(nbt(transceive(b"second")), "c")] == [b"second"]
    assert d.problems == [f"NetBIOS length {len(first) + 1000} overruns the next SMB2 message; "
                          f"{4 + len(first)} buffered bytes dropped"]


def test_netbios_length_ending_mid_message_drops_the_rest_of_the_chunk():
    d = Smb2PipeDemux()
    first = transceive(b"first")
    assert [p.data for p in d.feed(nbt(first[:80], 80) + first[80:], "c")] == []
    assert d.problems[-1].startswith("no SMB2 message where the NetBIOS framing puts one")
    assert [p.data for p in d.feed(nbt(transceive(b"again")), "c")] == [b"again"]
