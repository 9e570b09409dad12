#!/usr/bin/env bash
# Redraws the README's Wireshark pictures (docs/screenshots/*.png) with the
# real Wireshark GUI under Xvfb and the MS-TRP Lua plugin generated from this
# checkout. Installs what it needs (the GUI, Xvfb, xdotool, netpbm, optipng);
# as root, Wireshark runs as nobody. Usage: bash tools/screenshot.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
with_gui=1
with_screenshots=1
source tools/_system_deps.sh
python3 -c "import scapy, jinja2" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check -e .
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
PYTHONPATH="$PWD" python3 -m generator.cli lua -o "$work/mstrp.lua" >/dev/null
python3 tools/take_screenshots.py --plugin "$work/mstrp.lua" --out "${1:-docs/screenshots}"
