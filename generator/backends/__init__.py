"""Backends: one peer per target language, each rendering ``generator.model``
with templates only (``lua``: the Wireshark Lua plugin, with lua_templates/).
May import ``generator.model`` and ``generator.names``; never scapy or the frontend.
"""

from .output import write_atomically

__all__ = ["write_atomically"]
