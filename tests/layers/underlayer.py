"""Test layers: payloads reading the message below them.

``Publish`` reads fields of the ``Header`` below it (scapy's ``pkt.underlayer``),
as MQTT's PUBLISH reads its fixed header's QoS and OSPFv3's Hello its
header's length. Reached on its own port, with no such message below, the
rest of it is undecoded (scapy reads UDP's fields there, or gives up).
``Orphan`` reads a field no class carrying it has: refused."""

from scapy.fields import ByteField, ConditionalField, ShortField, StrLenField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers


class Header(Packet):
    name = "Header"
    fields_desc = [ByteField("kind", 0), ByteField("qos", 0), ShortField("length", 0)]


class Publish(Packet):
    name = "Publish"
    fields_desc = [ByteField("tag", 0),
                   ConditionalField(ShortField("msgid", 0), lambda pkt: pkt.underlayer.qos in (1, 2)),
                   StrLenField("data", b"", length_from=lambda pkt: pkt.underlayer.length
                               - (3 if pkt.underlayer.qos in (1, 2) else 1))]


class Trailer(Packet):
    name = "Trailer"
    fields_desc = [ByteField("a", 0), ByteField("b", 0)]


class Orphan(Packet):
    name = "Orphan"
    fields_desc = [ByteField("tag", 0), StrLenField("data", b"", length_from=lambda pkt: pkt.underlayer.size)]


bind_layers(Header, Publish, kind=3)
bind_layers(Header, Trailer, kind=4)
PORTS = {Header: 41500, Publish: 41501}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
