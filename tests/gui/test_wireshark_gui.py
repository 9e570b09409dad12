"""The generated dissectors in the real Wireshark GUI (Qt, under Xvfb, as an
unprivileged user, the plugin in its personal plugin folder): it loads without
an error dialog or a line on stderr, the GUI's own dissection sees the fields
scapy reads, and expanding a request's tree (every item built, strict Lua
mode on) keeps it running. Missing GUI tools fail these tests. The GUI is
this machine's Wireshark (4.0 on Debian bookworm): the trixie root has tshark only."""

import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, pcap

sys.path.insert(0, str(REPO / "tools"))
from wireshark_gui import DialogError, WiresharkGui  # noqa: E402

PROBE = str(Path(__file__).with_name("probe_fields.lua"))
CAPTURE = pcap("tcp_conversation.pcap")
STRICT = {"DISSECTGEN_LUA_STRICT": "1"}


@pytest.fixture(scope="module")
def c_plugin(tmp_path_factory):
    """The C plugin built against this machine's Wireshark (the GUI's)."""
    from generator.backends.c import build_plugin, render
    from generator.frontend import load

    path = str(tmp_path_factory.mktemp("gui-plugin") / "mstrp.so")
    return path, build_plugin(render(load("scapy_layers.mstrp")), path)


@pytest.fixture(params=["lua", "c"])
def gui_plugin(request, mstrp_lua):
    """(plugin file, Wireshark major.minor for a C plugin)."""
    if request.param == "lua":
        return mstrp_lua, None
    return request.getfixturevalue("c_plugin")


def scapy_hlines(path):
    from scapy_layers.mstrp import SetAgentSessionState, read_tapi

    return {(rec.frame, rec.packet.hLine) for rec in read_tapi(path) if isinstance(rec.packet, SetAgentSessionState)}


def gui_hlines(text):
    return {tuple(int(v) for v in line.split()) for line in text.splitlines()}


def wait_for(condition, timeout=15.0) -> bool:
    """The probe writes while Wireshark reads the capture: give a loaded machine time."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def save_dialogs(error: DialogError, folder: Path) -> list[str]:
    """The dialogs' pictures (XWD: ``xwud -in FILE`` or ``xwdtopnm``), to see what they said."""
    names = []
    for n, picture in enumerate(error.pictures.values()):
        (folder / f"dialog-{n}.xwd").write_bytes(picture)
        names.append(str(folder / f"dialog-{n}.xwd"))
    return names


def test_gui_loads_the_plugin_and_dissects_with_it(gui_plugin, tmp_path):
    plugin, version = gui_plugin
    try:
        with WiresharkGui(CAPTURE, plugin, "mstrp.setagentsessionstate", frame=8, lua_scripts=(PROBE,),
                          env=STRICT, plugin_version=version) as gui:
            assert gui.dialogs() == []
            expected = scapy_hlines(CAPTURE)
            assert expected
            assert wait_for(lambda: gui_hlines(gui.read_out("hlines.txt")) == expected), \
                f"the GUI's hLine values {gui.read_out('hlines.txt')!r} are not scapy's {expected}"
            before = gui.pixels(gui.window)
            gui.expand_last_top_item()
            assert gui.pixels(gui.window) != before, "the request's tree did not expand"
            gui.check_alive()
            assert gui.dialogs() == []
            assert gui.unexpected_stderr() == []
    except DialogError as error:
        pytest.fail(f"{error}; pictures: {save_dialogs(error, tmp_path)}")


def test_a_lua_error_while_loading_fails_the_session(tmp_path):
    """The detector can fail: a plugin that raises while loading brings up
    Wireshark's "Lua: Error during loading" dialog, and the session says so."""
    broken = tmp_path / "broken.lua"
    broken.write_text('error("broken on purpose")\n')
    with pytest.raises(DialogError) as raised:
        with WiresharkGui(CAPTURE, str(broken), "mstrp", env=STRICT):
            pass
    assert len(raised.value.pictures) == 1

