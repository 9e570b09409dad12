"""The typed model between the scapy frontend and the Lua templates.

Everything a template needs is here, already decided: identifiers, filter
names, sizes, masks, value tables and expressions. Nothing scapy-specific
crosses this line, and templates make no decisions of their own.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

# --- expressions (rule conditions, length / count / condition lambdas)


@dataclass(frozen=True)
class Expr:
    pass


@dataclass(frozen=True)
class Value(Expr):
    """A field of the message being dissected (a Lua local)."""

    field: str  # the Field.ident it reads


@dataclass(frozen=True)
class RequestValue(Expr):
    """A field of the matched request (replies only)."""

    field: str  # the request's Field.name
    slot: str  # Lua identifier of the per-call state table holding it


@dataclass(frozen=True)
class UnderValue(Expr):
    """A field of the message below, whose payload this message is (scapy's
    ``pkt.underlayer.<field>``): absent when the message was reached otherwise."""

    field: str  # the field's name in the message below


@dataclass(frozen=True)
class MessageLength(Expr):
    pass


@dataclass(frozen=True)
class Offset(Expr):
    """Bytes of the message read before the field being read (where it starts, from the message's start)."""


@dataclass(frozen=True)
class Const(Expr):
    value: int


@dataclass(frozen=True)
class Compare(Expr):
    op: str  # Lua operator: == ~= < <= > >=
    left: Expr
    right: Expr


@dataclass(frozen=True)
class Arith(Expr):
    op: str  # + - *
    left: Expr
    right: Expr


@dataclass(frozen=True)
class InSet(Expr):
    operand: Expr
    table: str  # ident of a ValueSet


@dataclass(frozen=True)
class SingleBit(Expr):
    operand: Expr


@dataclass(frozen=True)
class AllOf(Expr):
    terms: tuple[Expr, ...]


@dataclass(frozen=True)
class AnyOf(Expr):
    terms: tuple[Expr, ...]


@dataclass(frozen=True)
class Not(Expr):
    term: Expr


@dataclass(frozen=True)
class Bool(Expr):
    """A truth value that does not depend on the message (a condition returning a constant)."""

    value: bool


@dataclass(frozen=True)
class Bits(Expr):
    """Python's integer bit operations, two's complement at any width."""

    op: str  # & | ^ on two operands; << >> by a constant ``right`` of 0..63
    left: Expr
    right: Expr


@dataclass(frozen=True)
class FloorDiv(Expr):
    """Python's // and % (floored, the sign of the divisor); ``right`` is a nonzero constant."""

    op: str  # // %
    left: Expr
    right: Expr


@dataclass(frozen=True)
class IfElse(Expr):
    """``then if test else otherwise``, integer-valued (a truth value is written with AllOf/AnyOf)."""

    test: Expr
    then: Expr
    otherwise: Expr


# the nodes that are truth values; every other node is an integer
BOOLEAN_EXPRS = (Compare, InSet, SingleBit, AllOf, AnyOf, Not, Bool)


def children(e: Expr) -> tuple[Expr, ...]:
    """The expressions ``e`` is built from."""
    out = [getattr(e, a) for a in ("left", "right", "operand", "term", "test", "then", "otherwise") if hasattr(e, a)]
    return tuple(out) + tuple(getattr(e, "terms", ()))


# --- tables


@dataclass(frozen=True)
class EnumTable:
    ident: str
    entries: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class EnumChoice:
    """Names from one of several tables, picked by an earlier field's value
    (scapy's MultiEnumField): a selector value without a table, or a value
    its table lacks, shows the bare number."""

    selector: Expr  # integer expression of earlier fields
    tables: tuple[tuple[int, EnumTable], ...]  # selector value -> its table, by value


@dataclass(frozen=True)
class ValueSet:
    ident: str
    values: tuple[int, ...]


# --- fields and messages

INT_FTYPES = {(1, False): "uint8", (2, False): "uint16", (3, False): "uint24", (4, False): "uint32",
              (5, False): "uint40", (6, False): "uint48", (8, False): "uint64", (1, True): "int8", (2, True): "int16", (3, True): "int24",
              (4, True): "int32", (8, True): "int64"}

# address ftype -> its size in bytes
ADDRESS_SIZES = {"ipv4": 4, "ipv6": 16, "ether": 6, "guid": 16}


@dataclass(frozen=True)
class Scaling:
    """A physical value carried as an integer: ``raw * factor + offset`` (scapy's ScalingField)."""

    factor: int | float
    offset: int | float
    # decimals the value is rounded to (Python's round: half to even on the
    # exact binary value); None: factor and offset are integers, so is the value
    ndigits: int | None


@dataclass(frozen=True)
class ClassChoice:
    """The class of a packet or list element, chosen from its bytes by scapy's
    code (a class-choosing function, a dispatch_hook), as probing learned it:
    by the unsigned big-endian key of ``size`` bytes at ``offset``. A class of
    None is scapy's Raw: the rest of the bytes, undissected."""

    ident: str
    offset: int
    size: int
    entries: tuple[tuple[int, str | None], ...]  # key -> Message.ident, where not ``default``
    default: str | None
    short: str | None  # fewer than ``need`` bytes left
    # a choice with no key (size 0) may still need this many bytes (SecOC_PDU's
    # hook reads an identifier from its first 4 bytes, in a registry that is empty)
    least: int = 0

    @property
    def need(self) -> int:
        return max(self.offset + self.size, self.least)

    @property
    def messages(self) -> list[str]:
        """The messages it may choose, each once, in a fixed order."""
        return list(dict.fromkeys(m for m in (*(m for _, m in self.entries), self.default, self.short) if m))


@dataclass(frozen=True)
class Flag:
    ident: str
    abbrev: str
    label: str
    mask: int


@dataclass(frozen=True)
class BerNode:
    """One element of a BER encoding (scapy's ASN.1 fields, read with the BER codec).

    Tags are scapy's identifiers: the first identifier byte (class, constructed
    bit, number) of a low tag number, BER_id_dec's composition of a high one.

    kind:
      int       INTEGER, ENUMERATED, BOOLEAN, NULL: a signed big-endian integer of
                any length (``item`` holds one of up to 8 bytes, ``wide`` a longer
                one's bytes); ``enum``: the names scapy shows
      oid       OBJECT IDENTIFIER, shown as scapy's dotted text
      bytes     OCTET STRING, BIT STRING and the string types: the value's bytes
      bits      BIT STRING: the value's bytes (its unused-bits count first); scapy
                refuses an empty one
      text      UTCTime, GeneralizedTime: the value's characters
      seq       SEQUENCE, SET: ``members`` in order (scapy flattens their fields
                into the packet: no item of its own); an empty value leaves them all absent
      seq_of    SEQUENCE OF, SET OF: elements shaped like ``members[0]`` to the value's end
      packet    a nested ASN.1 packet (``sub``): it reads its own identifier (``tag``: an
                implicit one, read as ``retag``); ``item`` marks its bytes
      choice    CHOICE: the member whose key (``keys``, one a member) is the next
                identifier; no item of its own
    """

    ident: str  # unique in the protocol
    kind: str
    tag: int | None  # the identifier expected (after ``explicit``); packet: None (its class's)
    explicit: int | None = None  # an explicit tag's identifier around it (its length is not used, as scapy)
    optional: bool = False  # absent when it cannot be read (scapy's ASN1F_optional)
    item: Field | None = None  # its ProtoField (kind "ber_item"); None: a seq, or a seq_of's packet elements
    wide: Field | None = None  # int: the ProtoField of a value wider than 8 bytes
    enum: EnumTable | None = None
    members: tuple[BerNode, ...] = ()
    sub: str | None = None  # packet: Message.ident
    keys: tuple[int, ...] = ()  # choice: the identifier choosing each member
    # packet with an implicit tag (``tag``, one byte): the identifier the packet reads there in
    # its place (its root's type's, as scapy puts it back)
    retag: int | None = None


@dataclass
class Field:
    """One scapy field as the Lua dissects it.

    kind:
      int        integer of ``size`` bytes (``mask``/``shift`` for bit fields,
                 ``group_end`` False while more bit fields share the bytes);
                 with ``scaling`` its item is the physical value, a double
                 (``ftype`` "double"), read from an integer shaped by ``size``,
                 ``signed`` and ``little_endian``; ``unit`` follows the value
                 shown (the filter compares the number alone); with
                 ``enum_by`` the item has no value_string, its text names
                 the value from the table the selector picks
      bytes      ``size`` bytes, or ``length`` bytes, or the rest (``rest``);
                 ``wide_int``: one unsigned big-endian integer wider than 64 bits
                 (a BitField of whole bytes), shown as its bytes; ``tbcd``:
                 telephony BCD digits (two a byte, low nibble first, 0xF
                 none), a string item (``ftype`` "string") of the digits
      stringz    NUL-terminated bytes
      packet     a sub-message (``sub``), ``length`` bytes or its own size
      packet_list  sub-messages: ``count`` of them, or ``length`` bytes, or the rest
                 (``takes_rest``, packet and packet_list: the sub-message keeps
                 every byte after its fields as its payload, as scapy's default
                 extract_padding does, so the field, or the list's first
                 element, ends where the span ends); a packet's or element's
                 class is ``sub``, or chosen from its bytes (``choose``, ``sub`` None)
      int_list   integers shaped like ``element``: ``count`` of them, or as many
                 as ``length`` bytes hold, or the rest (``rest``)
      float      an IEEE 754 number of ``size`` bytes (``ftype`` float: 4,
                 double: 8), big-endian unless ``little_endian``; compared as its bytes
      address    an address of ``size`` bytes in network order; ``ftype`` says
                 which: ipv4 (4), ipv6 (16), ether (a MAC, 6) or guid (a
                 UUID, 16); ``little_endian``: an ether's bytes are reversed
                 (scapy's LEMACField), a guid's first three parts are
                 little-endian (UUIDField FORMAT_LE, Wireshark's LE GUID)
      address_list  addresses shaped like ``element``, counted as int_list's
                 (``keeps_partial``: a partial last address is not read, no error,
                 and its bytes are left to what follows, as scapy's IP6ListField does)
      bytes_list  byte strings of ``element.size`` bytes, counted as int_list's;
                 the last may be cut short (scapy reads what there is)
      ndr_conf_var  NDR conformant varying array (max_count, offset,
                 actual_count, actual_count * ``char_size`` bytes) whose bytes
                 may carry a dispatched payload
      ndr_pointer  NDR full (unique) pointer: ``members`` are its referent id (a
                 4-byte int) and its pointee (any field kind), read when the id
                 is not 0 (the pointee's condition says so; an embedded
                 reference pointer's always is): in place, or, an embedded
                 pointer's (``deferred``), after the message's other fields
                 (C706 14.3.12.3); backends read the members where
                 ``Message.flat_fields`` puts them
      ndr_array  NDR conformant (varying) array: ``members`` are its header
                 integers (max_count; offset and actual_count when varying),
                 then its elements, a packet_list, int_list or bytes field
                 counted by scapy's size_is or actual_count; backends read the
                 members in its place (``Message.flat_fields``)
      ndr_struct  NDR conformant structure (C706 14.3.7.1): ``members`` are the
                 max_count of its conformant array, then the structure (a packet)
      ndr_split  an NDR structure whose embedded pointers' pointees scapy reads at the
                 end of the structure holding it (C706 14.3.12.3): ``members`` are
                 the structure (a packet, ``split``: read by its message's fields
                 function, its start kept) and its pointees (kind ndr_pointees,
                 ``deferred``: read by its message's pointees function from ``at``,
                 the structure's ident); no item of its own
      virtual    no bytes, no item: the structure's own max_count field in scapy
                 (read by the ndr_struct holding it)
      choice     scapy's MultipleTypeField: one of ``alternatives`` (fields of
                 the same scapy name, each with its ``condition``, exclusive and
                 in scapy's order, the default last); backends read them all in
                 turn (``Message.flat_fields``), the check asks scapy which one
      ber        an ASN.1 packet's root element (``ber``), read as scapy's BER codec
                 reads it; ``members`` are the items its elements show (kind
                 "ber_item", declared like fields, filled by the BER reader)
      dns_name   a domain name as scapy's DNSStrField reads it (dns_get_str):
                 length-prefixed labels up to a 0 label, within ``length``
                 bytes when given (what the name leaves is read by the next
                 field), else the rest; a label length with either top bit
                 set is a compression pointer (14 bits) into the bytes of the
                 innermost enclosing message with a ``name_root``, followed at
                 most 20 times and never twice to one place; a string item
                 (``ftype`` "string") of scapy's value: the labels each
                 followed by ".", "." for none, every byte outside printable
                 ASCII and the backslash written \\xNN; ``fqdn``: gtp's
                 FQDNField, the labels run to the span's end and the value
                 drops the last "."
      prefix     an address prefix (``ftype`` ipv4 or ipv6, ``size`` its
                 address's bytes): ``length`` bits (scapy's IPPrefixField,
                 IP6PrefixField), or as many as its own first byte says
                 (``parts``: that byte's item; bgp's BGPFieldIPv4/IPv6), then
                 the bytes they need, in words of ``word`` bytes; the item
                 shows the address those bytes start, zero-padded. Without
                 ``parts``, more bytes than the address holds, or fewer than
                 there are, fail as scapy fails; with them, scapy reads the
                 bytes there are (the message is truncated) and the address
                 from the first of them
      hex_text   ``size`` bytes shown as scapy shows them: each byte as two hex
                 digits (``hex_upper``: upper-case), after its separator in
                 ``hex_seps``, in wire order or (``hex_reversed``) from the last
                 byte; a string item. Fewer bytes fail, as scapy fails (isis's
                 system, node and LSP ids; UUIDField FORMAT_REV, Bluetooth LE's)
      undecoded  the rest of the message's bytes, from a field the generator
                 cannot translate (``reason`` says why; ``name`` is that
                 field's): one bytes item with an expert (``expert_abbrev``),
                 always the message's last field
    """

    name: str  # scapy field name, as in the spec
    ident: str  # Lua-safe, unique within the message
    abbrev: str  # display filter name
    label: str
    kind: str
    ftype: str = "bytes"  # ProtoField constructor
    base: str = "NONE"  # base.DEC / base.HEX / base.NONE
    size: int | None = None
    little_endian: bool = False
    signed: bool = False
    enum: EnumTable | None = None
    unknown_label: str | None = None  # shown after values the enum does not name
    enum_by: EnumChoice | None = None  # int: names from a table chosen per message (no ``enum``)
    mask: int | None = None
    shift: int = 0
    group_start: bool = True  # first field of a bit run (reads its bytes)
    group_end: bool = True  # last field of a bit run (advances past them)
    bit_offset: int = 0  # bit run: position of the field's first bit from the run's MSB
    bit_width: int = 0
    # a bit run whose members' presence varies (ConditionalFields with different tests):
    # each member is read at the run's current bit (``bn``, as scapy's BitField
    # carries it from member to member), its item the bytes its bits touch;
    # ``bits_end``: the run's last member, after which the bits must end on a byte
    bit_cursor: bool = False
    bits_end: bool = False
    # enum_by in a bit run: members of the same run after this one that its
    # selector reads (their bits are there already), read before naming it
    selector_reads: tuple[Field, ...] = ()
    flags: tuple[Flag, ...] = ()
    length: Expr | None = None
    count: Expr | None = None
    rest: bool = False
    takes_rest: bool = False  # packet, packet_list: see above
    condition: Expr | None = None
    align_before: int | None = None  # NDR: align the offset (from the stub start)
    pad_to: int | None = None  # PadField: pad after the field to this alignment
    sub: str | None = None  # Message.ident of a sub-message
    element: Field | None = None
    payload: str | None = None  # Dispatch role carried in ndr_conf_var bytes: "request"|"reply"
    parts: tuple[Field, ...] = ()  # ndr_conf_var header fields (max_count, offset, actual_count)
    referenced: bool = False  # a later expression reads this field's value
    wide_int: bool = False  # bytes: scapy's value is an integer of these bytes
    keeps_partial: bool = False  # address_list: see above
    tbcd: bool = False  # bytes: see above
    fqdn: bool = False  # dns_name: see above
    word: int = 1  # prefix: see above
    # int (whole bytes, no bit run), address (guid): read little-endian when this
    # holds, else big-endian (``little_endian`` does not count): scapy's EField
    # whose endianness_from chooses per packet
    little_endian_if: Expr | None = None
    hex_seps: tuple[str, ...] = ()  # hex_text: see above
    hex_upper: bool = False
    hex_reversed: bool = False
    converted: bool = False  # bytes, stringz: scapy's value converts these bytes (compared as the bytes)
    # scapy's MayEnd: when no bytes are left after this field, the message ends
    # there, fine (its later fields, ``after_may_end``, are not read)
    may_end: bool = False
    after_may_end: bool = False  # read only while no MayEnd field before it ended the message
    alternatives: tuple[Field, ...] = ()  # choice: the fields it may be
    members: tuple[Field, ...] = ()  # ndr_pointer: its referent id, then its pointee
    char_size: int = 1  # ndr_conf_var, stringz: bytes per element (2: UTF-16 code units)
    # ndr_conf_var: its elements end with the first NUL element, or with the bytes (not actual_count)
    null_terminated: bool = False
    deferred: bool = False  # an embedded pointer's pointee: read after the message's other fields
    element_align: int | None = None  # packet_list: align each element (NDR: from the stub start)
    # packet_list (an NDR array): the elements' pointees follow the whole array (C706 14.3.12.3): each
    # element is read by its message's fields function, then each one's pointees by its pointees function
    deferred_elements: bool = False
    split: bool = False  # packet: see ndr_split
    at: str | None = None  # ndr_pointees: the ident of the structure whose start its pointees function reads from
    choose: ClassChoice | None = None  # packet, packet_list: each element's class, from its bytes
    # undecoded: a guard before the fields reading the message below (UnderValue):
    # its bytes are undecoded only when a value of these names is absent
    under: tuple[str, ...] = ()
    reason: str | None = None  # undecoded: why, naming Class.field
    expert_abbrev: str | None = None  # undecoded: its expert's filter name
    scaling: Scaling | None = None  # int: the item holds raw * factor + offset, not the raw integer
    unit: str = ""  # int: shown after the value (" " and the unit), e.g. "%" or "°C"
    ber: BerNode | None = None  # ber: the root element


# ASN.1 packets nested deeper than this are not read (the dissectors' stacks are bounded)
BER_MAX_DEPTH = 64


def ber_tree(root: BerNode) -> list[BerNode]:
    """``root``'s elements, children before parents (a packet's are its own message's)."""
    out: list[BerNode] = []

    def add(n: BerNode) -> None:
        for c in n.members:
            add(c)
        out.append(n)
    add(root)
    return out


def flattened(f: Field) -> list[Field]:
    """The fields a backend reads for ``f``: itself, or its alternatives, or its members (a pointer's pointee
    may be an NDR array, whose members are read in turn)."""
    if f.alternatives:
        return [g for a in f.alternatives for g in flattened(a)]
    if f.members:
        return [g for m in f.members for g in flattened(m)]
    return [f]


@dataclass(frozen=True)
class Rule:
    ident: str
    rule_id: str  # the scapy rule id, as violations() reports it
    abbrev: str  # expert filter name
    message: str
    group: str  # expert.group.X
    severity: str  # expert.severity.X
    field: str | None  # Field.ident the expert goes on; None: the message item
    when: Expr | None
    must: Expr


@dataclass(frozen=True)
class SummaryPart:
    text: str | None = None  # literal text, or
    field: str | None = None  # Field.ident
    style: str = "dec"  # name | hex | dec
    table: str | None = None  # EnumTable.ident for "name"
    unknown_label: str | None = None  # "name": a value the table lacks reads "<label> <decimal>"
    digits: int = 1  # "hex": zero-padded to this many digits


@dataclass(frozen=True)
class PayloadBinding:
    """scapy's bind_layers(This, Next, field=value, ...) between our own classes."""

    conditions: tuple[tuple[str, int], ...]  # (Field.ident, value), all must hold
    message: str  # Message.ident of the payload
    under: tuple[tuple[str, str], ...] = ()  # (UnderValue.field, Field.ident here) the payload reads


@dataclass
class Message:
    ident: str  # Lua identifier suffix
    name: str  # scapy class name
    label: str  # tree label
    abbrev: str  # filter name of the message item
    fields: list[Field]
    rules: list[Rule] = field(default_factory=list)
    summary: tuple[SummaryPart, ...] = ()
    fixed_size: int | None = None
    selector: int | None = None  # Dispatch value, when dispatched
    role: str | None = None  # "request" | "reply" | None
    request_slots: tuple[str, ...] = ()  # request fields replies need (rules)
    sub_only: bool = False  # only ever a sub-message of another
    payloads: tuple[PayloadBinding, ...] = ()  # what follows this message's fields
    # dissected on its own (on a port, as a payload), its class is chosen from
    # its bytes, as scapy's dispatch_hook chooses it (None: always this one)
    choose: ClassChoice | None = None
    # DNS compression pointers in it (and in its sub-messages) point into its
    # own bytes, from this many bytes after its start (scapy's
    # DNSCompressedPacket.get_full: DNSTCP's skip its 2-byte length); None: not so
    name_root: int | None = None
    # why its last bytes are not decoded (its own undecoded field's reason, or
    # that of a sub-message reaching its end); None when it is decoded whole
    undecoded: str | None = None
    under: tuple[str, ...] = ()  # the fields of the message below it reads (UnderValue), guarded
    # why scapy may make another class of the bytes it is dissected from (its
    # dispatch_hook chooses by code probing cannot explain), said by an expert
    # on every dissection (``unsure_abbrev``); None: the class is the one scapy makes
    unsure: str | None = None
    unsure_abbrev: str | None = None

    @property
    def guarded(self) -> bool:
        """True when a guard may stop it short of its end: bytes left undecoded, not truncated."""
        return any(f.under for f in self.flat_fields)

    # an element of an NDR array whose pointees follow the whole array: besides its dissect function,
    # a fields function (its fields without the pointees of its embedded pointers) and a pointees
    # function (its fields read again without items, for the values the pointees need, then the pointees)
    split_pointees: bool = False

    @property
    def fields_read(self) -> list[Field]:
        """split_pointees: the fields its fields function reads."""
        return [f for f in self.flat_fields if not f.deferred]

    @property
    def pointees_read(self) -> list[Field]:
        """split_pointees: the pointees its pointees function reads after the fields."""
        return [f for f in self.flat_fields if f.deferred]

    @property
    def item_count(self) -> int:
        """How many items (ProtoFields) its fields declare, flags and parts included."""
        return sum(1 + len(f.flags) + len(f.parts) for f in self.flat_fields)

    @property
    def may_end(self) -> bool:
        """True when a field of it may end it early (scapy's MayEnd)."""
        return any(f.may_end for f in self.flat_fields)

    @property
    def flat_fields(self) -> list[Field]:
        """The fields as the dissectors read them: a choice's alternatives, a pointer's members in its
        place, the pointees of its embedded pointers at its end."""
        read = [a for f in self.fields for a in ((f, *f.members) if f.kind == "ber" else flattened(f))
                if a.kind != "virtual"]
        # the pointees of embedded pointers follow the structure; not when its end is undecoded
        pointees = [] if self.undecoded is not None else [f for f in read if f.deferred]
        return [f for f in read if not f.deferred] + pointees


@dataclass(frozen=True)
class Dispatch:
    name: str
    selector: str  # request field name holding the selector
    selector_ident: str
    selector_offset: int  # byte offset of the selector in every request
    selector_size: int
    selector_le: bool
    table_abbrev: str  # DissectorTable name for requests
    reply_table_abbrev: str
    generic_request: str  # Message.ident
    generic_reply: str
    requests: tuple[tuple[int, str], ...]  # selector -> Message.ident
    replies: tuple[tuple[int, str], ...]

    @property
    def selector_end(self) -> int:
        """Bytes a buffer needs to be dispatched, a reply too: shorter ones are
        generic; longer ones, even shorter than a whole message, take their class."""
        return self.selector_offset + self.selector_size


@dataclass(frozen=True)
class DceRpcCarrier:
    """A DCE/RPC interface whose stubs carry our messages."""

    uuid: str
    version: int
    builtin_proto: str | None  # Wireshark's own dissector for it, if any
    opnum: int
    request: str  # Message.ident of the request stub
    response: str  # Message.ident of the response stub
    ports_pref: str  # pref name for "unbound DCE/RPC on these TCP ports is this interface"
    operation: str = ""  # the method's name (ClientRequest), as DCE/RPC shows the opnum
    interface: str = ""  # its name (tapsrv)
    # a protocol the interface's calls belong to, where a backend needs one
    # besides the main protocol: named for what it is
    title: str = ""
    short_name: str = ""

    @property
    def uuid_bytes_le(self) -> tuple[int, ...]:
        """The UUID as a Bind carries it with little-endian data representation."""
        return tuple(uuid.UUID(self.uuid).bytes_le)

    @property
    def uuid_bytes_be(self) -> tuple[int, ...]:
        """... and with big-endian data representation."""
        return tuple(uuid.UUID(self.uuid).bytes)


@dataclass(frozen=True)
class TableBinding:
    """scapy's bind_layers(Lower, Message, key=value) as a Wireshark dissector table entry."""

    table: str  # "udp.port" | "tcp.port" | "ethertype" | "ip.proto"
    value: int  # the port, EtherType or IP protocol number
    message: str  # Message.ident dissected there (dispatching when generic)
    lower: str = ""  # scapy's lower layer class (UDP, Ether, IPv6...), as bind_layers names it
    key: str = ""  # its field (dport, type, nh...)


@dataclass
class Protocol:
    abbrev: str
    title: str
    source: str  # what it was generated from (module[:classes])
    messages: list[Message]
    enums: list[EnumTable]
    sets: list[ValueSet]
    choices: list[ClassChoice] = field(default_factory=list)  # classes chosen from bytes
    dispatch: Dispatch | None = None
    dce: DceRpcCarrier | None = None
    table_bindings: list[TableBinding] = field(default_factory=list)
    raw_entry: str | None = None  # Message.ident a raw buffer starts with
    request_slots: tuple[str, ...] = ()  # request field names kept per call
    under_names: tuple[str, ...] = ()  # every UnderValue.field a message reads, in a fixed order
    summary_styles: tuple[str, ...] = ()  # summary helpers the messages use: name, hex, dec
    uses_single_bit: bool = False
    uses_bitwise: bool = False  # any & | ^ (Lua computes them with a helper)
    uses_floor_div: bool = False  # any // or % (C computes them with helpers)
    uses_big_endian: bool = False  # any big-endian integer field (the ADD helper)
    short_name: str = ""  # Protocol column, Preferences, Expert Information; default abbrev upper-cased
    # what ends the summary of a message breaking spec rules: open, separator, close
    violation_marks: tuple[str, str, str] = (" [", "; ", "]")

    @property
    def uses_tbcd(self) -> bool:
        """True when a field shows telephony BCD digits (the backends' helper that writes them)."""
        return any(f.tbcd for m in self.messages for f in m.flat_fields)

    @property
    def ber_nodes(self) -> list[BerNode]:
        """Every BER element of every message, each once, children before parents."""
        out: dict[str, BerNode] = {}
        for m in self.messages:
            for f in m.fields:
                if f.kind == "ber":
                    for n in ber_tree(f.ber):
                        out.setdefault(n.ident, n)
        return list(out.values())

    @property
    def ber_owner(self) -> dict[str, str]:
        """BerNode.ident -> the Message.ident whose items it shows."""
        return {n.ident: m.ident for m in self.messages for f in m.fields if f.kind == "ber" for n in ber_tree(f.ber)}

    @property
    def ber_roots(self) -> dict[str, str]:
        """Message.ident of each ASN.1 packet -> its root element's ident."""
        return {m.ident: f.ber.ident for m in self.messages for f in m.fields if f.kind == "ber"}

    @property
    def uses_dns_names(self) -> bool:
        """True when a field is a DNS name (the backends' helper that reads one)."""
        return any(f.kind == "dns_name" for m in self.messages for f in m.flat_fields)

    @property
    def uses_chosen_order(self) -> bool:
        """True when a field's byte order is chosen per packet (Lua's method table for it)."""
        return any(f.little_endian_if is not None for m in self.messages for f in m.flat_fields)

    @property
    def uses_prefixes(self) -> bool:
        """True when a field is an address prefix (the Lua helper that makes its address)."""
        return any(f.kind == "prefix" for m in self.messages for f in m.flat_fields)

    def message(self, ident: str) -> Message:
        for m in self.messages:
            if m.ident == ident:
                return m
        raise KeyError(ident)
