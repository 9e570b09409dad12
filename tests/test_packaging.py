"""A plain (non-editable) install carries everything the commands need."""

import subprocess
import sys
import zipfile

from conftest import REPO


def test_wheel_contains_packages_and_templates(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                           "-w", str(tmp_path), str(REPO)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("dissectgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("scapy_layers/mstrp.py", "scapy_layers/tapsrv.py", "generator/cli.py",
                     "lua_templates/protocol.lua.j2", "lua_templates/message.lua.j2"):
        assert required in names
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "dissectgen = generator.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()
