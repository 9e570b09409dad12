"""Frontend: what it reads from scapy classes, and how it refuses what it cannot."""

import subprocess
import sys
import textwrap

import pytest

from conftest import REPO
from generator import model as M
from generator.frontend import GeneratorError, load


@pytest.fixture(scope="module")
def mstrp():
    return load("scapy_layers.mstrp")


def fields(proto, name):
    return {f.name: f for f in proto.message(name).fields}


def test_mstrp_messages_and_filter_names(mstrp):
    names = [m.name for m in mstrp.messages]
    for cls in ("TAPI32_MSG", "TAPI32_ACK", "SetAgentSessionState", "SetAgentSessionStateReply",
                "ClientRequest_Request", "ClientRequest_Response", "NDRContextHandle"):
        assert cls in names
    req = fields(mstrp, "SetAgentSessionState")
    assert list(req) == ["Req_Func", "Reserved1", "dwRequestID", "hLine", "hAgentSession", "dwAgentSessionState",
                         "dwNextAgentSessionState"] + [f"Reserved{i}" for i in range(2, 10)]
    assert req["hLine"].abbrev == "mstrp.setagentsessionstate.hline"
    assert req["hLine"].base == "HEX" and req["hLine"].little_endian and req["hLine"].ftype == "uint32"
    assert fields(mstrp, "SetAgentSessionStateReply")["Ack_ReturnValue"].abbrev == \
        "mstrp.setagentsessionstatereply.ack_returnvalue"
    assert all(f.abbrev == f.abbrev.lower() and f.abbrev.endswith("." + f.name.lower())
               for m in mstrp.messages for f in m.fields)


def test_mstrp_enums(mstrp):
    req = fields(mstrp, "SetAgentSessionState")
    assert len(req["Req_Func"].enum.entries) == 132
    assert dict(req["dwAgentSessionState"].enum.entries)[0] == "unchanged"
    assert dict(req["dwNextAgentSessionState"].enum.entries)[0] == "unchanged"
    ack = fields(mstrp, "SetAgentSessionStateReply")["Ack_ReturnValue"]
    assert dict(ack.enum.entries)[0x8000005A] == "LINEERR_INVALAGENTSTATE"
    assert ack.unknown_label == "pending, request id"
    assert ack.base == "HEX"


def test_mstrp_rules_dispatch_and_carrier(mstrp):
    req = mstrp.message("SetAgentSessionState")
    assert [r.rule_id for r in req.rules] == [
        "buffer_length", "req_func", "reserved1_zero", "request_id_range", "states_both_zero",
        "state_single_bit", "state_known", "next_state_single_bit", "next_state_known"]
    r = next(r for r in req.rules if r.rule_id == "reserved1_zero")
    assert (r.abbrev, r.group, r.severity, r.field) == (
        "mstrp.setagentsessionstate.rule.reserved1_zero", "PROTOCOL", "WARN", "Reserved1")
    echo = next(r for r in mstrp.message("SetAgentSessionStateReply").rules if r.rule_id == "request_id_echo")
    assert isinstance(echo.must.right, M.RequestValue) and echo.must.right.field == "dwRequestID"
    d = mstrp.dispatch
    assert (d.selector, d.selector_offset, d.selector_end, d.requests, d.replies) == (
        "Req_Func", 0, 4, ((155, "SetAgentSessionState"),), ((155, "SetAgentSessionStateReply"),))
    assert mstrp.request_slots == ("Req_Func", "dwRequestID")
    c = mstrp.dce
    assert (c.uuid, c.version, c.opnum, c.builtin_proto) == ("2f5f6520-ca46-1067-b319-00dd010662da", 1, 1, "tapi")
    stub = fields(mstrp, "ClientRequest_Request")
    assert [stub[n].kind for n in stub] == ["packet", "ndr_conf_var", "int", "int"]
    assert stub["pBuffer"].payload == "request" and stub["lNeededSize"].align_before == 4


def test_kinds_model():
    proto = load("layers.kinds")
    bits = fields(proto, "BitKinds")
    assert [(bits[n].mask, bits[n].size) for n in ("version", "kind", "nib", "twelve")] == [
        (0xE0, 1), (0x1F, 1), (0xF000, 2), (0x0FFF, 2)]
    flags = fields(proto, "FlagKinds")
    assert flags["fle32"].little_endian and [f.label for f in flags["fle32"].flags] == ["first", "last"]
    nest = fields(proto, "NestKinds")
    assert nest["items"].count == M.Value("count") and nest["items2"].length == M.Value("ilen")
    assert nest["only_if_one"].condition == M.Compare("==", M.Value("kind"), M.Const(1))
    assert nest["padded"].pad_to == 4 and nest["tail"].rest
    strs = fields(proto, "StrKinds")
    assert strs["data2"].length == M.Arith("-", M.Value("len2"), M.Const(2))
    assert {(p.table, p.value) for p in proto.table_bindings} >= {("udp.port", 40001), ("udp.port", 40006)}


def test_address_model():
    proto = load("layers.addresses")
    kinds = fields(proto, "AddressKinds")
    assert [(f.name, f.kind, f.ftype, f.size) for f in kinds.values()] == [
        ("v4", "address", "ipv4", 4), ("v6", "address", "ipv6", 16), ("mac", "address", "ether", 6),
        ("src4", "address", "ipv4", 4), ("dst4", "address", "ipv4", 4), ("src6", "address", "ipv6", 16),
        ("dst6", "address", "ipv6", 16), ("src_mac", "address", "ether", 6), ("dst_mac", "address", "ether", 6)]
    assert proto.message("AddressKinds").fixed_size == 78
    lists = fields(proto, "AddressLists")
    assert lists["only_v6"].kind == "address" and lists["only_v6"].condition == M.Compare(
        "==", M.Value("kind"), M.Const(6))
    for name, ftype, size in (("v4s", "ipv4", 4), ("v6s", "ipv6", 16), ("macs", "ether", 6)):
        f = lists[name]
        assert (f.kind, f.ftype, f.count, f.element.kind, f.element.size) == (
            "address_list", ftype, M.Value({"v4s": "n4", "v6s": "n6", "macs": "nmac"}[name]), "address", size)
    assert proto.message("AddressLists").fixed_size is None


def test_scapy_layers_own_addresses_translate_or_are_refused(tmp_path):
    """Their Source/Dest variants only fill a missing value when building: they
    translate; subclasses that change the bytes (STUN's XOR-ed address) do not."""
    rip = fields(load("scapy.layers.rip:RIPEntry"), "RIPEntry")
    assert [(rip[n].kind, rip[n].ftype) for n in ("addr", "mask", "nextHop")] == [("address", "ipv4")] * 3
    ether = fields(load("scapy.layers.l2:Ether"), "Ether")  # DestMACField, SourceMACField
    assert [(ether[n].kind, ether[n].ftype, ether[n].size) for n in ("dst", "src")] == [("address", "ether", 6)] * 2
    vrrp = fields(load("scapy.layers.vrrp:VRRP"), "VRRP")
    assert (vrrp["addrlist"].kind, vrrp["addrlist"].element.ftype) == ("address_list", "ipv4")
    with pytest.raises(GeneratorError, match="Bad.xip: XorIp overrides how scapy reads or writes it"):
        load(_layer_module(tmp_path, """
            from scapy.contrib.stun import XorIp
            class Bad(Packet):
                fields_desc = [XorIp("xip", None)]
            """), strict=True)


def test_scapy_layers_own_integers_guids_and_byte_orders_translate():
    """Library classes whose own read/write code is a plain integer, UUIDs, a
    reversed MAC and a fixed-order EField, as scapy's layers use them."""
    iec = fields(load("scapy.contrib.scada.iec104.iec104_information_objects:IEC104_IO_M_SP_NA_1_IOA"),
                 "IEC104_IO_M_SP_NA_1_IOA")["information_object_address"]
    assert (iec.kind, iec.ftype, iec.size, iec.little_endian) == ("int", "uint24", 3, True)
    gbr = fields(load("scapy.contrib.pfcp:IE_GBR"), "IE_GBR")
    assert [(gbr[n].ftype, gbr[n].size, gbr[n].little_endian) for n in ("ul", "dl")] == [("uint40", 5, False)] * 2
    avp = fields(load("scapy.contrib.diameter:AVPNV_Address"), "AVPNV_Address")["avpLen"]
    assert (avp.kind, avp.ftype, avp.size, avp.base) == ("int", "uint24", 3, "HEX")
    pid = fields(load("scapy.contrib.rtps.pid_types:PID_ENDPOINT_GUID"), "PID_ENDPOINT_GUID")
    assert [(pid[n].ftype, pid[n].little_endian) for n in ("parameterId", "parameterLength")] == [("uint16", True)] * 2
    duid = fields(load("scapy.layers.dhcp6:DUID_UUID"), "DUID_UUID")["uuid"]
    assert (duid.kind, duid.ftype, duid.size, duid.little_endian) == ("address", "guid", 16, False)
    ble = fields(load("scapy.layers.bluetooth:HCI_Cmd_LE_Set_Random_Address"), "HCI_Cmd_LE_Set_Random_Address")
    assert (ble["addr"].kind, ble["addr"].ftype, ble["addr"].little_endian) == ("address", "ether", True)


def _layer_module(tmp_path, body: str) -> str:
    path = tmp_path / "userlayer.py"
    path.write_text("from scapy.fields import *\nfrom scapy.packet import Packet\n" + textwrap.dedent(body))
    return str(path)


@pytest.mark.parametrize("body,needle", [
    ("""
     class Bad(Packet):
         fields_desc = [ByteField("n", 0), StrLenField("data", b"", length_from=lambda pkt: {1: 4}.get(pkt.n, 1))]
     """, "Bad.data: cannot translate length_from (the value is looked up in a dict"),
    ("""
     class Bad(Packet):
         fields_desc = [MSBExtendedField("length", 0), StrLenField("data", b"", length_from=lambda pkt: pkt.length)]
     """, "Bad.length: MSBExtendedField (an integer of 7 bits per byte"),
    ("""
     class Bad(Packet):
         fields_desc = [ByteField("n", 0), StrLenField("data", b"", length_from=lambda pkt: pkt.n // pkt.n)]
     """, "Bad.data: cannot translate length_from (// needs a nonzero constant divisor"),
    ("""
     class Bad(Packet):
         fields_desc = [ByteField("n", 0), StrLenField("data", b"", length_from=lambda pkt: pkt.underlayer.len)]
     """, "Bad.data: cannot translate length_from"),
    ("""
     class Bad(Packet):
         fields_desc = [StrLenField("data", b"", length_from=lambda pkt: pkt.later), ByteField("later", 0)]
     """, "pkt.later is not a field before data"),
    ("""
     class Bad(Packet):
         fields_desc = [FieldListField("addrs", [], UUIDField("addr", None, uuid_fmt=UUIDField.FORMAT_REV))]
     """, "Bad.addr: UUIDField with uuid_fmt=FORMAT_REV (all 16 bytes reversed"),
    ("""
     class Bad(Packet):
         fields_desc = [ByteField("n", 0),
                        FieldListField("macs", [], LEMACField("", None), count_from=lambda pkt: pkt.n)]
     """, "Bad.macs: a FieldListField of LEMACField is not translated"),
    ("""
     from scapy.contrib.rtps.common_types import EField
     class Bad(Packet):
         fields_desc = [ByteField("flags", 0), ByteField("more", 0),
                        EField(ShortField("n", 0), endianness_from=lambda pkt: "<" if pkt.flags & pkt.more else ">")]
     """, "Bad.n: EField chooses its byte order per packet (Bad.<lambda>); the generator translates a function "
         "of one earlier integer field"),
    ("""
     from scapy.contrib.rtps.common_types import EField, EPacket
     class Bad(EPacket):
         fields_desc = [EField(ShortField("n", 0), endianness="<")]
     """, "Bad.n: EField takes its byte order from Bad.endianness, which the packet holding it"),
    ("""
     class Masked(IPField):
         def m2i(self, pkt, x):
             return IPField.m2i(self, pkt, bytes(b ^ 0xFF for b in x))
     class Bad(Packet):
         fields_desc = [Masked("addr", "0.0.0.0")]
     """, "Bad.addr: Masked overrides how scapy reads or writes it"),
    ("""
     class Masked(MACField):
         def i2m(self, pkt, x):
             return MACField.i2m(self, pkt, x)[::-1]
     class Bad(Packet):
         fields_desc = [ByteField("n", 0), FieldListField("macs", [], Masked("", None), count_from=lambda pkt: pkt.n)]
     """, "Bad.macs: its elements' Masked overrides how scapy reads or writes them"),
    ("""
     class Bad(Packet):
         fields_desc = [ByteField("n", 0),
                        FieldListField("names", [], StrNullField("", b""), count_from=lambda pkt: pkt.n)]
     """, "Bad.names: a FieldListField of StrNullField is not supported"),
    ("""
     class Bad(Packet):
         fields_desc = [ByteField("v", 4), MultipleTypeField([(BitField("addr", 0, 4), lambda pkt: pkt.v == 6)],
                                                             IPField("addr", "0.0.0.0"))]
     """, "Bad.addr: a MultipleTypeField of BitField is not translated"),
    ("""
     class Odd(ByteField):
         def getfield(self, pkt, s):
             return s[1:], s[0] ^ 0xFF
     class Bad(Packet):
         fields_desc = [Odd("x", 0)]
     """, "Bad.x: Odd overrides how scapy reads or writes it"),
    ("""
     class Bad(Packet):
         fields_desc = [StrField("all", b"", remain=2), ByteField("after", 0)]
     """, "Bad.all: a StrField leaving the last 2 bytes to later fields is not translated"),
    ("""
     class Bad(Packet):
         fields_desc = [BitField("a", 0, 3), ByteField("b", 0)]
     """, "Bad.b: follows bit fields that end mid-byte"),
    ("""
     class Bad(Packet):
         fields_desc = [BitField("a", 0, 3)]
     """, "Bad.a: bit fields end mid-byte"),
    ("""
     class Bad(Packet):
         fields_desc = [IntEnumField("e", 0, (lambda x: "name", lambda s: 0))]
     """, "Bad.e: enum names come from a function"),
    ("""
     class Bad(Packet):
         fields_desc = [PacketListField("items", [], lambda pkt, **kw: None)]
     """, "Bad.items: its packets' class is chosen by"),
    ("""
     class Bad(Packet):
         fields_desc = [ByteField("n", 0), StrFixedLenField("data", b"", length_from=lambda pkt: pkt.n / 2)]
     """, "Bad.data: cannot translate length_from (/ makes a float"),
    ("""
     class Bad(Packet):
         fields_desc = [ByteField("kind", 0),
                        MultipleTypeField([(IntField("v", 0), lambda pkt: pkt.kind == 1)], ShortField("v", 0)),
                        StrLenField("data", b"", length_from=lambda pkt: pkt.v)]
     """, "Bad.data: cannot translate length_from (pkt.v is a MultipleTypeField"),
])
def test_untranslatable_layers_name_class_field_and_fix(tmp_path, body, needle):
    """Strict, the layer is refused; else decoding stops there and the rest of
    the message is one undecoded item saying why."""
    path = _layer_module(tmp_path, body)
    with pytest.raises(GeneratorError) as err:
        load(path, strict=True)
    assert needle in str(err.value)
    bad = load(path).message("Bad")
    assert bad.undecoded == str(err.value)
    last = bad.fields[-1]
    assert (last.kind, last.rest, last.reason, last.abbrev, last.expert_abbrev) == (
        "undecoded", True, str(err.value), "userlayer.bad.undecoded", "userlayer.bad.not_decoded")
    assert [f.kind for f in bad.fields].count("undecoded") == 1 and bad.fixed_size is None


def test_a_multiple_type_field_is_a_choice_of_exclusive_alternatives(tmp_path):
    proto = load(_layer_module(tmp_path, """
        class Choice(Packet):
            fields_desc = [ByteField("v", 4),
                           ConditionalField(MultipleTypeField([(IP6Field("addr", "::"), lambda pkt: pkt.v == 6),
                                                               (IntField("addr", 0), lambda pkt: pkt.v > 6)],
                                                              IPField("addr", "0.0.0.0")),
                                            lambda pkt: pkt.v != 0)]
        """), strict=True)
    msg = proto.message("Choice")
    choice = msg.fields[1]
    assert (choice.kind, choice.size, msg.fixed_size) == ("choice", None, None)
    assert [(a.ident, a.abbrev, a.kind, a.ftype) for a in choice.alternatives] == [
        ("addr", "userlayer.choice.addr", "address", "ipv6"), ("addr_2", "userlayer.choice.addr_2", "int", "uint32"),
        ("addr_3", "userlayer.choice.addr_3", "address", "ipv4")]
    outer, v6, over6 = (M.Compare("~=", M.Value("v"), M.Const(0)), M.Compare("==", M.Value("v"), M.Const(6)),
                        M.Compare(">", M.Value("v"), M.Const(6)))
    not_v6, not_over6 = M.Compare("~=", M.Value("v"), M.Const(6)), M.Compare("<=", M.Value("v"), M.Const(6))
    assert [a.condition for a in choice.alternatives] == [
        M.AllOf((outer, v6)), M.AllOf((outer, not_v6, over6)), M.AllOf((outer, not_v6, not_over6))]
    assert [f.ident for f in msg.flat_fields] == ["v", "addr", "addr_2", "addr_3"]


def test_undecoded_starts_where_decoding_stops(tmp_path):
    """At the untranslatable field, or at the start of the bit run it cuts short;
    a message whose last packet or list ends undecoded, unbounded, ends there too."""
    proto = load(_layer_module(tmp_path, """
        class Inner(Packet):
            fields_desc = [ByteField("k", 0), BitField("a", 0, 3), BitField("b", 0, 4), ByteField("after", 0)]
        class Bounded(Packet):
            fields_desc = [ByteField("n", 0), PacketLenField("inner", None, Inner, length_from=lambda pkt: pkt.n),
                           ByteField("tail", 0)]
        class Open(Packet):
            fields_desc = [ByteField("n", 0), PacketListField("inners", [], Inner), ByteField("tail", 0)]
        """))
    inner = proto.message("Inner")
    assert [(f.name, f.kind) for f in inner.fields] == [("k", "int"), ("a", "undecoded")]
    assert inner.undecoded.startswith("Inner.after: follows bit fields that end mid-byte")
    assert [f.name for f in proto.message("Bounded").fields] == ["n", "inner", "tail"]
    assert proto.message("Bounded").undecoded is None
    assert [f.name for f in proto.message("Open").fields] == ["n", "inners"]
    assert proto.message("Open").undecoded == inner.undecoded


def test_bad_module_and_class_names(tmp_path):
    with pytest.raises(GeneratorError, match="cannot import"):
        load("no.such.module")
    with pytest.raises(GeneratorError, match="no such file"):
        load(str(tmp_path / "missing.py"))
    with pytest.raises(GeneratorError, match="Nope: no such scapy Packet class"):
        load("scapy_layers.mstrp:Nope")
    with pytest.raises(GeneratorError, match="defines no scapy Packet class"):
        load(_layer_module(tmp_path, "X = 1\n"))


def test_cli_rejects_bad_input_without_writing(tmp_path):
    out = tmp_path / "out.lua"
    out.write_text("-- previous\n")
    bad = _layer_module(tmp_path, """
        class Bad(Packet):
            fields_desc = [FieldListField("addr", [], UUIDField("addr", None, uuid_fmt=UUIDField.FORMAT_REV))]
        """)
    proc = subprocess.run([sys.executable, "-m", "generator.cli", "lua", "--strict", bad, "-o", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "Bad.addr" in proc.stderr
    assert out.read_text() == "-- previous\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []
    # without --strict the dissector is written, and stderr says what it leaves undecoded
    proc = subprocess.run([sys.executable, "-m", "generator.cli", "lua", bad, "-o", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.strip() == ("dissectgen lua: Bad is decoded up to addr, the rest is left undecoded: "
                                   "Bad.addr: UUIDField with uuid_fmt=FORMAT_REV (all 16 bytes reversed, as "
                                   "Bluetooth LE writes them) has no Wireshark GUID encoding, and a Lua dissector "
                                   "cannot give a GUID item a value of its own; use FORMAT_BE or FORMAT_LE, or "
                                   "StrFixedLenField(length=16)")
    assert "userlayer.bad.undecoded" in out.read_text()


def test_class_list_selects_classes():
    proto = load("layers.kinds:IntKinds,BitKinds")
    assert [m.name for m in proto.messages] == ["IntKinds", "BitKinds"]


def test_a_bit_run_whose_members_presence_varies_is_read_bit_by_bit(tmp_path):
    """Under one test the run is read whole or not at all; a member under a test of its
    own (or none) makes every member of the run, and the bit fields after it, read its
    own bits at the bit reached (scapy's way), the last one checking the bits end on a byte."""
    proto = load(_layer_module(tmp_path, """
        class Varies(Packet):
            fields_desc = [ByteField("n", 0), ConditionalField(BitField("hi", 0, 4), lambda pkt: pkt.n == 1),
                           BitField("lo", 0, 4), BitField("more", 0, 8), ByteField("after", 0)]
        class Flagged(Packet):
            fields_desc = [ByteField("n", 0), BitField("hi", 0, 4),
                           ConditionalField(FlagsField("lo", 0, 4, "abcd"), lambda pkt: pkt.n == 1)]
        class Good(Packet):
            fields_desc = [ByteField("n", 0), ConditionalField(BitField("hi", 0, 4), lambda pkt: pkt.n == 1),
                           ConditionalField(BitField("lo", 0, 4), lambda pkt: pkt.n == 1)]
        """))
    varies = proto.message("Varies").fields
    assert [(f.name, f.bit_cursor, f.bits_end, f.size, f.mask) for f in varies] == [
        ("n", False, False, 1, None), ("hi", True, False, None, None), ("lo", True, False, None, None),
        ("more", True, True, None, None), ("after", False, False, 1, None)]
    assert [(f.name, f.kind) for f in proto.message("Flagged").fields] == [("n", "int"), ("hi", "undecoded")]
    assert "flags in a bit run whose members' presence varies" in proto.message("Flagged").undecoded
    good = proto.message("Good").fields
    assert [(f.name, f.mask) for f in good[1:]] == [("hi", 0xF0), ("lo", 0x0F)]
    assert good[1].condition == good[2].condition == M.Compare("==", M.Value("n"), M.Const(1))


def test_little_endian_bit_runs(tmp_path):
    """LEBitField: the run a little-endian integer, its first field the lowest bits; a
    negative size or tot_size: the run's bytes reversed, its first field the highest bits."""
    proto = load(_layer_module(tmp_path, """
        from scapy.contrib.ethercat import LEBitField
        class LE(Packet):
            fields_desc = [LEBitField("a", 0, 11), LEBitField("b", 0, 5), BitField("rev", 0, 3, tot_size=-2),
                           BitField("rest", 0, 13, end_tot_size=-2), BitField("neg", 0, -16)]
        class Short(Packet):
            fields_desc = [BitField("rev", 0, 3, tot_size=-4), BitField("rest", 0, 13)]
        """))
    le = {f.name: f for f in proto.message("LE").fields}
    assert [(n, le[n].mask, le[n].little_endian, le[n].size) for n in le] == [
        ("a", 0x07FF, True, 2), ("b", 0xF800, True, 2), ("rev", 0xE000, True, 2), ("rest", 0x1FFF, True, 2),
        ("neg", 0xFFFF, True, 2)]
    assert "whose first field reverses 4 (tot_size)" in proto.message("Short").undecoded


def test_a_list_whose_next_element_scapy_asks_a_function_for_is_left_undecoded(tmp_path):
    """next_cls_cb decides before each element whether one follows (NFS's READDIR
    reply): a plain list would decode elements scapy never reads."""
    proto = load(_layer_module(tmp_path, """
        class Entry(Packet):
            fields_desc = [ByteField("more", 0)]
            def extract_padding(self, s):
                return b"", s
        class Listing(Packet):
            fields_desc = [ByteField("n", 0),
                           PacketListField("entries", [], Entry,
                                           next_cls_cb=lambda pkt, lst, cur, remain: Entry if remain else None)]
        """))
    assert [(f.name, f.kind) for f in proto.message("Listing").fields] == [("n", "int"), ("entries", "undecoded")]
    assert proto.message("Listing").undecoded.startswith("Listing.entries: next_cls_cb")


def test_a_packet_whose_payload_is_padding_takes_only_its_own_bytes(tmp_path):
    """scapy hands a Padding payload back to the enclosing field (TPM's classes):
    such a packet is of its own size, not the rest of the message."""
    proto = load(_layer_module(tmp_path, """
        from scapy.config import conf
        class Own(Packet):
            fields_desc = [ByteField("a", 0)]
            def default_payload_class(self, payload):
                return conf.padding_layer
        class Greedy(Packet):
            fields_desc = [ByteField("a", 0)]
        class Holder(Packet):
            fields_desc = [PacketField("own", Own(), Own), PacketField("greedy", Greedy(), Greedy)]
        """))
    own, greedy = proto.message("Holder").fields
    assert (own.takes_rest, own.size) == (False, 1)
    assert (greedy.takes_rest, greedy.size) == (True, None)


def test_a_table_only_a_field_left_undecoded_named_is_not_written(tmp_path):
    """The C plugin is built with -Werror: an enum table no item uses would be an unused array."""
    proto = load(_layer_module(tmp_path, """
        class Cut(Packet):
            fields_desc = [ByteEnumField("kept", 0, {1: "kept one"}), BitEnumField("half", 0, 4, {1: "lost one"})]
        """))
    assert [f.kind for f in proto.message("Cut").fields] == ["int", "undecoded"]
    assert [t.entries for t in proto.enums] == [((1, "kept one"),)]


def test_a_string_whose_value_scapy_converts_is_read_as_its_bytes():
    """gtp's APNStrLenField reads as a StrLenField and joins its labels with dots:
    the framing is scapy.fields', so the field and what follows are decoded."""
    proto = load("scapy.contrib.gtp:IE_AccessPointName")
    apn = next(f for f in proto.message("IE_AccessPointName").fields if f.name == "APN")
    assert (apn.kind, apn.converted, proto.message("IE_AccessPointName").undecoded) == ("bytes", True, None)


def test_fields_whose_names_differ_in_case_get_distinct_filter_names(tmp_path):
    """Filter names are lower case: pfcp's IE_PFDContents has both URL and url."""
    proto = load(_layer_module(tmp_path, """
        class Both(Packet):
            fields_desc = [ByteField("aB", 0), ByteField("ab", 0), ByteField("AB", 0)]
        """))
    assert [f.abbrev for f in proto.message("Both").fields] == [
        "userlayer.both.ab", "userlayer.both.ab_2", "userlayer.both.ab_3"]


def test_an_ndr_union_arm_whose_pointees_scapy_defers_past_it_is_left_undecoded():
    """ms_eerr's ExtendedErrorParam: an arm holds a structure (EEAString) whose pointee scapy
    reads after the union; the dissectors read an arm's pointees right after it, so it is not translated."""
    proto = load("scapy.layers.msrpce.raw.ms_eerr:ExtendedErrorParam")
    msg = next(m for m in proto.messages if m.name == "ExtendedErrorParam")
    assert "an NDR union arm holding a structure whose pointees scapy defers past the union" in msg.undecoded


def test_a_binding_on_a_field_the_class_lacks_is_never_taken(tmp_path):
    """scapy's guess_payload_class skips a bind_layers whose field the class lacks
    (AttributeError), as homeplugav's on HPtype: no payload binding, no refusal."""
    proto = load(_layer_module(tmp_path, """
        from scapy.fields import ByteField
        from scapy.packet import Packet, bind_layers

        class Confirm(Packet):
            fields_desc = [ByteField("count", 0)]

        class Info(Packet):
            fields_desc = [ByteField("kind", 0)]

        class Carrier(Packet):
            fields_desc = [ByteField("type", 0)]

        bind_layers(Confirm, Info, HPtype=41017, version=0)
        bind_layers(Carrier, Info, type=7)
    """), strict=True)
    confirm, carrier = (next(m for m in proto.messages if m.name == n) for n in ("Confirm", "Carrier"))
    assert confirm.payloads == () and [p.conditions for p in carrier.payloads] == [(("type", 7),)]
