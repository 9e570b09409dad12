"""``dissectgen survey``: the generator's scoreboard over scapy's own layer library.

For each Packet class of the modules surveyed: generate its dissector, bind it
to a UDP port of its own, craft survey packets (the default packet, seeded
``fuzz()`` packets, and a packet with its lists and strings populated), and
``check`` scapy against Wireshark on them. ``classes`` finds the classes,
``packets`` crafts, ``run`` does one class, ``report`` writes the tables.
May import the frontend, the backends, the check, scapy and scapy_layers.traffic.
"""

from .report import report_json, report_markdown
from .run import Outcome, survey

__all__ = ["Outcome", "report_json", "report_markdown", "survey"]
