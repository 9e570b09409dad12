"""Test layer: a class whose look-up of a name it lacks never ends, as scapy's
NDRSerialization1Header's does when no NDR payload follows it (its
getfield_and_val asks itself again). The check must not ask such a packet for
names of our own layers (violations, truncated)."""

from scapy.fields import ByteField, LEShortField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers


class Endless(Packet):
    name = "Endless"
    fields_desc = [ByteField("version", 1), LEShortField("length", 8)]

    def getfield_and_val(self, attr):
        try:
            return Packet.getfield_and_val(self, attr)
        except ValueError:
            return self.getfield_and_val(attr)


PORT = 40655
bind_layers(UDP, Endless, dport=PORT)
