"""The C plugin built with AddressSanitizer and UBSan, in the real tshark of
each generation (the ASan runtime preloaded): damaged traffic gives no
sanitizer report and no crash. Any report aborts tshark, which the runner
turns into a failure; the first test shows that it would."""

import subprocess

import pytest

from conftest import PCAPS
from generator.backends.c import build_plugin, render
from generator.check.sanitizer import proc_mounted, sanitized
from generator.check.tshark import TsharkError
from generator.frontend import load
from scapy_layers.mstrp.fuzz import generate

MUTATED_EXCHANGES = 10_000  # >= 20,000 frames
EDITCAP_SAMPLES = ["tcp_conversation.pcap", "smb2_pipe_transceive.pcap", "fragmented_stub.pcap",
                   "tcp_segmented_pdu.pcap", "tcp_short_first_segment.pcap", "two_pdus_one_segment.pcap",
                   "no_bind.pcap"]
# on the generations tests/conftest.py chooses for these markers; in one
# pytest-xdist worker, as a worker's /proc mount in a root must outlive its use
pytestmark = [pytest.mark.slow, pytest.mark.sanitizers, pytest.mark.xdist_group("sanitizers")]


@pytest.fixture(scope="module", autouse=True)
def proc_in_the_root(tshark):
    with proc_mounted(tshark.root):
        yield


@pytest.fixture(scope="module")
def asan_plugin(tshark, tmp_path_factory):
    path = str(tmp_path_factory.mktemp("asan") / "mstrp.so")
    build_plugin(render(load("scapy_layers.mstrp")), path, root=tshark.root, sanitize=True)
    return path


@pytest.fixture(scope="module")
def mutated(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("fuzz") / "mutated.pcap")
    generate(path, MUTATED_EXCHANGES, seed=2027, mode="mutate")
    return path


def test_a_sanitizer_report_fails_the_run(tshark, tmp_path):
    """A heap overflow planted in the plugin: ASan stops tshark, and the run fails."""
    files = render(load("scapy_layers.mstrp"))
    source = files["packet-mstrp.c"]
    anchor = "static int\ndissect_SetAgentSessionState("
    assert anchor in source
    start = source.index("{", source.index(anchor)) + 1
    files["packet-mstrp.c"] = (source[:start] + "\n    { volatile char *p = g_malloc(4); p[4] = 1; g_free((char *)p); }"
                               + source[start:])
    plugin = str(tmp_path / "planted.so")
    build_plugin(files, plugin, root=tshark.root, sanitize=True)
    # UBSan (object size) or ASan (heap-buffer-overflow) reports it, whichever checks first
    with pytest.raises(TsharkError, match="runtime error: store to address|AddressSanitizer: heap-buffer-overflow"):
        sanitized(tshark).run(str(PCAPS / "tcp_conversation.pcap"), plugin, ["-V"], keep_stdout=False)


def test_mutated_frames_give_no_sanitizer_report(tshark, asan_plugin, mutated):
    runner = sanitized(tshark)
    out = runner.run(mutated, asan_plugin, ["-T", "fields", "-e", "frame.number", "-e", "mstrp.request_in"])
    assert len(out.splitlines()) >= 20_000
    assert any(line.split("\t")[1] for line in out.splitlines())  # the plugin did dissect
    runner.run(mutated, asan_plugin, ["-2", "-R", "frame", "-V"], keep_stdout=False)
    runner.run(mutated, asan_plugin, ["-V"], {"mstrp.tapsrv_ports": "1-65535"}, keep_stdout=False)


@pytest.mark.parametrize("name", EDITCAP_SAMPLES)
def test_editcap_corruption_gives_no_sanitizer_report(tshark, asan_plugin, tmp_path, name):
    runner = sanitized(tshark)
    prefs = {"mstrp.tapsrv_ports": "1-65535"} if name == "no_bind.pcap" else None
    for seed in range(1, 21):
        out = str(tmp_path / f"{seed}-{name}")
        subprocess.run(["editcap", "-E", "0.05", "--seed", str(seed), str(PCAPS / name), out], check=True,
                       capture_output=True, timeout=60)
        runner.run(out, asan_plugin, ["-2", "-R", "frame", "-V"], prefs, keep_stdout=False)
