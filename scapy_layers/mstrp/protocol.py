"""MS-TRP as the generator reads it: the TAPI dispatch, carried in the pBuffer of
tapsrv ClientRequest calls [MS-TRP 3.1.4.2], read from captures by ``iter_tapi``."""

from __future__ import annotations

from ..spec import ProtocolInfo, carry
from .capture import iter_tapi
from .layers import TAPI
from .tapsrv import ClientRequest_Request, ClientRequest_Response

PROTOCOL = ProtocolInfo(
    abbrev="mstrp",
    title="MS-TRP (Telephony Remote Protocol)",
    short_name="MS-TRP",
    dispatch=TAPI,
    carriers=(
        carry(ClientRequest_Request, "pBuffer", TAPI, "request"),
        carry(ClientRequest_Response, "pBuffer", TAPI, "reply"),
    ),
    reader=iter_tapi,
)
