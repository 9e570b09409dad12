#!/usr/bin/env bash
# Installs dissectgen and tshark, installs the generated MS-TRP Lua plugin for
# Wireshark, and dissects the bundled sample capture both ways, side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/_system_deps.sh
python3 -m pip install -q --disable-pip-version-check .
dissectgen install
dissectgen check --side-by-side pcaps/tcp_conversation.pcap
