"""The C backend's output: string escaping, determinism, atomic output, a
warning-free build against both Wireshark generations, and its CLI."""

import os
import re
import subprocess
import sys

import pytest

from conftest import REPO
from generator.backends.c import build_plugin, c_str, render
from generator.frontend import load

HOSTILE = ['plain', 'quote " backslash \\ end', "new\nline\r\ttab", "*/ /* // comment", "ünïcødé ✓ 电话",
           "nul \x00 byte", "\x7f\x01", "trigraph ??= ??/ ??' and %s %n %%", "#define x 1"]
LAYERS = ["scapy_layers.mstrp", "layers.kinds", "layers.hostile", "layers.bound", "layers.addresses",
          "layers.conditions", "layers.scaling", "layers.undecoded", "layers.bitruns", "layers.choices", "layers.chosen",
          "layers.reading", "layers.lower", "layers.enum_functions"]
STRING_LITERAL = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)


def test_c_str_reads_back_exactly(tmp_path):
    """Every hostile text, compiled by gcc and printed byte by byte, is itself."""
    program = ["#include <stdio.h>", "int main(void) {"]
    for text in HOSTILE:
        literal = c_str(text)
        assert "\n" not in literal and literal.isascii()
        program.append(f"    fwrite({literal}, 1, sizeof({literal}) - 1, stdout); putchar(0xff);")
    program += ["    return 0;", "}"]
    (tmp_path / "t.c").write_text("\n".join(program) + "\n")
    build = subprocess.run(["gcc", "-Wall", "-Wextra", "-Werror", "-trigraphs", "-o", str(tmp_path / "t"),
                            str(tmp_path / "t.c")], capture_output=True, text=True, timeout=60)
    assert build.returncode == 0, build.stderr
    out = subprocess.run([str(tmp_path / "t")], capture_output=True, timeout=30).stdout
    assert out.split(b"\xff")[:-1] == [t.encode("utf-8") for t in HOSTILE]


@pytest.fixture(scope="module")
def generated():
    return {spec: render(load(spec)) for spec in LAYERS}


def test_files_of_a_plugin(generated):
    assert sorted(generated["scapy_layers.mstrp"]) == ["CMakeLists.txt", "packet-mstrp.c", "plugin.c"]
    source = generated["scapy_layers.mstrp"]["packet-mstrp.c"]
    for part in ("static hf_register_info hf[]", "static gint *ett[]", "static ei_register_info ei[]",
                 "static const value_string values_", "void\nproto_register_mstrp(void)",
                 "void\nproto_reg_handoff_mstrp(void)", "dcerpc_init_uuid(proto_carrier",
                 "dcerpc_get_proto_sub_dissector(&carrier_uuid"):
        assert part in source, part
    plugin = generated["scapy_layers.mstrp"]["plugin.c"]
    for part in ("plugin_version[]", "plugin_want_major", "plugin_want_minor", "proto_register_plugin(&plug_mstrp)",
                 "plugin_describe"):
        assert part in plugin, part


@pytest.mark.parametrize("spec", LAYERS)
def test_packet_bytes_are_read_through_tvb_accessors_only(generated, spec):
    source = STRING_LITERAL.sub('""', generated[spec][f"packet-{load(spec).abbrev}.c"])
    for raw in ("tvb_get_ptr", "tvb_memcpy", "tvb_memdup", "guint8 *", "uint8_t *", "tvb->"):
        if raw == "guint8 *":  # the DCE/RPC callback's data representation, never read
            assert source.count(raw) == source.count("guint8 *drep _U_"), raw
        else:
            assert raw not in source, raw


def test_hostile_names_stay_inside_string_literals(generated):
    files = generated["layers.hostile"]
    for name, text in files.items():
        assert text.isascii(), name
        code = STRING_LITERAL.sub('""', text)
        for fragment in ("He said", "must be zero", "really", "long bracket", "carriage", "ünïcødé"):
            assert fragment not in code, (name, fragment)
        # comments hold no text of the layers: nothing can close one early
        for comment in re.findall(r"/\*.*?\*/", code, re.S):
            assert "*/" not in comment[2:-2]


@pytest.mark.parametrize("spec", LAYERS)
def test_compiles_without_warnings_for_every_tshark(tshark, tmp_path, spec):
    """-Wall -Wextra -Werror, against the headers of the Wireshark that loads it."""
    version = build_plugin(render(load(spec)), str(tmp_path / "p.so"), root=tshark.root)
    assert (tmp_path / "p.so").stat().st_size > 0
    assert version == tshark.plugin_folder()


def test_a_protocol_nothing_registers_compiles(tmp_path):
    """A class with no binding of its own (x509's): the plugin's unused helpers stay quiet under -Werror."""
    build_plugin(render(load("scapy.layers.x509:X509_Validity")), str(tmp_path / "p.so"))
    assert (tmp_path / "p.so").stat().st_size > 0


def test_cmake_project_builds_for_every_tshark(tshark, tmp_path):
    """The CMakeLists.txt is a real out-of-tree Wireshark plugin project."""
    base = os.path.join(tshark.root, "tmp") if tshark.root else str(tmp_path)
    import tempfile

    with tempfile.TemporaryDirectory(dir=base) as work:
        for name, text in render(load("scapy_layers.mstrp")).items():
            with open(os.path.join(work, name), "w") as f:
                f.write(text)
        inner = "/" + os.path.relpath(work, tshark.root) if tshark.root else work
        script = f"cd {inner} && cmake -S . -B build -DCMAKE_C_FLAGS=-Werror >/dev/null && cmake --build build"
        cmd = ["chroot", tshark.root, "/bin/sh", "-c", script] if tshark.root else ["/bin/sh", "-c", script]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert os.path.isfile(os.path.join(work, "build", "mstrp.so"))


def test_render_is_deterministic_across_processes(tmp_path):
    outputs = []
    for seed in ("1", "2", "0"):
        folder = tmp_path / f"out{seed}"
        proc = cli("c", "-o", str(folder), env=dict(os.environ, PYTHONHASHSEED=seed))
        assert proc.returncode == 0, proc.stderr
        outputs.append({p.name: p.read_bytes() for p in folder.iterdir()})
    assert outputs[0] == outputs[1] == outputs[2]
    assert {name: text.encode() for name, text in render(load("scapy_layers.mstrp")).items()} == outputs[0]


def test_cli_plugin_and_install(tmp_path):
    out = tmp_path / "m.so"
    proc = cli("plugin", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes()[:4] == b"\x7fELF"
    plugins = tmp_path / "plugins"
    proc = cli("install", "--c", "--plugins-dir", str(plugins))
    assert proc.returncode == 0, proc.stderr
    (installed,) = plugins.glob("*/epan/mstrp.so")
    assert re.fullmatch(r"\d+\.\d+", installed.parent.parent.name)
    assert str(installed) in proc.stdout
    for cmd in (["c", "--help"], ["plugin", "--help"], ["install", "--help"]):
        assert cli(*cmd).returncode == 0


def test_a_missing_compiler_is_one_clear_line(tmp_path):
    root = tmp_path / "root"
    (root / "usr" / "bin").mkdir(parents=True)
    (root / "usr" / "bin" / "tshark").write_text("")
    out = tmp_path / "x.so"
    proc = cli("plugin", "--tshark", f"chroot:{root}", "-o", str(out))
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "apt-get install -y gcc" in proc.stderr and "libwireshark-dev" in proc.stderr
    assert not out.exists()


def test_a_refused_construct_names_class_and_field(tmp_path):
    folder = tmp_path / "out"
    proc = cli("c", str(REPO / "tests" / "layers" / "refused.py"), "-o", str(folder))
    assert proc.returncode == 2
    assert "WideEnum.big" in proc.stderr and "8-byte" in proc.stderr
    assert not folder.exists()  # nothing half-written
    proc = cli("lua", str(REPO / "tests" / "layers" / "refused.py"), "-o", str(tmp_path / "r.lua"))
    assert proc.returncode == 0  # the Lua backend takes it
