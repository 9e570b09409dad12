"""How ``dissectgen check`` scales: wall time, messages per second and peak memory
for captures of growing size.

    python -m bench.check_scale                          # 10k, 100k and 300k messages (about 15 min)
    python -m bench.check_scale --sizes 2000             # what CI runs, to keep it working

Each capture is ``dissectgen fuzz --mode valid`` output (every message a
SetAgentSessionState request or reply, half of them each). Each check runs in
its own process; its peak RSS (Python: the scapy side, the PDML reader and the
comparison) and tshark's (the largest child) are read from getrusage, so they
are measured, not estimated.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date

from generator.check.tshark import Tshark
from scapy_layers.mstrp.fuzz import generate

CHILD = """
import json, resource, sys
from generator.cli import main
code = main(sys.argv[2:])
self_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
children_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
with open(sys.argv[1], "w") as f:
    json.dump({"exit": code, "python_kb": self_kb, "tshark_kb": children_kb}, f)
"""


def measure(pcap: str, messages: int, tshark: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as usage:
        start = time.monotonic()
        proc = subprocess.run([sys.executable, "-c", CHILD, usage.name, "check", "--json", "--tshark", tshark, pcap],
                              capture_output=True, text=True)
        seconds = time.monotonic() - start
        if proc.returncode != 0:
            raise SystemExit(f"check failed on {pcap}: {proc.stdout[-500:]} {proc.stderr[-2000:]}")
        rusage = json.load(open(usage.name))
    result = json.loads(proc.stdout.splitlines()[-1])
    if result["messages"] != messages or not result["ok"]:
        raise SystemExit(f"check compared {result['messages']} messages, expected {messages}: {result}")
    return {"messages": messages, "seconds": seconds, "messages_per_s": messages / seconds,
            "python_mb": rusage["python_kb"] / 1024, "tshark_mb": rusage["tshark_kb"] / 1024}


def report(rows: list[dict], tshark: str) -> str:
    lines = [
        f"Measured {date.today().isoformat()} on {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{tshark}: `python -m bench.check_scale`.",
        "",
        "| messages | wall time | messages/s | peak RSS, dissectgen (Python) | peak RSS, tshark |",
        "| --- | --- | --- | --- | --- |",
        *(f"| {r['messages']:,} | {r['seconds']:.1f} s | {r['messages_per_s']:,.0f} | {r['python_mb']:,.0f} MB "
          f"| {r['tshark_mb']:,.0f} MB |" for r in rows),
    ]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.check_scale", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,300000", help="messages per capture, comma-separated")
    ap.add_argument("--tshark", default="tshark", help="tshark, a path or chroot:DIR")
    ap.add_argument("--json", help="also write the raw results here")
    args = ap.parse_args(argv)
    label = Tshark.find(args.tshark).version()
    rows = []
    with tempfile.TemporaryDirectory(prefix="dissectgen-check-scale-") as work:
        os.chmod(work, 0o755)
        for size in (int(s) for s in args.sizes.split(",")):
            pcap = os.path.join(work, f"valid-{size}.pcap")
            generate(pcap, size // 2, seed=1, mode="valid")
            rows.append(measure(pcap, size // 2 * 2, args.tshark))
            os.unlink(pcap)
            print(f"{size} messages: {rows[-1]['seconds']:.1f} s", file=sys.stderr)
    print(report(rows, label))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
