#!/usr/bin/env bash
# Installs what the tests need (tshark, the Wireshark GUI with Xvfb and
# xdotool, luacheck, lua5.4, the project with its
# test extra, and the Debian roots of the other Wireshark generations) and runs
# the whole test suite against every generation: the machine's Wireshark 4.0,
# and Debian roots with 3.4 (bullseye), 4.4 (trixie) and 4.6 (forky). Extra
# arguments go to pytest. DISSECTGEN_TSHARKS, when set, chooses the tsharks
# instead (comma-separated: tshark, a path, or chroot:DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
with_gui=1  # tests/gui starts the real Wireshark GUI
source tools/_system_deps.sh
python3 -m pip install -q --disable-pip-version-check -e ".[test]"
if [ -z "${DISSECTGEN_TSHARKS:-}" ]; then
  tsharks="tshark"
  for suite in trixie forky bullseye; do
    tsharks="$tsharks,chroot:$(bash tools/wireshark_root.sh "$suite")"
  done
  export DISSECTGEN_TSHARKS="$tsharks"
fi
echo "tsharks: $DISSECTGEN_TSHARKS" >&2
# one pytest-xdist worker per core; the sanitizer tests stay together in one (their /proc mount)
exec python3 -m pytest -n auto --dist loadgroup "$@"
