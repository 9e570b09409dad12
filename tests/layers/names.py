"""Test layers: domain names as scapy's library reads them (dns's DNSStrField,
compression pointers included, and gtp's FQDNField), each bound to a UDP port."""

from scapy.contrib.gtp import FQDNField
from scapy.fields import ByteField, PacketListField, ShortField
from scapy.layers.dns import DNSCompressedPacket, DNSStrField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers


class NameRecord(Packet):
    """As DNS's question: a name, then a type."""

    name = "Name record"
    fields_desc = [DNSStrField("rname", ""), ShortField("rtype", 1)]

    def extract_padding(self, s):
        return b"", s


class NameMessage(DNSCompressedPacket):
    """As a DNS message: its names' compression pointers point into its own bytes."""

    name = "Name message"
    fields_desc = [
        ShortField("id", 0),
        ByteField("count", None),
        PacketListField("records", [], NameRecord, count_from=lambda pkt: pkt.count),
        ByteField("nlen", None),
        DNSStrField("bounded", "", length_from=lambda pkt: pkt.nlen),
        ShortField("after", 0),
        DNSStrField("last", ""),
    ]

    def get_full(self):
        return self.original


class LengthNameMessage(DNSCompressedPacket):
    """As DNS over TCP (DNSTCP): a length first, then a message its pointers point into."""

    name = "Length name message"
    fields_desc = [ShortField("length", None), PacketListField("records", [], NameRecord)]

    def get_full(self):
        return self.original[2:]


class LooseName(Packet):
    """A name outside any DNS message: a pointer in it points nowhere (scapy fails)."""

    name = "Loose name"
    fields_desc = [DNSStrField("name", ""), ShortField("tail", 0)]


class Fqdn(Packet):
    """As gtp_v2's IE_FQDN: labels without a 0 label, to the end of a length."""

    name = "FQDN"
    fields_desc = [ByteField("length", None), FQDNField("fqdn", b"", length_from=lambda pkt: pkt.length),
                   ShortField("end", 0)]


PORTS = {NameMessage: 41401, LooseName: 41402, Fqdn: 41403, LengthNameMessage: 41404}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
