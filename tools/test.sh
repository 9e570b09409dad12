#!/usr/bin/env bash
# Installs what the tests need (tshark, the Wireshark GUI with Xvfb and
# xdotool, luacheck, lua5.4, the project with its test extra, and a Debian
# trixie root with Wireshark 4.4) and runs the whole test suite against both
# Wireshark generations. Extra arguments go to pytest.
# DISSECTGEN_TSHARKS, when set, chooses the tsharks instead (comma-separated:
# tshark, a path, or chroot:DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
with_gui=1  # tests/gui starts the real Wireshark GUI
source tools/_system_deps.sh
python3 -m pip install -q --disable-pip-version-check -e ".[test]"
if [ -z "${DISSECTGEN_TSHARKS:-}" ]; then
  root="$(bash tools/wireshark_root.sh)"
  export DISSECTGEN_TSHARKS="tshark,chroot:$root"
fi
echo "tsharks: $DISSECTGEN_TSHARKS" >&2
exec python3 -m pytest "$@"
