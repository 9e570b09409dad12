"""Test layer: scapy's NBytesField and XNBytesField, unsigned big-endian integers
of any number of bytes (BFD's and STAMP's timestamps, Bluetooth's fields). Up to
8 bytes (not 7) they are integers of that size; wider, their bytes."""

from scapy.fields import ByteField, NBytesField, XNBytesField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers


class NBytes(Packet):
    name = "N bytes"
    fields_desc = [NBytesField("three", 0, 3), XNBytesField("five", 0, 5), NBytesField("six", 0, 6),
                   XNBytesField("seven", 0, 7), NBytesField("eight", 0, 8), XNBytesField("twelve", 0, 12),
                   ByteField("after", 0)]


PORTS = {NBytes: 40960}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
