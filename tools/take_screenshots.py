"""Draw the README's Wireshark pictures with the real Wireshark GUI and a
generated plugin: ``python3 tools/take_screenshots.py --plugin mstrp.lua --out docs/screenshots``
(tools/screenshot.sh generates the plugin, installs the tools and runs this).

Each picture is one Wireshark session (tools/wireshark_gui.py): a sample
capture, a display filter, a selected frame and, for the details, the MS-TRP
subtree expanded from the keyboard. Wireshark's window is saved as is,
converted with netpbm and squeezed with optipng.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wireshark_gui import GuiError, WiresharkGui  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONVERTERS = {"xwdtopnm": "netpbm", "pnmcolormap": "netpbm", "pnmremap": "netpbm", "pnmtopng": "netpbm",
              "optipng": "optipng"}
# A window's few thousand colours (anti-aliased text) in a palette of 128,
# undithered: a third of the size, and no difference the eye can find.
COLOURS = 128
# The GUI's preferences for every picture: no byte pane (the tree gets the
# width), no minimap in the scroll bar, no hover colour on the rows.
PREFS = {
    "gui.layout_content_3": "NONE",
    "gui.packet_list_show_minimap": "FALSE",
    "gui.packet_list_hover_style.enabled": "FALSE",
}


@dataclass(frozen=True)
class Shot:
    name: str
    pcap: str
    display_filter: str
    frame: int
    size: tuple[int, int]
    upper_pane: int  # the packet list's height
    expand: bool  # the MS-TRP subtree expanded in the details


SHOTS = (
    Shot("packet_list.png", "all_documented_errors.pcap", "mstrp", 8, (1000, 560), 300, False),
    Shot("request_details.png", "tcp_conversation.pcap", "mstrp", 8, (1000, 820), 130, True),
    Shot("malformed_expert.png", "malformed_multi_bit_state.pcap", "mstrp", 8, (1000, 820), 80, True),
)


def take(shot: Shot, plugin: str, out: str, work: str) -> str:
    with WiresharkGui(os.path.join(REPO, "pcaps", shot.pcap), plugin, shot.display_filter, shot.frame,
                      size=shot.size, upper_pane=shot.upper_pane, prefs=PREFS,
                      env={"DISSECTGEN_LUA_STRICT": "1"}) as gui:
        if shot.expand:
            gui.expand_last_top_item()
        xwd = os.path.join(work, shot.name + ".xwd")
        gui.save_xwd(xwd)
        problems = gui.dialogs() or gui.unexpected_stderr()
        if problems:
            raise GuiError(f"{shot.name}: {problems}")
    return to_png(xwd, os.path.join(out, shot.name))


def to_png(xwd: str, png: str) -> str:
    pnm, palette = xwd + ".pnm", xwd + ".palette.pnm"
    _netpbm(["xwdtopnm", xwd], pnm)
    _netpbm(["pnmcolormap", str(COLOURS), pnm], palette)
    _netpbm(["pnmremap", f"-mapfile={palette}", "-nofloyd", pnm], pnm + ".mapped")
    _netpbm(["pnmtopng", "-compression", "9", pnm + ".mapped"], png)
    subprocess.run(["optipng", "-quiet", "-o2", "-strip", "all", png], check=True)
    return png


def _netpbm(argv: list[str], output: str) -> None:
    with open(output, "wb") as f:
        proc = subprocess.run(argv, stdout=f, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise GuiError(f"{argv[0]} failed: {proc.stderr.decode(errors='replace').strip()}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plugin", required=True, help="the generated Lua script")
    parser.add_argument("--out", default=os.path.join(REPO, "docs", "screenshots"))
    args = parser.parse_args(argv)
    missing = [f"{exe} (apt-get install {pkg})" for exe, pkg in CONVERTERS.items() if shutil.which(exe) is None]
    if missing:
        print("missing: " + ", ".join(missing), file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="dissectgen-shots-") as work:
        for shot in SHOTS:
            png = take(shot, os.path.abspath(args.plugin), args.out, work)
            print(f"{os.path.relpath(png, REPO)}: {os.path.getsize(png)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
