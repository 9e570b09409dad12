"""Run tshark with a generated dissector (a Lua script, or a C plugin: a .so),
the same way for tests and ``check``.

Every run gets a fresh, empty HOME and configuration folder (no user plugin or
preference leaks in), ``LC_ALL=C``, and the Lua strict mode on, so a Lua
runtime error stops tshark with a traceback. It fails loudly: tshark missing,
a non-zero exit, a Lua load error or any unexpected line on stderr.

Which tshark: the one on PATH, a path, or ``chroot:DIR`` for a tshark installed
in a Debian root (tools/wireshark_root.sh makes them: Wireshark 3.4, 4.4, 4.6).
As root, tshark is started as the unprivileged user ``nobody``: Wireshark 4.4
silently skips Lua scripts when run as root, and every generation then behaves
alike. Inputs are staged in a private folder that user can read.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO, Iterator

STRICT_ENV = "DISSECTGEN_LUA_STRICT"
NOBODY = 65534
# The only stderr line tolerated: tshark 4.0's warning when it does run as root.
TOLERATED_STDERR = ('Running as user "root" and group "root". This could be dangerous.',)
# Wireshark's own C dissectors can trip on damaged input (its built-in "tapi"
# does on fuzzed stubs: proto.c "length >= 0"); those are Wireshark's bugs, kept
# as warnings. The same report about a protocol we generated is an error.
_DISSECTOR_BUG = re.compile(r"Dissector bug, protocol ([^,]+), in packet (\d+)")


class TsharkError(RuntimeError):
    pass


@dataclass
class Tshark:
    """How to start tshark: an executable, optionally inside a chroot."""

    executable: str = "tshark"
    root: str | None = None  # a Debian root holding its own tshark
    own_protocols: tuple[str, ...] = ("mstrp",)  # a dissector bug reported in these is ours
    warnings: tuple[str, ...] = ()  # Wireshark's own dissector bugs seen by the last run
    preload: str | None = None  # a library for LD_PRELOAD (the ASan runtime of a sanitized plugin)
    _plugin_version: str | None = None

    @classmethod
    def find(cls, spec: str | None = None) -> "Tshark":
        """``tshark``, a path, or ``chroot:DIR``; default: $DISSECTGEN_TSHARK, else tshark on PATH."""
        spec = spec or os.environ.get("DISSECTGEN_TSHARK") or "tshark"
        if spec.startswith("chroot:"):
            root = os.path.abspath(spec[len("chroot:"):])
            if not os.path.isfile(os.path.join(root, "usr/bin/tshark")):
                raise TsharkError(f"no tshark in the root {root}: build it with tools/wireshark_root.sh")
            if os.geteuid() != 0:
                raise TsharkError(f"running tshark in the root {root} needs root (chroot)")
            return cls("/usr/bin/tshark", root)
        exe = shutil.which(spec)
        if exe is None:
            raise TsharkError(f"tshark not found ({spec!r}): install it (apt-get install -y tshark) "
                              f"or name it with --tshark / DISSECTGEN_TSHARK")
        return cls(exe)

    @property
    def label(self) -> str:
        return f"chroot:{self.root}" if self.root else self.executable

    def version(self) -> str:
        out = self._exec(["--version"], env=None, timeout=60)
        text = out.stdout.decode("utf-8", "replace")
        return text.splitlines()[0] if text else out.stderr.decode("utf-8", "replace").strip()

    def _prefix(self) -> list[str]:
        # the preloaded library is tshark's alone (not chroot's or setpriv's)
        tshark = ["/usr/bin/env", f"LD_PRELOAD={self.preload}", self.executable] if self.preload else [self.executable]
        if self.root:
            return [_tool("chroot"), f"--userspec={NOBODY}:{NOBODY}", self.root, *tshark]
        if os.geteuid() == 0:
            return [_tool("setpriv"), f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *tshark]
        return tshark

    def _exec(self, args, env, timeout):
        try:
            return subprocess.run([*self._prefix(), *args], env=env, timeout=timeout, stderr=subprocess.PIPE,
                                  stdout=subprocess.PIPE)
        except FileNotFoundError as exc:
            raise TsharkError(f"cannot start tshark: {exc}") from None

    def plugin_folder(self) -> str:
        """The personal plugin folder's version part, major.minor (tshark --version)."""
        if self._plugin_version is None:
            found = re.search(r"(\d+)\.(\d+)\.\d+", self.version())
            if found is None:
                raise TsharkError(f"cannot tell the version of tshark ({self.label})")
            self._plugin_version = f"{found.group(1)}.{found.group(2)}"
        return self._plugin_version

    @contextmanager
    def _invocation(self, pcap: str | None, lua: str | None, args, prefs: dict | None,
                    strict: bool, report: str | None = None) -> Iterator[tuple[list[str], dict]]:
        """(argv, env) of ``tshark -r PCAP [-X lua_script:LUA] ARGS``, or with ``report``
        of ``tshark -G REPORT [-X lua_script:LUA]``; the staged inputs and the clean
        HOME live as long as the context. ``lua`` ending in ``.so`` is a C plugin
        instead: it goes into the run's personal plugin folder
        (HOME/.local/lib/wireshark/plugins/X.Y/epan)."""
        base = os.path.join(self.root, "tmp") if self.root else None
        with tempfile.TemporaryDirectory(prefix="dissectgen-tshark-", dir=base) as work:
            os.chmod(work, 0o755)
            home = os.path.join(work, "home")
            os.mkdir(home)
            os.chmod(home, 0o777)
            staged = _Stage(work, self.root)
            cmd = ["-G", report] if report else ["-n", "-r", staged.file(pcap)]
            if lua and lua.endswith(".so"):
                staged.plugin(lua, os.path.join(home, ".local/lib/wireshark/plugins", self.plugin_folder(), "epan"))
            elif lua:
                cmd += ["-X", f"lua_script:{staged.file(lua)}"]
            for key, value in sorted((prefs or {}).items()):
                cmd += ["-o", f"{key}:{value}"]
            for a in args:
                if a.startswith("lua_script:"):
                    a = "lua_script:" + staged.file(a[len("lua_script:"):])
                cmd.append(a)
            inner_home = staged.inside(home)
            env = {
                "PATH": "/usr/bin:/bin" if self.root else os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": inner_home,
                "XDG_CONFIG_HOME": os.path.join(inner_home, ".config"),
                "WIRESHARK_CONFIG_DIR": os.path.join(inner_home, "wireshark"),
                "LC_ALL": "C",
            }
            if strict:
                env[STRICT_ENV] = "1"
            if self.preload:
                env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=1"
                env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
            yield [*self._prefix(), *cmd], env

    def run(self, pcap: str, lua: str | None = None, args: list[str] = (), prefs: dict | None = None,
            strict: bool = True, timeout: float = 1800, keep_stdout: bool = True) -> str:
        """tshark -r PCAP [-X lua_script:LUA] ARGS; returns stdout ("" when not kept)."""
        with self._invocation(pcap, lua, args, prefs, strict) as (argv, env):
            try:
                proc = subprocess.run(argv, env=env, timeout=timeout, stderr=subprocess.PIPE,
                                      stdout=subprocess.PIPE if keep_stdout else subprocess.DEVNULL)
            except FileNotFoundError as exc:
                raise TsharkError(f"cannot start tshark: {exc}") from None
        self._judge(proc.returncode, proc.stderr, pcap)
        stdout = proc.stdout.decode("utf-8", "replace") if keep_stdout else ""
        if "_ws.lua.error" in stdout:
            raise TsharkError(f"Lua error reported by Wireshark ({self.label}) while dissecting {pcap}")
        return stdout

    def glossary(self, report: str, lua: str | None = None) -> str:
        """``tshark -G REPORT`` (protocols, fields...) with the dissector loaded."""
        with self._invocation(None, lua, [], None, True, report=report) as (argv, env):
            try:
                proc = subprocess.run(argv, env=env, timeout=600, stderr=subprocess.PIPE, stdout=subprocess.PIPE)
            except FileNotFoundError as exc:
                raise TsharkError(f"cannot start tshark: {exc}") from None
        self._judge(proc.returncode, proc.stderr, f"-G {report}")
        return proc.stdout.decode("utf-8", "replace")

    @contextmanager
    def stream(self, pcap: str, lua: str | None = None, args: list[str] = (), prefs: dict | None = None,
               strict: bool = True) -> Iterator[IO[bytes]]:
        """tshark's stdout as a binary stream, read while tshark runs, so that its
        output never has to fit in memory; judged like ``run`` when the context
        ends. (The caller looks for Lua errors in what it reads.)"""
        with self._invocation(pcap, lua, args, prefs, strict) as (argv, env), \
                tempfile.TemporaryFile() as stderr:
            try:
                proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=stderr)
            except FileNotFoundError as exc:
                raise TsharkError(f"cannot start tshark: {exc}") from None
            try:
                yield proc.stdout
                while proc.stdout.read(1 << 16):
                    pass
            except BaseException:
                proc.kill()
                raise
            finally:
                proc.stdout.close()
                proc.wait()
            stderr.seek(0)
            self._judge(proc.returncode, stderr.read(), pcap)

    def _judge(self, returncode: int, stderr: bytes, pcap: str) -> None:
        """Fail on a non-zero exit or on any stderr line that is not tolerated;
        Wireshark's own dissector bugs are kept in ``warnings``."""
        unexpected, warnings = [], []
        for line in stderr.decode("utf-8", "replace").splitlines():
            if not line.strip() or line.strip() in TOLERATED_STDERR:
                continue
            bug = _DISSECTOR_BUG.search(line)
            if bug and not bug.group(1).lower().startswith(self.own_protocols):
                warnings.append(line.strip())
            else:
                unexpected.append(line)
        self.warnings = tuple(warnings)
        if returncode != 0 or unexpected:
            raise TsharkError(f"tshark ({self.label}) failed (exit {returncode}) on {pcap}:\n"
                              + "\n".join(unexpected[:40]))

    def info_column(self, pcap: str, lua: str, display_filter: str, prefs: dict | None = None) -> dict[int, str]:
        """Frame number -> Info column text, as Wireshark shows it.

        Read from the column display, not from ``-e _ws.col.info``: in
        Wireshark 4.4 that field is filled before postdissectors run, so it
        misses what a Lua postdissector sets (4.0 has it after).
        """
        cols = dict(prefs or {})
        cols["gui.column.format"] = '"No.","%m","Info","%i"'
        out = self.run(pcap, lua, ["-2", "-R", "frame", "-Y", display_filter], cols)
        rows = {}
        for line in out.splitlines():
            number, _, info = line.strip().partition(" ")
            rows[int(number)] = info.strip()
        return rows


def _tool(name: str) -> str:
    path = shutil.which(name, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin")
    if path is None:
        raise TsharkError(f"{name} not found: it is needed to run tshark as an unprivileged user")
    return path


class _Stage:
    """Inputs linked or copied where the unprivileged tshark can read them."""

    def __init__(self, work: str, root: str | None) -> None:
        self.work = work
        self.root = root
        self.n = 0

    def inside(self, path: str) -> str:
        return "/" + os.path.relpath(path, self.root) if self.root else path

    def file(self, path: str) -> str:
        self.n += 1
        dest = os.path.join(self.work, f"{self.n}-{os.path.basename(path)}")
        try:
            os.link(path, dest)
            readable = os.stat(dest).st_mode & 0o004
        except OSError:
            readable = False
        if not readable:
            if os.path.exists(dest):
                os.unlink(dest)
            shutil.copyfile(path, dest)
            os.chmod(dest, 0o644)
        return self.inside(dest)

    def plugin(self, path: str, folder: str) -> None:
        """A copy of the plugin in ``folder``, readable by the unprivileged tshark."""
        os.makedirs(folder, mode=0o755, exist_ok=True)
        dest = os.path.join(folder, os.path.basename(path))
        shutil.copyfile(path, dest)
        os.chmod(dest, 0o644)
