"""Test layers: fields named as the generated code names its own things.

``Notice``'s last field is called ``message`` (as EAP's, PPP's, SSH's and
DHCPv6's are): the dissectors name the message's own item apart from it.
"""

from scapy.fields import ByteField, FieldLenField, StrLenField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers


class Notice(Packet):
    name = "Notice"
    fields_desc = [ByteField("code", 1), FieldLenField("len", None, length_of="message", fmt="B"),
                   StrLenField("message", b"", length_from=lambda pkt: pkt.len)]


PORTS = {Notice: 41701}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
