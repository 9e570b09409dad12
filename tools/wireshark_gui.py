"""The real Wireshark GUI (Qt) under Xvfb, with a generated plugin installed,
driven by keyboard and mouse: for tools/screenshot.sh and tests/gui.

Each session is sealed off: its own X server (Xvfb picks a free display), a
fresh HOME whose personal plugin folder holds the plugin under test (where
``dissectgen install`` puts it), a fontconfig that offers DejaVu only, 96 DPI
and a fixed window geometry, so the same inputs draw the same pixels. As root,
Wireshark runs as ``nobody``: Wireshark skips personal Lua plugins when run as
root (4.x), as generator/check/tshark.py does for tshark. Readiness is polled
(the main window, then a screen that stops changing), never a long fixed sleep.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

NOBODY = 65534
# executable -> the Debian package that brings it (tools/_system_deps.sh installs them)
TOOLS = {"wireshark": "wireshark-qt", "Xvfb": "xvfb", "xdotool": "xdotool", "xwd": "x11-apps"}
FONTS = "/usr/share/fonts/truetype/dejavu"
# Wireshark's own lines on stderr that say nothing about the plugin: the
# wireless toolbar looks for nl80211 (Wi-Fi), which a container lacks.
TOLERATED_STDERR = (re.compile(r"^nl80211 not found\.$"),)
IDLE_TITLE = "The Wireshark Network Analyzer"  # the main window before a capture is open
SCREEN = (1280, 1024)  # larger than any window we open, so none is clipped


# Wireshark's environment names a folder its user may write (for probe scripts).
OUT_ENV = "DISSECTGEN_GUI_OUT"


class GuiError(RuntimeError):
    pass


class DialogError(GuiError):
    """Wireshark opened a dialog nobody asked for; ``pictures`` holds each
    one's pixels (XWD) to look at."""

    def __init__(self, gui: "WiresharkGui", dialogs: list[tuple[str, str]]):
        try:
            gui.settle(timeout=10)  # a dialog just mapped is still black
        except GuiError:
            pass
        self.pictures = {f"{title} ({i})": gui.pixels(i) for i, title in dialogs}
        super().__init__(f"Wireshark opened {len(dialogs)} dialog(s): {[t for _, t in dialogs]}; "
                         f"stderr: {gui.stderr!r}")


def missing_tools() -> list[str]:
    return [f"{exe} (apt-get install {pkg})" for exe, pkg in TOOLS.items() if shutil.which(exe) is None]


class WiresharkGui:
    """``with WiresharkGui(pcap, plugin, ...) as gui:`` starts Xvfb and
    ``wireshark -r PCAP [-Y FILTER] [-g FRAME]`` and waits for its main window.

    ``plugin``: a generated .lua (personal Lua plugin folder) or a compiled .so
    (personal plugins/<version>/epan, ``plugin_version`` naming the folder).
    ``lua_scripts`` are passed as ``-X lua_script:``; ``env`` is added to
    Wireshark's environment. ``upper_pane`` is the packet list's height.
    """

    def __init__(self, pcap: str, plugin: str, display_filter: str | None = None, frame: int | None = None,
                 size: tuple[int, int] = (1000, 700), upper_pane: int | None = None,
                 prefs: dict[str, str] | None = None, lua_scripts: tuple[str, ...] = (),
                 env: dict[str, str] | None = None, plugin_version: str | None = None, timeout: float = 60):
        self.pcap, self.plugin, self.display_filter, self.frame = pcap, plugin, display_filter, frame
        self.size, self.upper_pane, self.prefs = size, upper_pane, dict(prefs or {})
        self.lua_scripts, self.extra_env, self.plugin_version = lua_scripts, dict(env or {}), plugin_version
        self.timeout = timeout
        self.window: str | None = None
        self._work = self._xvfb = self._wireshark = self._display = None

    # ---- life cycle -------------------------------------------------------

    def __enter__(self) -> "WiresharkGui":
        missing = missing_tools()
        if missing:
            raise GuiError("missing GUI tools: " + ", ".join(missing) + " (tools/_system_deps.sh installs them)")
        if not os.path.isdir(FONTS):
            raise GuiError(f"no DejaVu fonts in {FONTS} (apt-get install fonts-dejavu-core)")
        self._work = tempfile.mkdtemp(prefix="dissectgen-gui-")
        try:
            self._prepare()
            self._start_xvfb()
            self._start_wireshark()
            self._wait_for_main_window()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop Wireshark and Xvfb (the processes this session started) and
        remove the work folder; stderr stays readable through ``stderr``."""
        for proc in (self._wireshark, self._xvfb):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if self._work and os.path.isdir(self._work):
            self._stderr_text = self._read_stderr()
            shutil.rmtree(self._work, ignore_errors=True)
        self._work = None

    # ---- setup ------------------------------------------------------------

    def path(self, *parts: str) -> str:
        return os.path.join(self._work, *parts)

    def _prepare(self) -> None:
        os.chmod(self._work, 0o755)  # nobody reads the staged files and its HOME
        home = self.path("home")
        config = os.path.join(home, ".config", "wireshark")
        os.makedirs(config)
        os.makedirs(self.path("runtime"))
        os.makedirs(self.path("out"))
        plugins = os.path.join(home, ".local", "lib", "wireshark", "plugins")
        if self.plugin.endswith(".so"):
            if not self.plugin_version:
                raise GuiError("a C plugin needs plugin_version (the Wireshark major.minor it was built for)")
            plugins = os.path.join(plugins, self.plugin_version, "epan")
        os.makedirs(plugins)
        shutil.copy(self.plugin, plugins)
        shutil.copy(self.pcap, self.path(os.path.basename(self.pcap)))
        for script in self.lua_scripts:
            shutil.copy(script, self.path(os.path.basename(script)))
        width, height = self.size
        # recent_common: where and how large the main window opens (no window
        # manager here, so Wireshark's own geometry is what we get).
        _write(os.path.join(config, "recent_common"), [
            "gui.geometry_main_x: 0", "gui.geometry_main_y: 0",
            f"gui.geometry_main_width: {width}", f"gui.geometry_main_height: {height}",
            "gui.geometry_main_maximized: FALSE", "privs.warn_if_elevated: FALSE",
            "sys.warn_if_no_capture: FALSE",
        ])
        if self.upper_pane:
            _write(os.path.join(config, "recent"), [f"gui.geometry_main_upper_pane: {self.upper_pane}"])
        _write(self.path("fonts.conf"), [
            '<?xml version="1.0"?>', '<!DOCTYPE fontconfig SYSTEM "fonts.dtd">', "<fontconfig>",
            f"  <dir>{FONTS}</dir>", "  <cachedir>/var/cache/fontconfig</cachedir>",
            *(f"  <alias><family>{generic}</family><prefer><family>{family}</family></prefer></alias>"
              for generic, family in (("sans-serif", "DejaVu Sans"), ("Sans Serif", "DejaVu Sans"),
                                      ("Sans", "DejaVu Sans"), ("serif", "DejaVu Serif"),
                                      ("monospace", "DejaVu Sans Mono"))),
            f"  <cachedir>{self.path('runtime', 'fontconfig')}</cachedir>", "</fontconfig>",
        ])
        os.chmod(self.path("runtime"), 0o700)
        if os.geteuid() == 0:
            for sub in ("home", "runtime", "out"):
                for root, dirs, files in os.walk(self.path(sub)):
                    for name in [root, *(os.path.join(root, n) for n in dirs + files)]:
                        os.chown(name, NOBODY, NOBODY)

    def _start_xvfb(self) -> None:
        read, write = os.pipe()
        width, height = SCREEN
        try:
            with open(self.path("xvfb.log"), "wb") as log:
                self._xvfb = subprocess.Popen(
                    ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{width}x{height}x24", "-dpi", "96",
                     "-nolisten", "tcp", "-noreset"],
                    pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=log)
        finally:
            os.close(write)
        with os.fdopen(read) as f:
            number = f.readline().strip()  # Xvfb writes the display it found free once it accepts clients
        if not number.isdigit():
            raise GuiError(f"Xvfb did not start: {_tail(self.path('xvfb.log'))}")
        self._display = f":{number}"

    def _start_wireshark(self) -> None:
        argv = ["wireshark", "-r", self.path(os.path.basename(self.pcap))]
        if self.display_filter:
            argv += ["-Y", self.display_filter]
        if self.frame:
            argv += ["-g", str(self.frame)]
        for key, value in sorted(self.prefs.items()):
            argv += ["-o", f"{key}:{value}"]
        for script in self.lua_scripts:
            argv += ["-X", f"lua_script:{self.path(os.path.basename(script))}"]
        if os.geteuid() == 0:
            argv = [shutil.which("setpriv") or "setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}",
                    "--clear-groups", *argv]
        home = self.path("home")
        env = {
            "PATH": "/usr/bin:/bin",
            "DISPLAY": self._display,
            "HOME": home,
            "XDG_CONFIG_HOME": os.path.join(home, ".config"),
            "XDG_RUNTIME_DIR": self.path("runtime"),
            "FONTCONFIG_FILE": self.path("fonts.conf"),
            "LC_ALL": "C.UTF-8",
            "QT_QPA_PLATFORM": "xcb",
            "QT_AUTO_SCREEN_SCALE_FACTOR": "0",
            "QT_SCALE_FACTOR": "1",
            "QT_STYLE_OVERRIDE": "Fusion",
            OUT_ENV: self.path("out"),
            **self.extra_env,
        }
        with open(self.path("wireshark.out"), "wb") as out, open(self.path("wireshark.err"), "wb") as err:
            self._wireshark = subprocess.Popen(argv, env=env, cwd=self._work, stdin=subprocess.DEVNULL,
                                               stdout=out, stderr=err)

    def _wait_for_main_window(self) -> None:
        """Until the main window shows the capture's name; a dialog instead
        (a Lua error while loading, say, which keeps the capture from opening)
        fails at once."""
        name = os.path.basename(self.pcap)
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            self.check_alive()
            windows = self.windows()
            main = [i for i, title in windows if name in title]
            others = [(i, title) for i, title in windows if name not in title and title != IDLE_TITLE]
            if others:
                raise DialogError(self, others)
            if main:
                self.window = main[0]
                self.settle()
                return
            time.sleep(0.2)
        raise GuiError(f"no Wireshark window showing {name} within {self.timeout:.0f} s; windows: {self.windows()}; "
                       f"stderr: {self.stderr!r}")

    def dialogs(self) -> list[tuple[str, str]]:
        """(id, title) of Wireshark's windows other than the main window."""
        return [(i, title) for i, title in self.windows() if i != self.window]

    # ---- state ------------------------------------------------------------

    @property
    def stderr(self) -> str:
        return self._read_stderr() if self._work else getattr(self, "_stderr_text", "")

    def _read_stderr(self) -> str:
        with open(self.path("wireshark.err"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def unexpected_stderr(self) -> list[str]:
        return [line for line in self.stderr.splitlines()
                if line.strip() and not any(p.match(line.strip()) for p in TOLERATED_STDERR)]

    def read_out(self, name: str) -> str:
        """A file a script in Wireshark wrote into $DISSECTGEN_GUI_OUT ("" if none)."""
        try:
            with open(self.path("out", name), encoding="utf-8") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def check_alive(self) -> None:
        code = self._wireshark.poll()
        if code is not None:
            raise GuiError(f"wireshark exited ({code}); stderr: {self.stderr!r}")

    def windows(self) -> list[tuple[str, str]]:
        """(id, title) of Wireshark's visible top-level windows: the main
        window and any dialog. (By class: xdotool's --name misses Qt's
        message boxes.)"""
        ids = self.xdotool("search", "--onlyvisible", "--class", "^Wireshark$", check=False).split()
        return [(i, self.xdotool("getwindowname", i, check=False).strip()) for i in ids]

    def geometry(self, window: str | None = None) -> tuple[int, int, int, int]:
        """x, y, width, height of a window on the screen."""
        out = self.xdotool("getwindowgeometry", "--shell", window or self.window)
        values = dict(line.split("=", 1) for line in out.split() if "=" in line)
        return int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"])

    # ---- input ------------------------------------------------------------

    def xdotool(self, *args: str, check: bool = True) -> str:
        proc = subprocess.run(["xdotool", *args], env={**os.environ, "DISPLAY": self._display},
                              capture_output=True, text=True, timeout=30)
        if check and proc.returncode != 0:
            raise GuiError(f"xdotool {' '.join(args)} failed: {proc.stderr.strip()}")
        return proc.stdout

    def _park_pointer(self) -> None:
        # outside every window: no hover highlight in the pictures
        self.xdotool("mousemove", str(SCREEN[0] - 1), str(SCREEN[1] - 1))

    def click(self, x: int, y: int, window: str | None = None) -> None:
        """A left click at (x, y) inside the window; then the pointer leaves."""
        self.check_alive()
        self.xdotool("mousemove", "--window", window or self.window, str(x), str(y), "click", "1")
        self._park_pointer()
        self.settle()

    def keys(self, *keys: str, window: str | None = None) -> None:
        """Key presses (xdotool names: "End", "shift+Right") to the window,
        which gets the input focus first (there is no window manager)."""
        self.check_alive()
        self.xdotool("windowfocus", "--sync", window or self.window)
        self.xdotool("key", "--delay", "50", *keys)
        self.settle()

    def expand_last_top_item(self) -> None:
        """Expand every subtree of the last top-level item of the packet
        details (the Lua's MS-TRP item; the C plugin's mstrp_dcerpc, which
        holds it): a click on the tree's empty lower part focuses it (it
        shows only collapsed top-level items yet), End goes to the last one
        and Shift+Right expands its subtrees. Needs a selected packet and a
        details pane below the packet list, the default layout."""
        self.click(150, self.size[1] - 45)  # the details' left side: the bytes pane may be on its right
        self.keys("End", "shift+Right")

    # ---- pictures -----------------------------------------------------------

    def pixels(self, window: str | None = None) -> bytes:
        proc = subprocess.run(["xwd", "-silent", *(["-id", window] if window else ["-root"])],
                              env={**os.environ, "DISPLAY": self._display}, capture_output=True, timeout=30)
        if proc.returncode != 0:
            raise GuiError(f"xwd failed: {proc.stderr.decode(errors='replace').strip()}")
        return proc.stdout

    def settle(self, quiet: float = 0.8, timeout: float | None = None) -> None:
        """Wait until the screen has not changed for ``quiet`` seconds."""
        deadline = time.monotonic() + (timeout or self.timeout)
        last, since = None, time.monotonic()
        while time.monotonic() < deadline:
            self.check_alive()
            now = hashlib.sha256(self.pixels(None)).digest()
            if now != last:
                last, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
            time.sleep(0.15)
        raise GuiError(f"the screen kept changing for {timeout or self.timeout:.0f} s")

    def save_xwd(self, path: str, window: str | None = None) -> tuple[int, int, int, int]:
        """The window's pixels as an XWD file; returns its geometry."""
        self._park_pointer()
        self.settle()
        with open(path, "wb") as f:
            f.write(self.pixels(window or self.window))
        return self.geometry(window)


def _write(path: str, lines: list[str]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def _tail(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return f.read()[-2000:].decode("utf-8", "replace")
    except OSError:
        return ""
