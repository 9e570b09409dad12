"""A plain (non-editable) install carries everything the commands need."""

import shutil
import subprocess
import sys
import zipfile

from conftest import REPO


def test_wheel_contains_packages_and_templates(tmp_path):
    # From a copy without build/: setuptools never empties build/lib, so a
    # wheel built in the checkout could carry modules that have since moved.
    src = tmp_path / "src"
    shutil.copytree(REPO, src, ignore=shutil.ignore_patterns(
        ".git", "build", "dist", "*.egg-info", "__pycache__", ".hypothesis", ".pytest_cache"))
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                           "-w", str(tmp_path), str(src)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("dissectgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in ("scapy_layers/mstrp/layers.py", "scapy_layers/mstrp/tapsrv.py", "scapy_layers/spec/packet.py",
                     "scapy_layers/traffic/frames.py", "generator/frontend/fields.py",
                     "generator/backends/lua/render.py", "generator/check/compare.py", "generator/cli.py",
                     "lua_templates/protocol.lua.j2", "lua_templates/message.lua.j2",
                     "generator/backends/c/render.py", "generator/backends/c/templates/protocol.c.j2"):
        assert required in names
    assert "scapy_layers/mstrp.py" not in names  # the module the mstrp package replaced
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "dissectgen = generator.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()
