"""MS-TRP (Telephony Remote Protocol): the TAPI messages, their spec rules and
constants, the tapsrv DCE/RPC carrier, and the tools around them.

    >>> from scapy_layers.mstrp import SetAgentSessionState, read_tapi

``layers`` (the message classes and dispatch), ``constants``, ``tapsrv`` (the
carrier), ``protocol`` (what the generator reads: ``PROTOCOL``), ``capture``
(``read_tapi``), ``craft``, ``fuzz``, ``server`` and ``show``. The generator
reads this package as ``scapy_layers.mstrp``: the classes named in ``__all__``.
"""

from . import layers
from .capture import TapiRecord, read_tapi
from .layers import *  # noqa: F403 - the package is the layers' public face
from .protocol import PROTOCOL

__all__ = [*layers.__all__, "PROTOCOL", "TapiRecord", "read_tapi"]
