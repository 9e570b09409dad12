"""Test layers: scapy code the generator runs (probes) or the check must read past.

``Marked.dispatch_hook`` makes a Marked only after a 6-byte marker of 0xff (as
BGP's header needs its 16-byte marker), else scapy's Raw: no byte within the
key's reach decides alone, yet the probes give Raw and Marked; no key explains
it, so the dissectors decode ``Marked`` and say scapy may choose another class.

``Framed.dispatch_hook`` chooses by bytes 8-9 (as Ethernet tells 802.3 by its
type at byte 12), beyond the probes' reach: ``Carrier.frame``, a PacketField of
it, is left undecoded, and said so.

``Keyed.post_dissection`` raises on a key shorter than 2 bytes (as TLS's
ServerDHParams refuses a DH prime under 512 bits when it registers it): scapy
read every field, only its session bookkeeping failed.

``Flagged.flags`` is a MultiFlagsField (HTTP/2's frame flags): scapy's value is a
set of flag names, whose number on the wire its i2m gives.
"""

from scapy.config import conf
from scapy.fields import (ByteField, FieldLenField, MultiFlagsEntry, MultiFlagsField, PacketField, ShortField, StrFixedLenField,
                          StrLenField)
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers

MARK = b"\xff" * 6


class Marked(Packet):
    name = "Marked"
    fields_desc = [StrFixedLenField("marker", MARK, 6), ByteField("type", 1), ByteField("value", 0)]

    @classmethod
    def dispatch_hook(cls, _pkt=None, *args, **kargs):
        if _pkt is None or (len(_pkt) >= 8 and _pkt[:6] == MARK):
            return cls
        return conf.raw_layer


class Tagged(Packet):
    """What Framed makes of a kind of 1500 or less (802.3's length)."""

    name = "Tagged"
    fields_desc = [StrFixedLenField("dst", b"", 4), StrFixedLenField("src", b"", 4), ShortField("kind", 0)]


class Framed(Packet):
    name = "Framed"
    fields_desc = [StrFixedLenField("dst", b"", 4), StrFixedLenField("src", b"", 4), ShortField("kind", 0x800),
                   ShortField("extra", 0)]

    @classmethod
    def dispatch_hook(cls, _pkt=None, *args, **kargs):
        if _pkt and len(_pkt) >= 10 and int.from_bytes(_pkt[8:10], "big") <= 1500:
            return Tagged
        return cls


class Carrier(Packet):
    name = "Carrier"
    fields_desc = [ByteField("code", 0), PacketField("frame", None, Framed)]


class Keyed(Packet):
    name = "Keyed"
    fields_desc = [ShortField("group", 0), FieldLenField("size", None, length_of="key", fmt="B"),
                   StrLenField("key", b"", length_from=lambda pkt: pkt.size)]

    @classmethod
    def dispatch_hook(cls, _pkt=None, *args, **kargs):
        return cls  # as TLS's extensions choose their class: here always this one

    def post_dissection(self, pkt):
        if len(self.key) < 2:
            raise ValueError("key shorter than 2 bytes")


class Flagged(Packet):
    name = "Flagged"
    fields_desc = [ByteField("type", 0),
                   MultiFlagsField("flags", set(), 8, {
                       0: {0: MultiFlagsEntry("E", "End"), 3: MultiFlagsEntry("P", "Padded")},
                       1: {2: MultiFlagsEntry("A", "Ack")}}, depends_on=lambda pkt: pkt.getfieldval("type")),
                   ShortField("stream", 0)]


PORTS = {Marked: 41732, Carrier: 41733, Keyed: 41734, Flagged: 41735}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
