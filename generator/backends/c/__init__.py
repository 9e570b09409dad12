"""The C backend: ``model.Protocol`` -> the source of a native Wireshark plugin
(packet-<proto>.c, plugin.c, CMakeLists.txt), and its compilation."""

from .build import BuildError, build_plugin, wireshark_version
from .render import CBackendError, c_str, environment, render

__all__ = ["BuildError", "CBackendError", "build_plugin", "c_str", "environment", "render", "wireshark_version"]
