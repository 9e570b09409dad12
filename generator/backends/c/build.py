"""Compiling the generated C into a Wireshark plugin (.so), against the headers
of the Wireshark that will load it: the machine's, or a Debian root's (run in
a chroot, as its tshark is).

The build is the one README.plugins describes for one file set out of tree,
without CMake: gcc, -Wall -Wextra -Werror, and pkg-config's flags for
wireshark. A missing compiler or missing headers is one line saying what to
install.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile

WARNINGS = ["-Wall", "-Wextra", "-Werror"]
OPTIMIZE = ["-O2"]
# AddressSanitizer and UBSan: any report aborts tshark (the fuzz test counts on it)
SANITIZE = ["-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined", "-fno-sanitize-recover=all"]
PACKAGES = "gcc libc6-dev pkg-config libwireshark-dev"


class BuildError(RuntimeError):
    """The plugin cannot be built here; the message says what to install or what failed."""


def _install_hint(root: str | None) -> str:
    where = f"chroot {root} apt-get install -y {PACKAGES}" if root else f"apt-get install -y {PACKAGES}"
    return f"install the compiler and Wireshark's headers: {where}"


def _run(cmd: list[str], root: str | None, cwd: str | None = None) -> subprocess.CompletedProcess:
    if root:
        chroot = shutil.which("chroot", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
        if chroot is None:
            raise BuildError("chroot not found: it is needed to build against a Debian root")
        inner = " ".join(_quote(c) for c in cmd)
        cmd = [chroot, root, "/bin/sh", "-c", f"cd {_quote(cwd or '/')} && {inner}"]
        cwd = None
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env={
        "PATH": "/usr/bin:/bin", "LC_ALL": "C", "HOME": "/tmp"})


def _quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


# Where the installed Wireshark names its version: ws_version.h, or (3.4, which
# has none) its config.h; the same order as the generated version.c.j2.
_VERSION_HEADERS = (("ws_version.h", "WIRESHARK_VERSION_"), ("config.h", "VERSION_"))


def wireshark_version(root: str | None = None) -> str:
    """major.minor of the Wireshark whose headers are installed (the plugin folder's name)."""
    folder = os.path.join(root or "/", "usr/include/wireshark")
    for name, prefix in _VERSION_HEADERS:
        header = os.path.join(folder, name)
        try:
            text = open(header, encoding="utf-8").read()
        except OSError:
            continue
        major = re.search(rf"#define {prefix}MAJOR (\d+)", text)
        minor = re.search(rf"#define {prefix}MINOR (\d+)", text)
        if not major or not minor:
            raise BuildError(f"{header}: no {prefix}MAJOR/MINOR")
        return f"{major.group(1)}.{minor.group(1)}"
    raise BuildError(f"no Wireshark headers ({os.path.join(folder, _VERSION_HEADERS[0][0])}): "
                     f"{_install_hint(root)}")


def _flags(root: str | None) -> list[str]:
    gcc = os.path.join(root or "/", "usr/bin/gcc")
    pkg_config = os.path.join(root or "/", "usr/bin/pkg-config")
    if not os.path.exists(gcc) or not os.path.exists(pkg_config):
        raise BuildError(f"no C compiler or pkg-config{' in ' + root if root else ''}: {_install_hint(root)}")
    wireshark_version(root)
    proc = _run(["pkg-config", "--cflags", "--libs", "wireshark"], root)
    if proc.returncode != 0:
        raise BuildError(f"pkg-config knows no wireshark{' in ' + root if root else ''}: {_install_hint(root)}")
    return proc.stdout.split()


def build_plugin(files: dict[str, str], output: str, root: str | None = None, sanitize: bool = False) -> str:
    """Compile the rendered ``files`` (name -> text) into ``output`` (a .so), atomically.

    ``root``: a Debian root whose compiler and headers to use (run in a chroot).
    Returns the Wireshark major.minor the plugin was built for.
    """
    flags = _flags(root)
    version = wireshark_version(root)
    base = os.path.join(root, "tmp") if root else None
    with tempfile.TemporaryDirectory(prefix="dissectgen-build-", dir=base) as work:
        for name, text in files.items():
            with open(os.path.join(work, name), "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
        sources = sorted(n for n in files if n.endswith(".c"))
        inner = "/" + os.path.relpath(work, root) if root else work
        cmd = ["gcc", *(SANITIZE if sanitize else OPTIMIZE), *WARNINGS, "-shared", "-fPIC",
               "-o", "plugin.so", *sources, *flags]
        proc = _run(cmd, root, cwd=inner)
        if proc.returncode != 0:
            raise BuildError("gcc failed on the generated plugin:\n" + (proc.stderr or proc.stdout)[-4000:])
        folder = os.path.dirname(os.path.abspath(output))
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".dissectgen-", suffix=".so.tmp", dir=folder)
        os.close(fd)
        try:
            shutil.copyfile(os.path.join(work, "plugin.so"), tmp)
            os.chmod(tmp, 0o755)
            os.replace(tmp, output)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    return version
