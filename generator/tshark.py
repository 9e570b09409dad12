"""Run tshark with a generated Lua dissector, the same way for tests and ``check``.

Every run gets a fresh, empty HOME and configuration folder (no user plugin or
preference leaks in), ``LC_ALL=C``, and the Lua strict mode on, so a Lua
runtime error stops tshark with a traceback. It fails loudly: tshark missing,
a non-zero exit, a Lua load error or any unexpected line on stderr.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field

STRICT_ENV = "DISSECTGEN_LUA_STRICT"
# The only stderr line tolerated: tshark 4.0's warning when run as root.
TOLERATED_STDERR = ('Running as user "root" and group "root". This could be dangerous.',)


class TsharkError(RuntimeError):
    pass


@dataclass
class Tshark:
    """How to start tshark: a path, or a wrapper command (e.g. a chroot runner)."""

    command: list[str] = field(default_factory=lambda: ["tshark"])

    @classmethod
    def find(cls, spec: str | None = None) -> "Tshark":
        spec = spec or os.environ.get("DISSECTGEN_TSHARK") or "tshark"
        parts = spec.split()
        exe = shutil.which(parts[0])
        if exe is None:
            raise TsharkError(f"tshark not found ({spec!r}): install it (apt-get install -y tshark) "
                              f"or name it with --tshark / DISSECTGEN_TSHARK")
        return cls([exe, *parts[1:]])

    def version(self) -> str:
        out = subprocess.run([*self.command, "--version"], capture_output=True, text=True, timeout=60)
        return out.stdout.splitlines()[0] if out.stdout else out.stderr.strip()

    def run(self, pcap: str, lua: str | None = None, args: list[str] = (), prefs: dict | None = None,
            strict: bool = True, timeout: float = 1200) -> str:
        """tshark -r PCAP [-X lua_script:LUA] ARGS; returns stdout."""
        cmd = [*self.command, "-n", "-r", pcap]
        if lua:
            cmd += ["-X", f"lua_script:{os.path.abspath(lua)}"]
        for key, value in sorted((prefs or {}).items()):
            cmd += ["-o", f"{key}:{value}"]
        cmd += list(args)
        with tempfile.TemporaryDirectory(prefix="dissectgen-home-") as home:
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": home,
                "XDG_CONFIG_HOME": os.path.join(home, ".config"),
                "WIRESHARK_CONFIG_DIR": os.path.join(home, "wireshark"),
                "LC_ALL": "C",
            }
            if strict:
                env[STRICT_ENV] = "1"
            try:
                proc = subprocess.run(cmd, capture_output=True, env=env, timeout=timeout)
            except FileNotFoundError as exc:
                raise TsharkError(f"cannot start tshark: {exc}") from None
        stderr = proc.stderr.decode("utf-8", "replace")
        unexpected = [line for line in stderr.splitlines() if line.strip() and line.strip() not in TOLERATED_STDERR]
        if proc.returncode != 0 or unexpected:
            raise TsharkError(f"tshark failed (exit {proc.returncode}) on {pcap}:\n" + "\n".join(unexpected[:40]))
        stdout = proc.stdout.decode("utf-8", "replace")
        if "_ws.lua.error" in stdout:
            raise TsharkError(f"Lua error reported by Wireshark while dissecting {pcap}")
        return stdout

    def pdml(self, pcap: str, lua: str, prefs: dict | None = None, display_filter: str | None = None) -> str:
        args = ["-2", "-T", "pdml"]
        if display_filter:
            args += ["-Y", display_filter]
        return self.run(pcap, lua, args, prefs)
