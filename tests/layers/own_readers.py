"""Test layers: classes with a do_dissect of their own.

``Worded`` reads its bytes with code of its own (as HICP's and HTTP's classes
do), not through its fields: the generator cannot know what it reads, and the
message is one undecoded item. ``Warned`` calls scapy's own do_dissect and only
looks at the result (GARP's warns): it reads as its fields say, and is decoded.
"""

from scapy.fields import ByteField, ShortField, StrField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers


class Worded(Packet):
    name = "Worded"
    fields_desc = [StrField("command", b"")]

    def do_dissect(self, s):
        for word in (b"SCAN", b"WINK"):
            if s.startswith(word):
                self.command = word
                return s[len(word):]
        self.command = s
        return b""


class Warned(Packet):
    name = "Warned"
    fields_desc = [ByteField("event", 0), ShortField("value", 0)]

    def do_dissect(self, s):
        s = super().do_dissect(s)
        if self.event == 0 and self.value:
            self.warned = True
        return s


PORTS = {Worded: 40668, Warned: 40669}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
