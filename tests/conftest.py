import functools
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


def udp_pcap(path, port_packets) -> str:
    """A pcap of ``(port, packet)`` pairs, each packet alone in a UDP datagram to
    that port (the test layers are bound to UDP ports), one second apart."""
    from scapy.layers.inet import IP, UDP
    from scapy.layers.l2 import Ether
    from scapy_layers.mstrp.craft import write_pcap

    frames = []
    for i, (port, pkt) in enumerate(port_packets):
        f = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / IP(src="192.0.2.1", dst="192.0.2.2") \
            / UDP(sport=50000, dport=port) / pkt
        f.time = 1_700_000_000 + i
        frames.append(f)
    write_pcap(str(path), frames)
    return str(path)


def checked_samples(checker, path, samples, ports, decoded_whole: bool = False) -> list:
    """Check ``samples`` of (class, wire bytes, does scapy come up short?), each
    alone on its class's port in a pcap at ``path``: scapy and tshark agree on
    every field, and Wireshark says ``truncated`` exactly where scapy came up
    short (``decoded_whole``: and leaves nothing undecoded). The (scapy,
    Wireshark) sides, one pair per sample."""
    from scapy.packet import Raw

    pcap = udp_pcap(path, [(ports[cls], Raw(raw)) for cls, raw, _ in samples])
    pairs = []
    result = checker.check(pcap, on_pair=lambda a, b: pairs.append((a, b)))
    assert result.disagreements == [] and result.problems == []
    assert result.messages == len(samples)
    for (cls, raw, short), (_, theirs) in zip(samples, pairs):
        abbrev = checker.message_of[cls].abbrev
        assert ((f"{abbrev}.truncated", abbrev) in theirs.experts) == short, (cls.__name__, raw.hex())
        if decoded_whole:
            assert not any(name.endswith(".undecoded") for name, _ in theirs.experts), (cls.__name__, raw.hex())
    return pairs


def matching_frames(checker, pcap: str, display_filter: str) -> list[int]:
    """The numbers of the frames of ``pcap`` that ``display_filter`` keeps, with the checker's dissector."""
    out = checker.run(pcap, ["-Y", display_filter, "-T", "fields", "-e", "frame.number"])
    return [int(n) for n in out.split()]


def tshark_specs() -> list[str]:
    """Which tsharks the Wireshark tests run against: $DISSECTGEN_TSHARKS, comma-separated
    (e.g. "tshark,chroot:/root/.cache/dissectgen/trixie"); default: tshark on PATH."""
    return [s.strip() for s in os.environ.get("DISSECTGEN_TSHARKS", "tshark").split(",") if s.strip()]


# What runs on which Wireshark generation, in this one place (README, "Wireshark
# generations", says the same). Every test that takes the `tshark` fixture runs on
# every generation of $DISSECTGEN_TSHARKS, with each backend, except:
# - tests marked `slow` (the long random and robustness batches: mutated and damaged
#   traffic, random conversations): on the oldest and the newest generation that can
#   run them. They exercise our Lua and C under damage, which changes little from one
#   generation to the next, and they are nearly half of a generation's time. Every
#   differential check of every sample capture, every field, filter and expert test
#   runs on all generations.
# - tests marked `sanitizers` (the C plugin under ASan and UBSan): Wireshark 4.0 and
#   later. Debian 11's ASan runtime (gcc 10) deadlocks in glibc's gettext lock as
#   Wireshark 3.4's tshark starts (capinfos -h hangs the same way), so 3.4 has no
#   sanitizer run.
# The combinations left out are not generated (nothing is skipped).
SANITIZERS_FROM = (4, 0)


@functools.cache
def _version(spec: str) -> tuple[int, int]:
    from generator.check.tshark import Tshark

    major, minor = Tshark.find(spec).plugin_folder().split(".")
    return int(major), int(minor)


def generations_for(markers: set[str], specs: list[str], version=_version) -> list[str]:
    """The tshark specs a test with these markers runs on (see above)."""
    chosen = [s for s in specs if "sanitizers" not in markers or version(s) >= SANITIZERS_FROM]
    if "slow" in markers and len(chosen) > 2:
        by_age = sorted(chosen, key=version)
        chosen = [s for s in chosen if s in (by_age[0], by_age[-1])]
    return chosen


_NO_GENERATION: set[str] = set()  # tests no generation of this run can take


def pytest_generate_tests(metafunc):
    if "tshark" in metafunc.fixturenames:
        markers = {m.name for m in metafunc.definition.iter_markers()}
        specs = generations_for(markers, tshark_specs())
        if not specs:
            _NO_GENERATION.add(metafunc.definition.nodeid)
        metafunc.parametrize("tshark", specs, indirect=True, scope="session")


def pytest_collection_modifyitems(config, items):
    """A test that no generation of this run can take (the sanitizers with only
    Wireshark 3.4) is deselected, as the README says, rather than skipped."""
    left_out = [i for i in items if i.nodeid.split("[")[0] in _NO_GENERATION]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [i for i in items if i not in left_out]


@pytest.fixture(scope="session")
def tshark(request):
    """The real tshark (parametrized above): a missing one fails the tests, it is never skipped."""
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
