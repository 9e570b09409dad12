#!/usr/bin/env bash
# Installs dissectgen and tshark, then dissects the bundled sample capture
# with scapy.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/_system_deps.sh
python3 -m pip install -q --disable-pip-version-check .
dissectgen show pcaps/tcp_conversation.pcap
