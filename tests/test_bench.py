"""The benchmark runs end to end in quick mode (no assertion on time)."""

import json
import subprocess
import sys

from conftest import REPO, tshark_specs


def test_bench_quick_mode_runs(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, "-m", "bench.run", "--quick", "--json", str(out),
                           "--report", str(tmp_path / "report.md")],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    res = json.loads(out.read_text())
    assert res["frames"] == {"dce": 5000, "udp": 5000}
    # every tshark of the matrix is timed in the same run
    assert len(res["tshark"]) == len(tshark_specs())
    for per in res["tshark"].values():
        assert set(per["ratios"]) >= {"DCE/RPC -T fields: generated Lua / no Lua (target <= 1.5)",
                                      "raw UDP: generated Lua / register-only Lua (target <= 1.5)"}
        assert all(v > 0 for v in per["median_seconds"].values())
    assert "scapy: ours / stock, frames per second (target >= 2)" in res["scapy"]["ratios"]
    assert all(v > 0 for v in res["scapy"]["median_seconds"].values())
    assert "| ratio (same run) |" in (tmp_path / "report.md").read_text()


def test_bench_captures_are_deterministic(tmp_path):
    from bench.captures import dcerpc_capture, udp_capture

    for build in (dcerpc_capture, udp_capture):
        a, b = tmp_path / "a.pcap", tmp_path / "b.pcap"
        build(str(a), 3000)
        build(str(b), 3000)
        assert a.read_bytes() == b.read_bytes()


def test_hook_floor_uses_the_generated_extractors():
    from bench.run import hook_lua
    from generator.frontend import load
    from generator.backends.lua import render

    text = hook_lua(render(load("scapy_layers.mstrp")))
    assert '"tapi", "tapi.opnum", "dcerpc", "tcp.stream"' in text


def test_check_scale_runs(tmp_path):
    out = tmp_path / "scale.json"
    proc = subprocess.run([sys.executable, "-m", "bench.check_scale", "--sizes", "2000", "--json", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    (row,) = json.loads(out.read_text())
    assert row["messages"] == 2000 and row["python_mb"] > 0 and row["tshark_mb"] > 0
    assert "| 2,000 |" in proc.stdout


def test_damaged_million_runs_small(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "bench.damaged_million", "--exchanges", "1500",
                           *[a for spec in tshark_specs() for a in ("--tshark", spec)]],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "| scapy `TapiReader` |" in proc.stdout and "0 exceptions" in proc.stdout
    assert proc.stdout.count("0 Lua errors") == len(tshark_specs())
