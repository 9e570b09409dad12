"""Damaged captures are data: the scapy side never raises, reports what it skipped,
and keeps reading; the Lua never raises a Lua error (strict mode) on any of it.

Three kinds of damage have a sample capture each (built by pcaps/build_pcaps.py);
random damage to every layer's bytes is a property test; editcap corrupts every
sample at several rates, with and without its headers, through both sides.
"""

import struct
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import PCAPS, REPO, pcap
from scapy_layers.mstrp.capture import TapiReader, read_tapi
from scapy_layers.mstrp.tapsrv import buffer_bytes
from scapy_layers.traffic.frames import read_frames

SAMPLES = sorted(p.name for p in PCAPS.glob("*.pcap*"))
# samples whose TAPI buffers are split over TCP segments
SPLIT_OVER_SEGMENTS = ("tcp_segmented_pdu.pcap", "tcp_short_first_segment.pcap", "damaged_tcp_order.pcap")


def _rows(recs):
    return [(r.frame, r.direction, type(r.packet).__name__) for r in recs]


# --- the three damage samples


def test_smb2_header_cut_short_is_skipped_and_reported():
    recs = read_tapi(pcap("damaged_smb2_header.pcap"))
    # the second request's SMB2 message is gone; its reply has no request to belong to
    assert _rows(recs) == [(14, "request", "SetAgentSessionState"), (15, "reply", "SetAgentSessionStateReply"),
                           (18, "request", "SetAgentSessionState"), (19, "reply", "SetAgentSessionStateReply")]
    assert [r.packet.dwRequestID for r in recs if r.direction == "request"] == [1, 3]
    assert [(p.frame, p.text) for p in recs.problems] == [
        (16, "SMB2 message of 40 bytes is shorter than its 64-byte header; skipped")]


def test_netbios_length_that_lies_is_resynchronised_at_the_next_message():
    recs = read_tapi(pcap("damaged_netbios_length.pcap"))
    assert _rows(recs) == [(14, "request", "SetAgentSessionState"), (15, "reply", "SetAgentSessionStateReply"),
                           (18, "request", "SetAgentSessionState"), (19, "reply", "SetAgentSessionStateReply")]
    assert [(p.frame, p.text) for p in recs.problems] == [
        (18, "NetBIOS length 1244 overruns the next SMB2 message; 248 buffered bytes dropped")]


def test_tcp_reordered_overlapping_and_lost_segments():
    recs = read_tapi(pcap("damaged_tcp_order.pcap"))
    # swapped and overlapping segments are put back in order; the last reply lost a
    # segment, and the gap is given up when the server's FIN arrives
    assert _rows(recs) == [(17, "request", "SetAgentSessionState"), (20, "reply", "SetAgentSessionStateReply"),
                           (24, "request", "SetAgentSessionState"), (27, "reply", "SetAgentSessionStateReply"),
                           (31, "request", "SetAgentSessionState")]
    assert [r.packet.dwRequestID for r in recs if r.direction == "request"] == [1, 0, 3]
    assert [(p.frame, p.text) for p in recs.problems] == [(39, "TCP gap of 40 bytes never filled; skipped")]


def test_show_prints_problems_in_frame_order():
    proc = subprocess.run([sys.executable, "-m", "generator.cli", "show", "--json", pcap("damaged_smb2_header.pcap")],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    import json
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [(x["frame"], x["packet"]) for x in lines] == [
        (14, "SetAgentSessionState"), (15, "SetAgentSessionStateReply"), (16, None),
        (18, "SetAgentSessionState"), (19, "SetAgentSessionStateReply")]
    assert lines[2]["problems"] == ["SMB2 message of 40 bytes is shorter than its 64-byte header; skipped"]


# --- bad files: exit 2 and one line, after whatever could be shown


def _cut(tmp_path, name, size):
    out = tmp_path / f"cut-{name}"
    out.write_bytes((PCAPS / name).read_bytes()[:size])
    return str(out)


@pytest.mark.parametrize("command", ["show", "check"])
def test_bad_files_exit_2_with_one_line(tmp_path, command):
    not_capture = tmp_path / "notes.pcap"
    not_capture.write_text("hello, not a capture\n")
    empty = tmp_path / "empty.pcap"
    empty.write_bytes(b"")
    cases = {
        str(not_capture): "not a pcap or pcapng file (starts with 68656c6c)",
        str(empty): "empty file",
        _cut(tmp_path, "tcp_conversation.pcap", 700): "cut short in the middle of record 7 (byte 700)",
        _cut(tmp_path, "tcp_conversation.pcapng", 500): "cut short in the middle of the block at byte 472 (byte 500)",
    }
    for path, reason in cases.items():
        proc = subprocess.run([sys.executable, "-m", "generator.cli", command, path], cwd=REPO,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 2, (path, proc.stdout, proc.stderr)
        assert proc.stderr.splitlines() == [f"dissectgen {command}: {path}: {reason}"]


def test_a_capture_cut_short_still_shows_what_came_before(tmp_path):
    path = _cut(tmp_path, "tcp_conversation.pcap", 1800)
    proc = subprocess.run([sys.executable, "-m", "generator.cli", "show", path], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stdout.count("SetAgentSessionState") >= 4 and "cut short" in proc.stderr


# --- random damage to every layer's bytes (hypothesis)

LAYERS = ("link", "ip", "tcp", "netbios", "smb2", "dcerpc", "ndr", "tapi")


def _regions(data: bytes) -> dict[str, tuple[int, int]]:
    """Where each layer's bytes sit in an Ethernet/IPv4/TCP frame of the samples
    (as far as the frame, maybe already damaged, still holds them)."""
    found = _layers(data)
    return {k: (a, min(b, len(data))) for k, (a, b) in found.items() if a < min(b, len(data))}


def _layers(data: bytes) -> dict[str, tuple[int, int]]:
    out = {"link": (0, 14)}
    ip = 14
    if len(data) < ip + 20:
        return out
    ihl = (data[ip] & 0x0F) * 4
    out["ip"] = (ip, ip + ihl)
    tcp = ip + ihl
    if len(data) < tcp + 20:
        return out
    payload = tcp + (data[tcp + 12] >> 4) * 4
    out["tcp"] = (tcp, payload)
    dce = payload
    if data[payload: payload + 1] == b"\x00" and data[payload + 4: payload + 8] == b"\xfeSMB":
        out["netbios"] = (payload, payload + 4)
        out["smb2"] = (payload + 4, payload + 68)
        dce = data.find(b"\x05\x00", payload + 68)
    if dce < 0 or data[dce: dce + 2] != b"\x05\x00" or len(data) < dce + 24:
        return out
    out["dcerpc"] = (dce, dce + 24)
    ptype = data[dce + 2]
    ndr_len = 32 if ptype == 0 else 12  # request: context handle + array header; response: array header
    out["ndr"] = (dce + 24, min(dce + 24 + ndr_len, len(data)))
    if len(data) > dce + 24 + ndr_len:
        out["tapi"] = (dce + 24 + ndr_len, len(data))
    return out


FRAMES = {name: [f.data for f in read_frames(pcap(name))] for name in SAMPLES}


@st.composite
def damaged_capture(draw):
    name = draw(st.sampled_from(SAMPLES))
    frames = list(FRAMES[name])
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(frames) - 1))
        data = bytearray(frames[i])
        regions = _regions(bytes(data))
        if not regions:
            continue  # an earlier cut left nothing of this frame
        layer = draw(st.sampled_from([l for l in LAYERS if l in regions]))
        start, end = regions[layer]
        at = draw(st.integers(start, end - 1))
        kind = draw(st.sampled_from(["flip", "flip", "truncate", "insert"]))
        if kind == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "truncate":
            del data[at:]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=8))
        frames[i] = bytes(data)
    return name, frames


def _write(path, frames):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for n, data in enumerate(frames):
            f.write(struct.pack("<IIII", 1_700_000_000, n, len(data), len(data)) + data)


@settings(max_examples=1500, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(damaged_capture())
def test_random_damage_never_raises_and_every_message_is_its_bytes(tmp_path_factory, case):
    name, frames = case
    path = str(tmp_path_factory.mktemp("damage") / name.replace(".pcapng", ".pcap"))
    _write(path, frames)
    reader = TapiReader("tapsrv" if name == "no_bind.pcap" else None)
    recs = list(reader.read(path))
    assert not [p for p in reader.problems if "reader error" in p.text]  # an unforeseen path: a bug
    capture = b"".join(frames)
    for rec in recs:
        assert 1 <= rec.frame <= len(frames)
        carried = buffer_bytes(rec.stub.pBuffer)
        # the message is exactly the buffer its stub carried, dissected...
        assert rec.packet.original == carried and len(carried) > 0
        again = type(rec.packet)(carried, **({"request": rec.request.packet} if rec.request else {}))
        assert again.fields == rec.packet.fields
        # ...and that buffer is in the capture (contiguous unless split over segments or fragments)
        if rec.fragments == 1 and name not in SPLIT_OVER_SEGMENTS:
            assert carried in capture
        rec.violations()
        rec.packet.summary()


# --- editcap: every sample, several rates, with and without the headers kept


EDITCAP_RATES = ("0.02", "0.1")
EDITCAP_SEEDS = range(1, 6)


@pytest.fixture(scope="module")
def editcap_batches(tmp_path_factory):
    """One merged capture per (rate, kept offset): every sample damaged with every seed."""
    out = tmp_path_factory.mktemp("editcap")
    batches = {}
    for rate in EDITCAP_RATES:
        for offset in (None, "54"):  # 54: Ethernet + IPv4 + TCP headers kept
            parts = []
            for name in SAMPLES:
                for seed in EDITCAP_SEEDS:
                    part = str(out / f"{rate}-{offset}-{seed}-{name}")
                    cmd = ["editcap", "-E", rate, "--seed", str(seed)]
                    cmd += ["-o", offset] if offset else []
                    subprocess.run([*cmd, pcap(name), part], check=True, capture_output=True, timeout=60)
                    parts.append(part)
            merged = str(out / f"merged-{rate}-{offset}.pcapng")
            subprocess.run(["mergecap", "-a", "-w", merged, *parts], check=True, capture_output=True, timeout=120)
            batches[(rate, offset)] = (parts, merged)
    return batches


def test_editcap_damage_never_breaks_scapy(editcap_batches):
    read = problems = 0
    for parts, merged in editcap_batches.values():
        for part in [*parts, merged]:
            reader = TapiReader()
            read += len(list(reader.read(part)))
            problems += len(reader.problems)
            assert not [p for p in reader.problems if "reader error" in p.text], part
    # -E is a per-byte probability: most frames take a hit, yet messages in frames
    # it spared are still read, and what it broke is reported
    assert read > 200 and problems > 100


@pytest.mark.slow
def test_editcap_damage_never_breaks_the_dissector(tshark, mstrp_dissector, editcap_batches):
    for parts, merged in editcap_batches.values():
        # strict mode: a Lua error (or a crash of the plugin) stops tshark, which run() reports
        tshark.run(merged, mstrp_dissector, ["-2", "-R", "frame", "-V"], keep_stdout=False)
