"""A million damaged frames through both sides: scapy's reader and tshark with the
generated dissector in strict Lua mode. Run by hand (about 20 minutes here);
its report goes in the README's fuzzing section.

    python -m bench.damaged_million [--exchanges 400000] [--tshark tshark --tshark chroot:DIR] [--c-asan]

The capture is ``dissectgen fuzz --mode mutate`` (PDUs damaged byte by byte,
seed 7), then ``editcap -E 0.002 --seed 7`` over the whole of it, so link,
IP, TCP, DCE/RPC, NDR and TAPI bytes are all hit. Any exception on the scapy
side, or any Lua error (strict mode stops tshark), fails the run. With
``--c-asan`` the C plugin built with AddressSanitizer and UBSan goes through
the same capture in each tshark (the ASan runtime preloaded): any sanitizer
report aborts tshark and fails the run.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import date

from generator.backends import write_atomically
from generator.backends.c import build_plugin
from generator.backends.c import render as render_c
from generator.backends.lua import render
from generator.check.sanitizer import proc_mounted, sanitized
from generator.check.tshark import Tshark
from generator.frontend import load
from scapy_layers.mstrp.capture import TapiReader
from scapy_layers.mstrp.fuzz import generate
from scapy_layers.traffic.capfile import read_records


def build(work: str, exchanges: int) -> tuple[str, int]:
    mutated = os.path.join(work, "mutated.pcap")
    generate(mutated, exchanges, seed=7, mode="mutate")
    damaged = os.path.join(work, "damaged.pcap")
    subprocess.run(["editcap", "-E", "0.002", "--seed", "7", mutated, damaged], check=True, capture_output=True)
    os.unlink(mutated)
    return damaged, sum(1 for _ in read_records(damaged))


def scapy_side(path: str, frames: int) -> dict:
    reader = TapiReader()
    start = time.monotonic()
    messages = sum(1 for _ in reader.read(path))
    seconds = time.monotonic() - start
    internal = [p for p in reader.problems if "reader error" in p.text]
    if internal:
        raise SystemExit(f"the reader met an unforeseen path: {internal[:5]}")
    return {"messages": messages, "problems": len(reader.problems), "seconds": seconds,
            "frames_per_s": frames / seconds}


def tshark_side(tshark: Tshark, path: str, lua: str, frames: int) -> dict:
    start = time.monotonic()
    tshark.run(path, lua, ["-2", "-R", "frame", "-V"], keep_stdout=False, timeout=7200)
    seconds = time.monotonic() - start
    return {"seconds": seconds, "frames_per_s": frames / seconds, "wireshark_bugs": len(tshark.warnings)}


def _number(version: str) -> str:
    found = re.search(r"\d+\.\d+\.\d+", version)
    return found.group(0) if found else version


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.damaged_million", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--exchanges", type=int, default=400_000, help="fuzzed exchanges (about 2.6 frames each)")
    ap.add_argument("--tshark", action="append", help="tshark, a path or chroot:DIR (repeat); default: tshark")
    ap.add_argument("--c-asan", action="store_true", help="also the C plugin built with ASan and UBSan")
    ap.add_argument("--only-c-asan", action="store_true", help="only the C plugin built with ASan and UBSan")
    args = ap.parse_args(argv)
    tsharks = [Tshark.find(s) for s in (args.tshark or ["tshark"])]
    with tempfile.TemporaryDirectory(prefix="dissectgen-million-") as work:
        os.chmod(work, 0o755)
        lua = os.path.join(work, "mstrp.lua")
        write_atomically(lua, render(load("scapy_layers.mstrp")))
        path, frames = build(work, args.exchanges)
        print(f"{frames} damaged frames", file=sys.stderr)
        ours = None if args.only_c_asan else scapy_side(path, frames)
        theirs = {} if args.only_c_asan else {t.version(): tshark_side(t, path, lua, frames) for t in tsharks}
        asan = {}
        for t in tsharks if args.c_asan or args.only_c_asan else ():
            plugin = os.path.join(work, f"mstrp-asan-{len(asan)}.so")
            build_plugin(render_c(load("scapy_layers.mstrp")), plugin, root=t.root, sanitize=True)
            with proc_mounted(t.root):
                asan[t.version()] = tshark_side(sanitized(t), path, plugin, frames)
    lines = [
        f"Run {date.today().isoformat()} with `python -m bench.damaged_million`: {frames:,} frames "
        f"(`fuzz --mode mutate --count {args.exchanges} --seed 7`, then `editcap -E 0.002 --seed 7`).",
        "",
        "| side | frames/s | result |",
        "| --- | --- | --- |",
        *([f"| scapy `TapiReader` | {ours['frames_per_s']:,.0f} | 0 exceptions; {ours['messages']:,} messages read, "
           f"{ours['problems']:,} problems reported |"] if ours else []),
        *(f"| TShark {_number(v)}, generated Lua, strict, `-2 -V` | {r['frames_per_s']:,.0f} | 0 Lua errors; "
          f"{r['wireshark_bugs']} reports of Wireshark's own dissector bugs |" for v, r in theirs.items()),
        *(f"| TShark {_number(v)}, C plugin with ASan and UBSan, `-2 -V` | {r['frames_per_s']:,.0f} | 0 sanitizer "
          f"reports, 0 crashes |" for v, r in asan.items()),
    ]
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
