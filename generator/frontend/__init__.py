"""The frontend: scapy layer classes -> the typed model (``generator.model``).

``protocol`` is the entry (``load``, ``build``); ``loading`` imports layer
modules; ``builder`` walks messages; ``fields`` translates each field kind;
``expressions`` and ``trace`` translate lambdas, spec rules and summaries;
``bindings`` reads dispatch tables, bind_layers and DCE/RPC carriers.
May import scapy, ``scapy_layers.spec``, ``generator.model`` and ``generator.names``.
"""

from .errors import GeneratorError
from .loading import load_module
from .protocol import Translation, build, load

__all__ = ["GeneratorError", "Translation", "build", "load", "load_module"]
