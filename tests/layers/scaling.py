"""Test layers: scapy's ScalingField, a physical value carried as an integer.

Sizes 1 to 8 bytes, signed and little-endian, scalings below one, integer
and float offsets, several ndigits, with and without a unit; a ScalingField
of scaling 1 and offset 0 stays an integer (with its unit); one is conditional; and
BCDFloatField, 256ths. Bound to UDP ports
as the other test layers are.
"""

from scapy.fields import BCDFloatField, ByteField, ConditionalField, ScalingField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers


class Scaled(Packet):
    name = "Scaled values"
    fields_desc = [
        ScalingField("percent", 0, scaling=100 / 255, unit="%"),  # OBD's throttle position
        ScalingField("celsius", 0, offset=-40, unit="°C"),  # integers: an integer value
        ScalingField("volts", 0, scaling=0.005, fmt="B", unit="V"),
        ScalingField("rpm", 0, scaling=1 / 4, fmt="!H", unit="min-1"),
        ScalingField("signed", 0, scaling=0.1, offset=-1, fmt="!h", ndigits=1),
        ScalingField("le32", 0, scaling=0.001, offset=0.5, fmt="<i", ndigits=6, unit="mm"),
        ScalingField("times", 0, scaling=3, offset=7, fmt="<H"),  # integers, little-endian
        ScalingField("coarse", 0, scaling=2.5, fmt="B", ndigits=0),
        ScalingField("big", 0, scaling=1e-07, fmt="<Q", unit="s"),
        ScalingField("count", 0, fmt="!Q", unit="sec"),  # scaling 1, offset 0: the raw integer
        ByteField("after", 0),
        ConditionalField(ScalingField("extra", 0, scaling=0.5, fmt="!H", unit="A"), lambda pkt: pkt.after == 9),
    ]


class Timed(Packet):
    """STP's times: BCDFloatField, a value of 1/256ths."""

    name = "Timed"
    fields_desc = [BCDFloatField("age", 1), BCDFloatField("maxage", 20)]


PORTS = {Scaled: 40701, Timed: 40702}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
