"""A layer whose names and labels try to break the generated Lua."""

from scapy.fields import ByteEnumField, ByteField, ShortField
from scapy.layers.inet import UDP
from scapy.packet import Packet, bind_layers

from scapy_layers.spec import F, SpecPacket, SpecRule, eq

HOSTILE_NAMES = {
    0: 'quote " and backslash \\',
    1: "newline\nand\rcarriage",
    2: "long bracket ]] and [[ and --[==[",
    3: "ünïcødé ✓ 电话",
    4: "nul \x00 byte",
}


class end(SpecPacket):  # a Lua keyword as class name
    name = 'He said "hi" ]]\n--[[ ünïcødé'
    fields_desc = [
        ByteEnumField("local", 0, HOSTILE_NAMES),
        ShortField("function", 0),
        ByteField("then", 0),
        ByteField("nil", 0),
    ]
    spec_rules = (
        SpecRule("must.be-zero ]]", 'the "function" field ]] must be zero\n(really)', field="function",
                 must=eq(F("function"), 0)),
    )
    summary_template = 'end "{local}" ]] {function}'


class repeat(Packet):
    name = "repeat"
    fields_desc = [ByteField("until", 0)]


bind_layers(UDP, end, dport=40200)
bind_layers(UDP, repeat, dport=40201)
