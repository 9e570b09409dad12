"""The Lua backend: ``model.Protocol`` -> one Wireshark Lua plugin."""

from .render import environment, lua_str, render

__all__ = ["environment", "lua_str", "render"]
