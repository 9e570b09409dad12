"""Test layers: address prefixes as scapy's library reads them (a length in
bits, then the bytes it needs): IPPrefixField and IP6PrefixField (isis,
ospf), whose length is an earlier field's, and bgp's BGPFieldIPv4 and
BGPFieldIPv6, which hold their own; each bound to a UDP port."""

from scapy.contrib.bgp import BGPFieldIPv4, BGPFieldIPv6
from scapy.fields import ByteField, IP6PrefixField, IPPrefixField, ShortField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers


class Prefixes(Packet):
    """As isis's extended IP reachability (bytes) and ospf's prefixes (4-byte words)."""

    name = "Prefixes"
    fields_desc = [
        ByteField("len4", None),
        IPPrefixField("p4", None, wordbytes=1, length_from=lambda pkt: pkt.len4),
        ByteField("len6", None),
        IP6PrefixField("p6", None, wordbytes=4, length_from=lambda pkt: pkt.len6),
        ShortField("tail", 0),
    ]


class BgpPrefixes(Packet):
    """As bgp's NLRI: each prefix says its own length."""

    name = "BGP prefixes"
    fields_desc = [BGPFieldIPv4("v4", "0.0.0.0/0"), BGPFieldIPv6("v6", "::/0"), ShortField("tail", 0)]


PORTS = {Prefixes: 41411, BgpPrefixes: 41412}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
