#!/usr/bin/env bash
# Installs what the tests need (tshark, luacheck, lua5.4, the project with its
# test extra) and runs the whole test suite. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/_system_deps.sh
python3 -m pip install -q --disable-pip-version-check -e ".[test]"
exec python3 -m pytest "$@"
