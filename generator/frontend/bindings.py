"""Bindings: how messages are reached. The dispatch table, bind_layers between
our classes (payloads), to UDP/TCP ports, EtherTypes and IP protocol
numbers, and DCE/RPC carriers."""

from __future__ import annotations

from scapy.layers import dcerpc as sd
from scapy.layers.inet import IP, TCP, UDP
from scapy.layers.inet6 import IPv6
from scapy.layers.l2 import Ether
from scapy.packet import Packet

from scapy_layers.spec import Dispatch, ProtocolInfo

from .. import model as M
from ..names import filter_part
from .builder import ProtocolBuilder
from .errors import GeneratorError
from .wireshark import BUILTIN_DCERPC_DISSECTORS


def payload_bindings(b: ProtocolBuilder) -> None:
    """bind_layers between our classes: a message's payload is chosen by its fields."""
    for cls, msg in list(b.messages.items()):
        if msg.undecoded is not None:
            continue  # its undecoded bytes run to its end: no payload follows
        guessed = _guessed(b, cls, msg)
        bindings = guessed or []
        for fval, nxt in () if guessed is not None else cls.payload_guess:
            if nxt not in b.messages or nxt is cls:
                continue
            if not set(fval) <= {f.name for f in cls.fields_desc}:
                # scapy's guess_payload_class finds no such field (AttributeError) and never
                # takes the binding (homeplugav binds NetworkInfoConfirmationV10 on HPtype)
                continue
            conditions = []
            for name, value in sorted(fval.items()):
                f = next((f for f in msg.fields if f.name == name), None)
                if f is None or f.kind != "int" or not isinstance(value, int):
                    raise GeneratorError(f"{cls.__name__}.{name}: bind_layers({cls.__name__}, {nxt.__name__}, "
                                         f"{name}={value!r}) needs an integer field of {cls.__name__}")
                f.referenced = True
                conditions.append((f.ident, int(value)))
            bindings.append(M.PayloadBinding(tuple(conditions), b.messages[nxt].ident,
                                             _handed_down(msg, b.messages[nxt])))
        msg.payloads = tuple(bindings)
    for msg in b.messages.values():
        guard = next((f for f in msg.fields if f.under), None)
        if guard is not None:
            below = sorted({m.name for m in b.messages.values() for p in m.payloads
                            if p.message == msg.ident and {n for n, _ in p.under} >= set(guard.under)})
            guard.reason += (f", and the layer below is not {' or '.join(below)}" if below else
                             ", and no message of the protocol carries it as its payload")


_PROBE_PAYLOADS = (b"\0" * 8, b"\xff" * 8)


def _guessed(b: ProtocolBuilder, cls, msg: M.Message) -> list[M.PayloadBinding] | None:
    """A guess_payload_class of the class's own that picks the payload's class by one
    field's value, whatever the payload's bytes: asked for every value of a 1-byte
    field (a 2-byte one's named values), the bindings to the classes of ours it
    picks, all of them (bind_layers is what it replaced). None: not such a choice."""
    if getattr(cls, "guess_payload_class", None) is Packet.guess_payload_class:
        return None
    for f in msg.fields:
        if f.kind != "int" or f.mask or f.condition is not None or f.size not in (1, 2):
            continue
        values = range(256) if f.size == 1 else [v for v, _ in f.enum.entries] if f.enum else []
        picks = {}
        for value in values:
            try:
                pkt = cls()
                pkt.setfieldval(f.name, value)
                chosen = {pkt.guess_payload_class(p) for p in _PROBE_PAYLOADS}
            except Exception:
                break
            if len(chosen) != 1:
                break  # the payload's bytes choose too
            picks[value] = chosen.pop()
        else:
            if len(set(picks.values())) < 2:
                continue  # not this field
            f.referenced = True
            return [M.PayloadBinding(((f.ident, value),), b.messages[c].ident, _handed_down(msg, b.messages[c]))
                    for value, c in picks.items() if c in b.messages and c is not cls]
    return None


def _handed_down(msg: M.Message, payload: M.Message) -> tuple[tuple[str, str], ...]:
    """The fields of ``msg`` its payload reads as pkt.underlayer.<name>: the
    integers it decodes. A name it lacks is not handed down, and the payload's
    guard leaves the rest undecoded, as it does with no message below."""
    out = []
    for name in payload.under:
        f = next((f for f in msg.fields if f.name == name and f.kind == "int"), None)
        if f is not None:
            f.referenced = True
            out.append((name, f.ident))
    return tuple(out)


def dce_carrier(b: ProtocolBuilder, info: ProtocolInfo, title: str, short_name: str) -> M.DceRpcCarrier:
    """The interface whose stubs carry the protocol (``title``, ``short_name``:
    the protocol's own, which name the interface's protocol where a backend needs one)."""
    stubs = {c.role: c.stub for c in info.carriers}
    if set(stubs) != {"request", "reply"}:
        raise GeneratorError(f"PROTOCOL.carriers: need one request and one reply carrier, got {sorted(stubs)}")
    for iface in sd.DCE_RPC_INTERFACES.values():
        for opnum, op in iface.opnums.items():
            if op.request is stubs["request"] and op.response is stubs["reply"]:
                req = b.message(op.request)
                rsp = b.message(op.response)
                uuid = str(iface.uuid).lower()
                return M.DceRpcCarrier(
                    uuid=uuid, version=iface.if_version, builtin_proto=BUILTIN_DCERPC_DISSECTORS.get(uuid),
                    opnum=opnum, request=req.ident, response=rsp.ident,
                    ports_pref=f"{iface.name}_ports",
                    # scapy names an operation's stubs <Method>_Request / <Method>_Response
                    operation=op.request.__name__.removesuffix("_Request"), interface=iface.name,
                    title=f"{title}: the {iface.name} DCE/RPC interface", short_name=f"{short_name} {iface.name}",
                )
    raise GeneratorError(f"{stubs['request'].__name__}: not an opnum of any interface registered with "
                         f"scapy's register_dcerpc_interface")


# scapy lower layer, its fields bind_layers may name, Wireshark's dissector table
# for them (IPv6's next header shares IPv4's protocol table)
LOWER_LAYERS = ((UDP, ("dport", "sport"), "udp.port"), (TCP, ("dport", "sport"), "tcp.port"),
                (Ether, ("type",), "ethertype"), (IP, ("proto",), "ip.proto"), (IPv6, ("nh",), "ip.proto"))


def table_bindings(b: ProtocolBuilder) -> list[M.TableBinding]:
    """scapy's bind_layers of our classes to UDP/TCP ports, EtherTypes and IP
    protocol numbers: where Wireshark hands them their bytes. Other conditions
    of a binding (scapy's are all required) have no table and are not followed."""
    out: dict[tuple, M.TableBinding] = {}
    for lower, keys, table in LOWER_LAYERS:
        for fval, cls in lower.payload_guess:
            if cls not in b.messages:
                continue
            for key in keys:
                if isinstance(fval.get(key), int):
                    binding = M.TableBinding(table, int(fval[key]), b.messages[cls].ident, lower.__name__, key)
                    out.setdefault((table, binding.value, binding.message), binding)
    return [out[k] for k in sorted(out)]


def dispatch_model(b: ProtocolBuilder, dispatch: Dispatch) -> M.Dispatch:
    """The Dispatch table of the model: the selector must sit at a fixed offset."""
    abbrev = b.abbrev
    generic = b.messages[dispatch.generic_request]
    sel_offset = 0
    for f in generic.fields:
        if f.name == dispatch.selector:
            break
        if f.size is None or f.condition is not None or not f.group_end:
            sel_offset = None
            break
        sel_offset += f.size
    sel = next((f for f in generic.fields if f.name == dispatch.selector), None)
    if sel is None or sel.kind != "int" or sel.mask or sel_offset is None:
        raise GeneratorError(f"{dispatch.generic_request.__name__}.{dispatch.selector}: the dispatch selector "
                             f"must be a whole integer field after fixed-size fields only")
    sel.referenced = True
    for value, cls in dispatch.requests.items():
        b.messages[cls].selector = value
    return M.Dispatch(
        name=dispatch.name, selector=dispatch.selector, selector_ident=sel.ident,
        selector_offset=sel_offset, selector_size=sel.size, selector_le=sel.little_endian,
        table_abbrev=f"{abbrev}.{filter_part(dispatch.selector)}",
        reply_table_abbrev=f"{abbrev}.reply.{filter_part(dispatch.selector)}",
        generic_request=b.messages[dispatch.generic_request].ident,
        generic_reply=b.messages[dispatch.generic_reply].ident,
        requests=tuple((v, b.messages[c].ident) for v, c in sorted(dispatch.requests.items())),
        replies=tuple((v, b.messages[c].ident) for v, c in sorted(dispatch.replies.items())),
    )
