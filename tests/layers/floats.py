"""Test layer: IEEE 754 numbers, scapy's IEEEFloatField and IEEEDoubleField
(big-endian, as ISIS's bandwidths and Netflow's fields use them) and a plain
Field of a little-endian float format."""

from scapy.fields import ByteField, Field, IEEEDoubleField, IEEEFloatField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers


class Floats(Packet):
    name = "Floats"
    fields_desc = [IEEEFloatField("single", 0), IEEEDoubleField("double", 0), Field("le_single", 0, fmt="<f"),
                   Field("le_double", 0, fmt="<d"), ByteField("after", 0)]


PORTS = {Floats: 40961}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
