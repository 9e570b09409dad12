"""What a layer module declares about itself beyond its classes.

A module may define ``PROTOCOL = ProtocolInfo(...)``: its display name, the
dispatch that picks message classes, the carriers whose fields hold its
messages and the reader that finds them in a capture. Modules without one are
read class by class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from scapy.packet import Packet

from .dispatch import Dispatch


@dataclass(frozen=True)
class Carrier:
    """``stub.field`` holds one message of ``dispatch``, in ``role`` direction.

    The stub is an NDR class registered with scapy's register_dcerpc_interface.
    Declare one with ``carry``, which also tells the stub class.
    """

    stub: type[Packet]
    field: str
    dispatch: Dispatch
    role: str  # "request" | "reply"


def carry(stub: type[Packet], field: str, dispatch: Dispatch, role: str) -> Carrier:
    """Declare that ``stub.field`` holds a ``dispatch`` message, as bind_layers does
    for payloads: the stub class keeps the declaration in ``carried[field]``, so
    the carrier module never imports the protocol it carries."""
    carrier = Carrier(stub, field, dispatch, role)
    stub.carried = {**stub.__dict__.get("carried", {}), field: carrier}
    return carrier


@dataclass(frozen=True)
class ProtocolInfo:
    abbrev: str  # Wireshark filter prefix
    title: str
    short_name: str = ""  # what Wireshark names it in lists and columns; default: abbrev upper-cased
    dispatch: Dispatch | None = None
    carriers: tuple[Carrier, ...] = ()
    # reader(pcap_path, decode_as) -> records with .frame, .packet and .stub, in
    # frame order as the capture is read: its carried messages, for the check.
    # (A record may also tell .stub_truncated and .stub_class, which spares the
    # check dissecting every stub.)
    reader: Callable[[str, str | None], Iterable] | None = None
