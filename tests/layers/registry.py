"""Test layer: a dispatch_hook that looks its identifier up in a registry that
is empty, so it always makes another class from 4 bytes on (as AUTOSAR's
SecOC_PDU makes a PDU until a user registers an identifier).

``Registered`` holds its data as a Raw sub-packet, so scapy's Raw is a message
of this protocol; ``Record``, the class the hook makes, binds no payload, so its
data (a Raw payload in scapy) are trailing bytes for the dissectors.
"""

import struct

from scapy.config import conf
from scapy.fields import ByteField, FieldLenField, IntField, PacketLenField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers


class Record(Packet):
    """What an identifier nobody registered is: its data is its payload, what follows padding."""

    name = "Record"
    fields_desc = [IntField("ident", 0), IntField("dlen", 0)]

    def extract_padding(self, s):
        return s[:self.dlen], s[self.dlen:]


class Registered(Packet):
    name = "Registered"
    registry: dict = {}  # identifier -> class of its data; filled at run time, by users
    fields_desc = [IntField("ident", 0), FieldLenField("dlen", None, length_of="data", fmt="I"),
                   PacketLenField("data", None, conf.raw_layer, length_from=lambda pkt: pkt.dlen),
                   ByteField("check", 0)]

    @classmethod
    def dispatch_hook(cls, _pkt=None, *args, **kargs):
        if _pkt is None:
            return cls
        if len(_pkt) < 4:
            return conf.raw_layer
        return cls if struct.unpack(">I", _pkt[:4])[0] in cls.registry else Record


PORT = 40654
bind_layers(UDP, Registered, dport=PORT)
