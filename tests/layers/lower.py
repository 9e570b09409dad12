"""Test layers bound below UDP: to an EtherType and to an IP protocol number
(IPv4's protocol and IPv6's next header), as bind_layers does for scapy's own
layers. Wireshark finds them in its "ethertype" and "ip.proto" tables."""

from scapy.fields import ByteField, IntField, ShortField, StrField
from scapy.layers.inet import IP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Ether
from scapy.packet import Packet, bind_layers

ETHERTYPE = 0x88B5  # IEEE 802 local experimental EtherType 1
IP_PROTO = 253  # RFC 3692 experimentation and testing


class OverEther(Packet):
    name = "Over Ethernet"
    fields_desc = [ShortField("kind", 0), IntField("value", 0), StrField("rest", b"")]


class OverIP(Packet):
    name = "Over IP"
    fields_desc = [ByteField("kind", 0), ShortField("value", 0), StrField("rest", b"")]


bind_layers(Ether, OverEther, type=ETHERTYPE)
bind_layers(IP, OverIP, proto=IP_PROTO)
bind_layers(IPv6, OverIP, nh=IP_PROTO)
