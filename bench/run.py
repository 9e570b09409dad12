"""The benchmark: what the generated dissector costs in tshark and in scapy.

    python -m bench.run                 # 200,000 frames per capture, 3 rounds (10 to 30 min)
    python -m bench.run --quick         # 5,000 frames, 1 round (CI keeps it from rotting)

Runs alternate between the configurations within each round, so a noisy
machine slows all of them alike; the report gives medians and the ratios that
matter, measured in the same run. Results: bench/RESULTS.md (and --json).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import struct
import sys
import tempfile
import time
from datetime import date

from generator.frontend import load
from generator.backends import write_atomically
from generator.backends.c import build_plugin
from generator.backends.c import render as render_c
from generator.backends.lua import render
from generator.check.tshark import Tshark

from .captures import UDP_PORT, buffers, dcerpc_capture, udp_capture

FLOOR_LUA = """-- the fair floor for raw UDP: a dissector that only registers on the port
local p = Proto("floor", "Floor")
function p.dissector(tvb, pinfo, tree) return tvb:len() end
DissectorTable.get("udp.port"):add({port}, p)
"""


EMPTY_POSTDISSECTOR_LUA = """-- what any postdissector costs per frame, doing nothing
local post = Proto("emptypost", "Empty postdissector")
function post.dissector(tvb, pinfo, tree) end
register_postdissector(post)
"""

EXTRACTORS_LUA = """-- the generated script's field extractors
local extractors = {{}}
for _, name in ipairs({{ {names} }}) do
    extractors[#extractors + 1] = Field.new(name)
end
"""


def hook_lua(generated: str) -> str:
    """The floor of any Lua postdissector over DCE/RPC: the field extractors the
    generated script creates and a postdissector that returns at once."""
    names = re.findall(r'optional_field\("([^"]+)"\)', generated)
    return EXTRACTORS_LUA.format(names=", ".join(f'"{n}"' for n in names)) + EMPTY_POSTDISSECTOR_LUA


# Stands for the C plugin in a case: each tshark gets the one built for its Wireshark.
C_PLUGIN = "<the C plugin>"


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def tshark_cases(dce: str, udp: str, lua: str, floor: str, hook: str, floor_post: str) -> dict:
    field = "mstrp.setagentsessionstate.hline"
    udp_prefs = {"mstrp.udp_ports": str(UDP_PORT)}
    fields = ["-T", "fields", "-e", "frame.number"]
    return {
        "dce fields frame.number, no Lua": (dce, None, fields, None),
        "dce fields frame.number, hook only": (dce, hook, fields, None),
        "dce fields frame.number, generated Lua": (dce, lua, fields, None),
        f"dce fields {field}, generated Lua": (dce, lua, ["-T", "fields", "-e", field], None),
        "dce summary lines, no Lua": (dce, None, [], None),
        "dce summary lines, generated Lua": (dce, lua, [], None),
        "dce -V, no Lua": (dce, None, ["-V"], None),
        "dce -V, generated Lua": (dce, lua, ["-V"], None),
        "dce -2, no Lua": (dce, None, ["-2"], None),
        "dce -2, generated Lua": (dce, lua, ["-2"], None),
        "udp fields frame.number, register-only Lua": (udp, floor, fields, None),
        "udp fields frame.number, generated Lua": (udp, lua, fields, udp_prefs),
        "udp fields frame.number, register-only Lua and an empty postdissector":
            (udp, floor_post, fields, None),
        "dce fields frame.number, C plugin": (dce, C_PLUGIN, fields, None),
        "dce -V, C plugin": (dce, C_PLUGIN, ["-V"], None),
        "dce -2, C plugin": (dce, C_PLUGIN, ["-2"], None),
        "udp fields frame.number, no Lua": (udp, None, fields, None),
        "udp fields frame.number, C plugin": (udp, C_PLUGIN, fields, udp_prefs),
    }


RATIOS = [
    ("DCE/RPC -T fields: hook only (extractors, empty postdissector) / no Lua",
     "dce fields frame.number, hook only", "dce fields frame.number, no Lua"),
    ("DCE/RPC -T fields: generated Lua / no Lua (target <= 1.5)",
     "dce fields frame.number, generated Lua", "dce fields frame.number, no Lua"),
    ("DCE/RPC -T fields -e mstrp field / no Lua",
     "dce fields mstrp.setagentsessionstate.hline, generated Lua", "dce fields frame.number, no Lua"),
    ("DCE/RPC summary lines (tshark -r): generated Lua / no Lua",
     "dce summary lines, generated Lua", "dce summary lines, no Lua"),
    ("DCE/RPC -V: generated Lua / no Lua", "dce -V, generated Lua", "dce -V, no Lua"),
    ("DCE/RPC -2: generated Lua / no Lua", "dce -2, generated Lua", "dce -2, no Lua"),
    ("raw UDP: generated Lua / register-only Lua (target <= 1.5)",
     "udp fields frame.number, generated Lua", "udp fields frame.number, register-only Lua"),
    ("raw UDP: register-only Lua plus an empty postdissector / register-only Lua",
     "udp fields frame.number, register-only Lua and an empty postdissector",
     "udp fields frame.number, register-only Lua"),
    ("DCE/RPC -T fields: C plugin / no plugin (target <= 1.05)",
     "dce fields frame.number, C plugin", "dce fields frame.number, no Lua"),
    ("DCE/RPC -V: C plugin / no plugin (target <= 1.05)", "dce -V, C plugin", "dce -V, no Lua"),
    ("DCE/RPC -2: C plugin / no plugin", "dce -2, C plugin", "dce -2, no Lua"),
    ("raw UDP: C plugin / register-only Lua", "udp fields frame.number, C plugin",
     "udp fields frame.number, register-only Lua"),
    ("raw UDP: C plugin / no dissector on the port", "udp fields frame.number, C plugin",
     "udp fields frame.number, no Lua"),
]


# What -V costs is mostly Wireshark writing the tree out (a profile of the C
# plugin's run puts the plugin's own code under 1 %): how much more text a
# dissector makes Wireshark write explains its -V ratio.
OUTPUT_FRAMES = 2000


def output_ratios(tshark: Tshark, dce: str, dissectors: dict) -> dict:
    """-V text per frame of each dissector over the first OUTPUT_FRAMES frames, as ratios to none."""
    volume = {name: len(tshark.run(dce, d, ["-V", "-c", str(OUTPUT_FRAMES)], strict=False).encode())
              for name, d in dissectors.items()}
    return {f"DCE/RPC -V text written: {name} / no plugin (bytes)": volume[name] / volume["no plugin"]
            for name in dissectors if name != "no plugin"}


def scapy_cases(dce: str, stock_frames: int, n_buffers: int) -> dict:
    from scapy.config import conf
    from scapy.sessions import TCPSession
    from scapy.sendrecv import sniff
    from scapy.utils import PcapReader

    from scapy_layers.mstrp.capture import read_tapi
    from scapy_layers.mstrp import TAPI

    bufs = buffers(n_buffers)
    layout = struct.Struct("<15I")

    def ours():
        return read_tapi(dce)

    def stock():
        conf.dcerpc_session_enable = True
        try:
            frames = []
            with PcapReader(dce) as reader:
                for i, pkt in enumerate(reader):
                    if i >= stock_frames:
                        break
                    frames.append(pkt)
            sniff(offline=frames, session=TCPSession, store=False, prn=lambda p: None)
        finally:
            conf.dcerpc_session_enable = False

    def dissect():
        for b in bufs:
            TAPI.dissect_request(b)

    def floor():
        for b in bufs:
            layout.unpack(b)

    return {"scapy read_tapi (ours)": ours, "scapy stock DceRpcSession": stock,
            "scapy TAPI buffers": dissect, "struct.unpack buffers": floor}


def run(frames: int, rounds: int, workdir: str, tsharks: list[Tshark], stock_frames: int,
        only: list[str] | None = None) -> dict:
    """``only``: time just the tshark cases whose name contains one of these (ratios need both ends)."""
    dce, udp = os.path.join(workdir, "dce.pcap"), os.path.join(workdir, "udp.pcap")
    built = {"dce": dcerpc_capture(dce, frames), "udp": udp_capture(udp, frames)}
    lua = os.path.join(workdir, "mstrp.lua")
    generated = render(load("scapy_layers.mstrp"))
    write_atomically(lua, generated)
    floor = os.path.join(workdir, "floor.lua")
    with open(floor, "w") as f:
        f.write(FLOOR_LUA.format(port=UDP_PORT))
    os.chmod(floor, 0o644)
    hook = os.path.join(workdir, "hook.lua")
    floor_post = os.path.join(workdir, "floor_post.lua")
    for path, text in ((hook, hook_lua(generated)), (floor_post, FLOOR_LUA.format(port=UDP_PORT) + EMPTY_POSTDISSECTOR_LUA)):
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, 0o644)
    plugins = {}
    for tshark in tsharks:
        plugins[tshark.label] = os.path.join(workdir, f"plugin-{len(plugins)}", "mstrp.so")
        build_plugin(render_c(load("scapy_layers.mstrp")), plugins[tshark.label], root=tshark.root)
        os.chmod(os.path.dirname(plugins[tshark.label]), 0o755)
    cases = tshark_cases(dce, udp, lua, floor, hook, floor_post)
    if only:
        cases = {name: case for name, case in cases.items() if any(o in name for o in only)}
    n_buffers = max(frames // 2, 1000)
    pycases = scapy_cases(dce, min(stock_frames, frames), n_buffers)
    times: dict[str, dict[str, list[float]]] = {t.version(): {} for t in tsharks}
    scapy_times: dict[str, list[float]] = {}
    for r in range(rounds):
        for name, (pcap, script, args, prefs) in cases.items():
            for tshark in tsharks:
                dissector = plugins[tshark.label] if script == C_PLUGIN else script
                t = _timed(lambda: tshark.run(pcap, dissector, args, prefs, strict=False, keep_stdout=False))
                times[tshark.version()].setdefault(name, []).append(t)
                print(f"round {r + 1}/{rounds} {tshark.label} {name}: {t:.2f} s", file=sys.stderr)
        for name, fn in pycases.items():
            t = _timed(fn)
            scapy_times.setdefault(name, []).append(t)
            print(f"round {r + 1}/{rounds} {name}: {t:.2f} s", file=sys.stderr)
    per_tshark = {}
    for version, runs in times.items():
        med = {k: statistics.median(v) for k, v in runs.items()}
        per_tshark[version] = {"median_seconds": med, "ratios": {label: med[a] / med[b] for label, a, b in RATIOS
                                                                 if a in med and b in med}}
    for tshark in tsharks:
        per_tshark[tshark.version()]["ratios"].update(
            output_ratios(tshark, dce, {"no plugin": None, "C plugin": plugins[tshark.label], "generated Lua": lua}))
    med = {k: statistics.median(v) for k, v in scapy_times.items()}
    rates = {
        "scapy read_tapi (ours), frames/s": built["dce"] / med["scapy read_tapi (ours)"],
        "scapy stock DceRpcSession, frames/s": min(stock_frames, frames) / med["scapy stock DceRpcSession"],
        "scapy TAPI buffers, messages/s": n_buffers / med["scapy TAPI buffers"],
        "struct.unpack buffers, messages/s": n_buffers / med["struct.unpack buffers"],
    }
    ratios = {
        "scapy: ours / stock, frames per second (target >= 2)":
            rates["scapy read_tapi (ours), frames/s"] / rates["scapy stock DceRpcSession, frames/s"],
        "scapy: TAPI buffers / struct.unpack, time per message":
            rates["struct.unpack buffers, messages/s"] / rates["scapy TAPI buffers, messages/s"],
    }
    return {"frames": built, "rounds": rounds, "tshark": per_tshark,
            "scapy": {"median_seconds": med, "rates": rates, "ratios": ratios},
            "stock_frames": min(stock_frames, frames)}


def _table(head: str, rows: list[str], columns: list[str], cell) -> list[str]:
    return [f"| {head} | " + " | ".join(columns) + " |", "| --- |" + " --- |" * len(columns),
            *(f"| {row} | " + " | ".join(cell(c, row) for c in columns) + " |" for row in rows), ""]


def report(res: dict) -> str:
    import scapy

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
               platform.processor())
    versions = list(res["tshark"])
    short = [f"TShark {m.group(0)}" if (m := re.search(r"\d+\.\d+\.\d+", v)) else v for v in versions]
    by_short = dict(zip(short, versions))
    some = res["tshark"][versions[0]]
    sc = res["scapy"]
    lines = [
        f"Measured {date.today().isoformat()} on {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"scapy {scapy.__version__}, {', '.join(v.rstrip('.') for v in versions)}; {res['frames']['dce']} DCE/RPC frames and "
        f"{res['frames']['udp']} UDP frames, median of {res['rounds']} alternating rounds.",
        "",
        *_table("ratio (same run)", list(some["ratios"]), short,
                lambda c, row: f"{res['tshark'][by_short[c]]['ratios'][row]:.2f}"),
        *_table("run", list(some["median_seconds"]), short,
                lambda c, row: f"{res['tshark'][by_short[c]]['median_seconds'][row]:.2f} s"),
        "| scapy (same run) | value |",
        "| --- | --- |",
        *(f"| {k} | {v:.2f} |" for k, v in sc["ratios"].items()),
        *(f"| {k} | {v:,.0f} |" for k, v in sc["rates"].items()),
        *(f"| {k}, median | {v:.2f} s |" for k, v in sc["median_seconds"].items()),
        "",
        f"Stock scapy is timed on the first {res['stock_frames']} frames (its rate, not its total, is compared).",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", type=int, default=200_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="5,000 frames, 1 round")
    ap.add_argument("--stock-frames", type=int, default=20_000, help="frames stock scapy reads (it is slow)")
    ap.add_argument("--tshark", action="append",
                    help="a tshark to time (tshark, a path or chroot:DIR; repeat for several; default: "
                         "$DISSECTGEN_TSHARKS, else tshark on PATH)")
    ap.add_argument("--only", action="append",
                    help="time only the tshark cases whose name contains this (repeatable), e.g. --only 'no Lua' "
                         "--only 'C plugin'")
    ap.add_argument("--json", help="also write the raw results here")
    ap.add_argument("--report", help="write the markdown report here (default: print it)")
    args = ap.parse_args(argv)
    if args.quick:
        args.frames, args.rounds, args.stock_frames = 5000, 1, 2000
    specs = args.tshark or [s.strip() for s in os.environ.get("DISSECTGEN_TSHARKS", "tshark").split(",") if s.strip()]
    tsharks = [Tshark.find(s) for s in specs]
    with tempfile.TemporaryDirectory(prefix="dissectgen-bench-") as work:
        os.chmod(work, 0o755)
        res = run(args.frames, args.rounds, work, tsharks, args.stock_frames, args.only)
    text = report(res)
    if args.report:
        with open(args.report, "w") as f:
            f.write(text)
    else:
        print(text)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
