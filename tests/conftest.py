import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PCAPS = REPO / "pcaps"
sys.path.insert(0, str(REPO / "pcaps"))


def spec_dir() -> Path:
    """shared/spec: beside the checkout (CI, developers) or named by env."""
    candidates = [os.environ.get("DISSECTGEN_SPEC_DIR"), REPO.parent / "shared" / "spec", "/work/shared/spec"]
    for c in candidates:
        if c and (Path(c) / "req_func.tsv").is_file():
            return Path(c)
    raise AssertionError(
        "shared/spec not found beside the checkout; set DISSECTGEN_SPEC_DIR to the folder holding req_func.tsv"
    )


@pytest.fixture(scope="session")
def spec():
    return spec_dir()


def tshark_specs() -> list[str]:
    """Which tsharks the Wireshark tests run against: $DISSECTGEN_TSHARKS, comma-separated
    (e.g. "tshark,chroot:/root/.cache/dissectgen/trixie"); default: tshark on PATH."""
    return [s.strip() for s in os.environ.get("DISSECTGEN_TSHARKS", "tshark").split(",") if s.strip()]


@pytest.fixture(scope="session", params=tshark_specs())
def tshark(request):
    """The real tshark: a missing one fails the tests, it is never skipped."""
    from generator.check.tshark import Tshark

    return Tshark.find(request.param)


@pytest.fixture(scope="session")
def mstrp_lua(tmp_path_factory):
    from generator.frontend import load
    from generator.backends import write_atomically
    from generator.backends.lua import render

    path = str(tmp_path_factory.mktemp("lua") / "mstrp.lua")
    write_atomically(path, render(load("scapy_layers.mstrp")))
    return path


# The generated dissectors every Wireshark test runs with: the Lua script and the C plugin.
BACKENDS = ["lua", "c"]


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def mstrp_dissector(tshark, backend, mstrp_lua, tmp_path_factory):
    """The MS-TRP dissector of this backend: the Lua script, or the C plugin
    compiled against the headers of this tshark's Wireshark."""
    if backend == "lua":
        return mstrp_lua
    from generator.frontend import load
    from generator.backends.c import build_plugin, render

    path = str(tmp_path_factory.mktemp("plugin") / "mstrp.so")
    build_plugin(render(load("scapy_layers.mstrp")), path, root=tshark.root)
    return path


@pytest.fixture(scope="session")
def checker(tshark, backend):
    from generator.check import Checker

    return Checker("scapy_layers.mstrp", tshark=tshark, backend=backend)


def pcap(name: str) -> str:
    return str(PCAPS / name)
