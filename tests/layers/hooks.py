"""Test layers: dispatch_hooks that no key table explains.

``Registered.dispatch_hook`` looks its identifier up in a registry that is
empty, so it always makes another class from 4 bytes on (as AUTOSAR's
SecOC_PDU makes a PDU until a user registers an identifier). ``Registered``
holds its data as a Raw sub-packet, so scapy's Raw is a message of this
protocol; ``Record``, the class the hook makes, binds no payload, so its data (a
Raw payload in scapy) are trailing bytes for the dissectors.

``Sealed.dispatch_hook`` compares its first and fourth bytes (as 802.11's
Dot11Encrypted tells TKIP by bytes 0, 1 and 3): no key of 1 or 2 adjacent bytes
explains it, so the dissectors decode ``Sealed`` and say scapy may choose another
class.

``Wrapped.dispatch_hook`` tells a BER SEQUENCE by its first byte (as LDAP's
does), else scapy's Raw. Probe bytes are no whole SEQUENCE, so dissecting them
raises; the class is still the hook's choice, and the dissectors make it.
"""

import struct

from scapy.asn1.asn1 import ASN1_Codecs
from scapy.asn1fields import ASN1F_INTEGER, ASN1F_SEQUENCE, ASN1F_STRING
from scapy.asn1packet import ASN1_Packet
from scapy.config import conf
from scapy.fields import ByteField, FieldLenField, IntField, PacketLenField, ShortField
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


class Tkip(Packet):
    name = "Tkip"
    fields_desc = [ByteField("tsc1", 0), ByteField("seed", 0), ShortField("rest", 0)]


class Sealed(Packet):
    name = "Sealed"
    fields_desc = [ShortField("head", 0), ShortField("tail", 0)]

    @classmethod
    def dispatch_hook(cls, _pkt=None, *args, **kargs):
        if _pkt and len(_pkt) >= 4 and _pkt[3] == ((_pkt[0] | 0x20) & 0x7F):
            return Tkip
        return cls


class Wrapped(ASN1_Packet):
    name = "Wrapped"
    ASN1_codec = ASN1_Codecs.BER
    ASN1_root = ASN1F_SEQUENCE(ASN1F_INTEGER("ident", 0), ASN1F_STRING("data", b""))

    @classmethod
    def dispatch_hook(cls, _pkt=None, *args, **kargs):
        if _pkt and _pkt[0] != 0x30:
            return conf.raw_layer
        return cls


PORTS = {Registered: 40654, Sealed: 40658, Wrapped: 41700}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
