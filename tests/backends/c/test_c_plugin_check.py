"""``dissectgen check --backend``: the C plugin checked against scapy from the CLI,
and a construct the C backend refuses is said by the check too."""

import json
import subprocess
import sys

from conftest import REPO, pcap


def check(*args):
    return subprocess.run([sys.executable, "-m", "generator.cli", "check", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=600)


def test_check_both_backends(tshark):
    spec = f"chroot:{tshark.root}" if tshark.root else tshark.executable
    out = check("--tshark", spec, "--backend", "both", pcap("tcp_conversation.pcap"), pcap("no_bind.pcap"),
                "--decode-as", "tapsrv")
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert sum("tcp_conversation.pcap: OK - 6 frames, 6 messages, 90 fields" in line for line in lines) == 1
    assert sum("tcp_conversation.pcap [c plugin]: OK - 6 frames, 6 messages, 90 fields" in line
               for line in lines) == 1
    assert sum("no_bind.pcap [c plugin]: OK - 6 frames" in line for line in lines) == 1
    js = check("--tshark", spec, "--backend", "c", "--json", pcap("malformed_reserved1.pcap"))
    report = json.loads(js.stdout)
    assert report["backend"] == "c" and report["ok"] and report["messages"] == 2 and report["experts"] == 1


def test_check_says_what_the_c_backend_refuses(tmp_path):
    out = check("--backend", "c", "--layers", str(REPO / "tests" / "layers" / "refused.py"),
                pcap("tcp_conversation.pcap"))
    assert out.returncode == 2
    assert "WideEnum.big" in out.stderr and "8-byte" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
