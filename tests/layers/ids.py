"""Test layers: fixed-size ids scapy's library shows as hex text of its own
(isis's system, node and LSP ids; a UUID with all 16 bytes reversed, as
Bluetooth LE writes it), bound to a UDP port."""

from scapy.contrib.isis import ISIS_LspIdField, ISIS_NodeIdField, ISIS_SystemIdField
from scapy.fields import ShortField, UUIDField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers


class Ids(Packet):
    name = "Ids"
    fields_desc = [
        ISIS_SystemIdField("sysid", None),
        ISIS_NodeIdField("nodeid", None),
        ShortField("mid", 0),
        ISIS_LspIdField("lspid", None),
        UUIDField("svc_uuid", None, uuid_fmt=UUIDField.FORMAT_REV),
        ShortField("tail", 0),
    ]


PORTS = {Ids: 41421}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
