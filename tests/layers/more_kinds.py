"""Test layers: field classes whose wire format is a known shape though scapy
reads them with code of their own, and the GUID and reversed-MAC addresses.

Each class is bound to its own UDP port, so scapy finds it in a capture by
itself and the generated dissectors register it on that port.
"""

from scapy.contrib.diameter import I3FieldLenField
from scapy.contrib.pfcp import Int40Field
from scapy.contrib.rtps.common_types import EField
from scapy.contrib.scada.iec104.iec104_fields import LEThreeBytesField as IEC104LEThreeBytesField
from scapy.fields import ByteField, IntField, LEMACField, LEShortField, MACField, ShortField, StrLenField, UUIDField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers


class LibraryIntegers(Packet):
    name = "Library integers"
    fields_desc = [
        IEC104LEThreeBytesField("address", 0),  # IEC 104's information object address
        Int40Field("bit_rate", 0),  # PFCP's GBR and MBR
        I3FieldLenField("avp_len", None, length_of="value"),  # Diameter's AVP length
        StrLenField("value", b"", length_from=lambda pkt: pkt.avp_len),
        ByteField("after", 0),
    ]


class GuidKinds(Packet):
    name = "GUID kinds"
    fields_desc = [
        UUIDField("network", None),
        UUIDField("microsoft", None, uuid_fmt=UUIDField.FORMAT_LE),
        ByteField("after", 0),
    ]


class ReversedMac(Packet):
    name = "Reversed MAC"
    fields_desc = [
        LEMACField("reversed", "00:00:00:00:00:00"),
        MACField("plain", "00:00:00:00:00:00"),
        ByteField("after", 0),
    ]


class FixedOrder(Packet):
    """RTPS's EField given a byte order (as its parameter headers are): the
    inner field read in that order, whatever its own."""

    name = "Fixed order"
    fields_desc = [
        EField(ShortField("little", 0), endianness="<"),
        EField(LEShortField("big", 0), endianness=">"),
        EField(IntField("as_is", 0)),
        EField(UUIDField("guid", None), endianness="<"),
    ]


PORTS = {LibraryIntegers: 40661, GuidKinds: 40662, ReversedMac: 40663, FixedOrder: 40664}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
