"""Running tshark with a plugin built with AddressSanitizer and UBSan: the ASan
runtime of the compiler that built it, preloaded for tshark alone, and a
/proc inside a Debian root while it runs (ASan reads its own memory map)."""

from __future__ import annotations

import os
import subprocess
from contextlib import contextmanager
from typing import Iterator

from .tshark import Tshark, TsharkError


def asan_runtime(root: str | None) -> str:
    """The ASan runtime of the compiler that built the plugin (a path inside ``root``)."""
    cmd = ["gcc", "-print-file-name=libasan.so"]
    if root:
        cmd = ["chroot", root, *cmd]
    path = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=60).stdout.strip()
    if not (os.path.isabs(path) and os.path.exists(os.path.join(root or "/", path.lstrip("/")))):
        raise TsharkError(f"no ASan runtime for the compiler of {root or 'this machine'} (gcc says {path!r})")
    return path


def sanitized(tshark: Tshark) -> Tshark:
    """The same tshark, with the ASan runtime preloaded (the plugin folder's version
    is asked of the plain tshark)."""
    return Tshark(tshark.executable, tshark.root, preload=asan_runtime(tshark.root),
                  _plugin_version=tshark.plugin_folder())


@contextmanager
def proc_mounted(root: str | None) -> Iterator[None]:
    """A /proc in the Debian root for the duration (none needed outside a root)."""
    if root is None or os.path.ismount(os.path.join(root, "proc")):
        yield
        return
    target = os.path.join(root, "proc")
    subprocess.run(["mount", "-t", "proc", "proc", target], check=True, timeout=60)
    try:
        yield
    finally:
        subprocess.run(["umount", target], check=True, timeout=60)
