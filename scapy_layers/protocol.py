"""What a layer module declares about itself beyond its classes.

A module may define ``PROTOCOL = ProtocolInfo(...)``: its display name, the
dispatch that picks message classes, and the carriers whose fields hold its
messages. Modules without one are read class by class.
"""

from __future__ import annotations

from dataclasses import dataclass

from scapy.packet import Packet

from .dispatch import Dispatch


@dataclass(frozen=True)
class Carrier:
    """``stub.field`` holds one message of ``dispatch``, in ``role`` direction.

    The stub is an NDR class registered with scapy's register_dcerpc_interface.
    """

    stub: type[Packet]
    field: str
    dispatch: Dispatch
    role: str  # "request" | "reply"


@dataclass(frozen=True)
class ProtocolInfo:
    abbrev: str  # Wireshark filter prefix
    title: str
    dispatch: Dispatch | None = None
    carriers: tuple[Carrier, ...] = ()
