"""MS-TRP (Telephony Remote Protocol) TAPI messages.

Every ClientRequest buffer is a TAPI32_MSG [MS-TRP 2.2.5.2]: a 60-byte header
(Req_Func or, in the returned buffer, Ack_ReturnValue; Reserved1; 13 parameter
DWORDs) then VarData. Buffer contents are little-endian whatever the NDR data
representation. Requests are dispatched on Req_Func through ``TAPI``, also when
shorter than the header; replies by the Req_Func of the request they answer.

    >>> from scapy_layers.mstrp import SetAgentSessionState
    >>> pkt = SetAgentSessionState(hLine=0x10001, dwAgentSessionState=2)
    >>> pkt.violations()
    []
"""

from __future__ import annotations

from scapy.fields import (
    LEIntEnumField,
    LEIntField,
    StrField,
    XLEIntEnumField,
    XLEIntField,
)

from ..spec import (
    BufferLength,
    Dispatch,
    F,
    SpecPacket,
    SpecRule,
    all_of,
    any_of,
    eq,
    ge,
    le,
    lt,
    ne,
    not_,
    one_of,
    request,
    single_bit,
)
from .constants import (
    LINEAGENTSESSIONSTATE,
    LINEAGENTSTATEEX,
    LINEERR,
    LINEPROXYREQUEST,
    REQ_FUNC,
    TAPI_ACK,
)

__all__ = [
    "ACK_RETURN_VALUES",
    "LINEAGENTSESSIONSTATE",
    "LINEAGENTSTATEEX",
    "LINEERR",
    "LINEPROXYREQUEST",
    "REQ_FUNC",
    "SET_AGENT_SESSION_STATE_ERRORS",
    "SetAgentSessionState",
    "SetAgentSessionStateReply",
    "TAPI",
    "TAPI32_ACK",
    "TAPI32_MSG",
    "TAPI32_MSG_SIZE",
]

# MS-TRP 2.2.5.2: Req_Func, Reserved1 and MAX_TAPI_FUNC_ARGS (13) DWORDs.
TAPI32_MSG_SIZE = 60
MAX_TAPI_FUNC_ARGS = 13

# Ack_ReturnValue names: TAPI32_MSG's own acks and every LINEERR_ code.
ACK_RETURN_VALUES = {**TAPI_ACK, **LINEERR}
TAPIERR_INVALRPCCONTEXT = 0x0000F101
LINEERR_FIRST = 0x80000000

# MS-TRP 2.2.4.1.3.60, Return Values of SetAgentSessionState.
SET_AGENT_SESSION_STATE_ERRORS = {
    v: LINEERR[v]
    for v in (
        0x8000005A,  # LINEERR_INVALAGENTSTATE
        0x8000002B,  # LINEERR_INVALLINEHANDLE
        0x80000032,  # LINEERR_INVALPARAM
        0x80000044,  # LINEERR_NOMEM
        0x80000048,  # LINEERR_OPERATIONFAILED
        0x80000049,  # LINEERR_OPERATIONUNAVAIL
        0x8000004B,  # LINEERR_RESOURCEUNAVAIL
        0x80000050,  # LINEERR_UNINITIALIZED
    )
}

# A zero dwAgentSessionState or dwNextAgentSessionState leaves that state
# unchanged (MS-TRP 3.1.4.1.2, Req_Func 155: only nonzero values are checked).
AGENT_SESSION_STATE_OR_UNCHANGED = {0: "unchanged", **LINEAGENTSESSIONSTATE}


class AckReturnValueField(XLEIntEnumField):
    """Ack_ReturnValue: a TAPI32_MSG ack or LINEERR_ code by name, else a request id.

    In hex, as Windows and its tools write LINEERR_ codes. MS-TRP
    2.2.4.1.3.60: "A nonzero request ID value indicates that the request is
    in progress and will complete asynchronously": ``unknown_label`` names
    every value the table does not (the generator shows it in place of
    "Unknown").
    """

    unknown_label = "pending, request id"

    def i2repr(self, pkt, x):
        if x is None or x in self.i2s:
            return super().i2repr(pkt, x)
        return f"{self.unknown_label} {x}"


def _params():
    return [XLEIntField(f"Param{i}", 0) for i in range(1, MAX_TAPI_FUNC_ARGS + 1)]


# --- rules shared by every TAPI32_MSG

BUFFER_LENGTH = SpecRule(
    "buffer_length",
    "buffer is shorter than the 60-byte TAPI32_MSG header",
    must=ge(BufferLength(), TAPI32_MSG_SIZE),
    severity="error",
    group="malformed",
    spec="MS-TRP 3.1.4.1.2 (lNeededSize < sizeof TAPI32_MSG)",
)
RESERVED1_ZERO = SpecRule(
    "reserved1_zero",
    "Reserved1 MUST be zero",
    field="Reserved1",
    must=eq(F("Reserved1"), 0),
    spec="MS-TRP 2.2.5.2",
)


def _state_rules(field: str, label: str) -> list[SpecRule]:
    """A non-zero session state has one bit set and is a LINEAGENTSESSIONSTATE_."""
    return [
        SpecRule(
            f"{label}_single_bit",
            f"{field} has more than one bit set",
            field=field,
            must=any_of(eq(F(field), 0), single_bit(F(field))),
            spec="MS-TRP 3.1.4.1.2 (Req_Func 155)",
        ),
        SpecRule(
            f"{label}_known",
            f"{field} is not a LINEAGENTSESSIONSTATE_ value",
            field=field,
            when=single_bit(F(field)),
            must=one_of(F(field), LINEAGENTSESSIONSTATE),
            spec="MS-TRP 3.1.4.1.2 (Req_Func 155)",
        ),
    ]


class TAPI32_MSG(SpecPacket):
    """A TAPI request buffer of any Req_Func [MS-TRP 2.2.5.2].

    Calling ``TAPI32_MSG(buf)`` returns the class registered for the buffer's
    Req_Func, or this generic form (unknown Req_Func, or a buffer too short to
    hold it). A registered class also dissects a buffer shorter than the 60-byte
    header: the fields present by name, truncated, and ``buffer_length`` broken.
    """

    name = "TAPI32_MSG"
    fields_desc = [
        LEIntEnumField("Req_Func", 0, REQ_FUNC),
        LEIntField("Reserved1", 0),
        *_params(),
        StrField("VarData", b""),
    ]
    spec_rules = (
        BUFFER_LENGTH,
        RESERVED1_ZERO,
        SpecRule(
            "req_func_known",
            "Req_Func is not a documented request",
            field="Req_Func",
            must=one_of(F("Req_Func"), REQ_FUNC),
            spec="MS-TRP 3.1.4.1.2",
        ),
    )
    summary_template = "TAPI {Req_Func}"

    @classmethod
    def dispatch_hook(cls, _pkt=None, *args, **kargs):
        if cls is TAPI32_MSG and _pkt:
            return TAPI.request_class(bytes(_pkt))
        return cls


class TAPI32_ACK(SpecPacket):
    """A returned TAPI buffer whose request is unknown [MS-TRP 2.2.5.2].

    Ack_ReturnValue is TAPI_SUCCESS, TAPIERR_INVALRPCCONTEXT, a LINEERR_ code
    (synchronous failure) or else a positive asynchronous request id.
    """

    name = "TAPI32_MSG ack"
    fields_desc = [
        AckReturnValueField("Ack_ReturnValue", 0, ACK_RETURN_VALUES),
        LEIntField("Reserved1", 0),
        *_params(),
        StrField("VarData", b""),
    ]
    spec_rules = (BUFFER_LENGTH,)
    summary_template = "TAPI reply: {Ack_ReturnValue}"


class SetAgentSessionState(SpecPacket):
    """SetAgentSessionState request [MS-TRP 2.2.4.1.3.60], Req_Func 155.

    Server rules: MS-TRP 3.1.4.1.2, "When Req_Func is equal to 155".
    """

    name = "SetAgentSessionState"
    fields_desc = [
        LEIntEnumField("Req_Func", 155, REQ_FUNC),
        LEIntField("Reserved1", 0),
        LEIntField("dwRequestID", 0),
        XLEIntField("hLine", 0),
        XLEIntField("hAgentSession", 0),
        LEIntEnumField("dwAgentSessionState", 0x2, AGENT_SESSION_STATE_OR_UNCHANGED),
        LEIntEnumField("dwNextAgentSessionState", 0, AGENT_SESSION_STATE_OR_UNCHANGED),
        *(LEIntField(f"Reserved{i}", 0) for i in range(2, 10)),
    ]
    spec_rules = (
        BUFFER_LENGTH,
        SpecRule(
            "req_func",
            "Req_Func MUST be 155",
            field="Req_Func",
            must=eq(F("Req_Func"), 155),
            severity="error",
            spec="MS-TRP 2.2.4.1.3.60",
        ),
        RESERVED1_ZERO,
        SpecRule(
            "request_id_range",
            "dwRequestID MUST NOT be 0x80000000 or above",
            field="dwRequestID",
            must=le(F("dwRequestID"), 0x7FFFFFFF),
            spec="MS-TRP 2.2.4.1.3.60",
        ),
        SpecRule(
            "states_both_zero",
            "dwAgentSessionState and dwNextAgentSessionState are both zero",
            field="dwAgentSessionState",
            must=not_(all_of(eq(F("dwAgentSessionState"), 0), eq(F("dwNextAgentSessionState"), 0))),
            spec="MS-TRP 3.1.4.1.2 (Req_Func 155)",
        ),
        *_state_rules("dwAgentSessionState", "state"),
        *_state_rules("dwNextAgentSessionState", "next_state"),
    )
    summary_template = "SetAgentSessionState hLine={hLine} {dwAgentSessionState:short} -> {dwNextAgentSessionState:short}"


class SetAgentSessionStateReply(SpecPacket):
    """The SetAgentSessionState buffer as the server returns it.

    The first word is Ack_ReturnValue: a request id when the request runs
    asynchronously, else one of the documented LINEERR_ codes.
    """

    name = "SetAgentSessionState reply"
    fields_desc = [
        AckReturnValueField("Ack_ReturnValue", 0, ACK_RETURN_VALUES),
        *SetAgentSessionState.fields_desc[1:],
    ]
    spec_rules = (
        BUFFER_LENGTH,
        SpecRule(
            "ack_documented",
            "Ack_ReturnValue is a LINEERR_ code not documented for SetAgentSessionState",
            field="Ack_ReturnValue",
            when=ge(F("Ack_ReturnValue"), LINEERR_FIRST),
            must=one_of(F("Ack_ReturnValue"), SET_AGENT_SESSION_STATE_ERRORS),
            group="response_code",
            spec="MS-TRP 2.2.4.1.3.60 (Return Values)",
        ),
        SpecRule(
            "request_id_echo",
            "Ack_ReturnValue does not echo the request's dwRequestID",
            field="Ack_ReturnValue",
            when=all_of(
                ne(request("dwRequestID"), 0),
                lt(F("Ack_ReturnValue"), LINEERR_FIRST),
                ne(F("Ack_ReturnValue"), TAPIERR_INVALRPCCONTEXT),
            ),
            must=eq(F("Ack_ReturnValue"), request("dwRequestID")),
            group="sequence",
            spec="MS-TRP 2.2.4.1.3.60 (dwRequestID)",
        ),
    )
    summary_template = "SetAgentSessionState reply: {Ack_ReturnValue}"


TAPI = Dispatch(
    name="TAPI32_MSG",
    selector="Req_Func",
    generic_request=TAPI32_MSG,
    generic_reply=TAPI32_ACK,
)

TAPI.register(155, SetAgentSessionState, reply=SetAgentSessionStateReply)
