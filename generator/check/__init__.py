"""The differential check: scapy and a generated dissector agree, field by field.

``tshark`` runs the real tshark (clean configuration, unprivileged, strict Lua);
``pdml`` reads its output; ``scapy_items`` lays out scapy's dissection the same
way; ``compare`` pairs the two per message; ``report`` prints the result.
May import ``generator.model``, the frontend, the backends, scapy and ``scapy_layers.spec``.
"""

from .compare import Checker, Disagreement, PcapResult, Side
from .report import report_json, report_text, side_by_side
from .tshark import Tshark, TsharkError

__all__ = ["Checker", "Disagreement", "PcapResult", "Side", "Tshark", "TsharkError", "report_json",
           "report_text", "side_by_side"]
