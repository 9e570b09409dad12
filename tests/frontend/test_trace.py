"""Conditions, lengths and counts as Python writes them: the traced function's
paths fold into one model expression that computes what Python computes."""

import importlib
import itertools
import re

import pytest
from generator import model as M
from generator.frontend.expressions import _flag_mask, _scapy_field
from generator.frontend.trace import Untranslatable, translate


def evaluate(e, values):
    """A model expression's value, with Python's meaning of each node."""
    ev = lambda x: evaluate(x, values)  # noqa: E731
    k = type(e)
    if k is M.Value:
        return values[e.field]
    if k is M.Const:
        return e.value
    if k is M.Bool:
        return e.value
    if k is M.Compare:
        a, b = ev(e.left), ev(e.right)
        return {"==": a == b, "~=": a != b, "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[e.op]
    if k is M.Arith:
        return {"+": int.__add__, "-": int.__sub__, "*": int.__mul__}[e.op](ev(e.left), ev(e.right))
    if k is M.Bits:
        a, b = ev(e.left), ev(e.right)
        return {"&": int.__and__, "|": int.__or__, "^": int.__xor__, "<<": int.__lshift__,
                ">>": int.__rshift__}[e.op](a, b)
    if k is M.FloorDiv:
        return ev(e.left) // ev(e.right) if e.op == "//" else ev(e.left) % ev(e.right)
    if k is M.IfElse:
        assert type(ev(e.test)) is bool and type(ev(e.then)) is int and type(ev(e.otherwise)) is int
        return ev(e.then) if ev(e.test) else ev(e.otherwise)
    if k is M.AllOf:
        return all(ev(t) for t in e.terms)
    if k is M.AnyOf:
        return any(ev(t) for t in e.terms)
    if k is M.Not:
        return not ev(e.term)
    raise AssertionError(f"unexpected node {e!r}")


def names_of(e):
    return {e.field} if isinstance(e, M.Value) else set().union(*map(names_of, M.children(e)))


def agrees_with_python(fn, boolean, grid=(-3, -1, 0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 255)):
    """Translated, ``fn`` computes what Python computes at every point of the grid."""
    expr = translate(fn, M.Value, boolean)
    names = sorted(names_of(expr))
    for point in itertools.product(grid, repeat=len(names)):
        values = dict(zip(names, point))

        class Pkt:
            def __getattr__(self, name):
                return values[name]

        want = fn(Pkt())
        got = evaluate(expr, values)
        if boolean:
            assert type(got) is bool and got == bool(want), (values, expr)
        else:
            assert type(got) is int and got == want, (values, expr)
    return expr


def cond(fn):
    return translate(fn, M.Value, True)


def length(fn):
    return translate(fn, M.Value)


V, C = M.Value, M.Const


def eq(name, value):
    return M.Compare("==", V(name), C(value))


def ne(name, value):
    return M.Compare("~=", V(name), C(value))


# --- scapy's own layers


def scapy_translation(module, cls, field, what="cond", boolean=True):
    """The translation of one of scapy's lambdas, its FlagsFields' attributes known."""
    cls = getattr(importlib.import_module(module), cls)
    fld = next(f for f in cls.fields_desc if f.name == field)
    fn = fld.cond if what == "cond" else getattr(fld, what)
    return translate(fn, M.Value, boolean, lambda name: _flag_mask(_scapy_field(cls, name)))


@pytest.mark.parametrize("where,boolean,expected", [
    (("scapy.contrib.automotive.doip", "DoIP", "source_address"), True,
     M.AnyOf(tuple(eq("payload_type", v) for v in (5, 8, 0x8001, 0x8002, 0x8003)))),
    (("scapy.contrib.automotive.uds", "UDS_SA", "securityKey"), True,
     M.Compare("==", M.FloorDiv("%", V("securityAccessType"), C(2)), C(0))),
    (("scapy.contrib.automotive.uds", "UDS_RFT", "compressionMethod"), True,
     M.AllOf((ne("modeOfOperation", 2), ne("modeOfOperation", 5)))),
    (("scapy.contrib.bgp", "BGPPAMPReachNLRI", "nh_v4_addr"), True, M.AllOf((eq("afi", 1), eq("nh_addr_len", 4)))),
    (("scapy.contrib.bp", "BP", "FO"), True, M.Compare("~=", M.Bits("&", V("ProcFlags"), C(1)), C(0))),
    (("scapy.layers.l2", "GRE", "chksum"), True,
     M.AnyOf((eq("chksum_present", 1), eq("routing_present", 1)))),
    (("scapy.contrib.chdlc", "SLARP", "address"), True, M.AnyOf((eq("type", 0), eq("type", 1)))),
    # FlagValue attributes: the bits the flag names are set
    (("scapy.contrib.bfd", "BFD", "optional_auth"), True, M.Compare("==", M.Bits("&", V("flags"), C(4)), C(4))),
    (("scapy.layers.dcerpc", "NL_AUTH_MESSAGE", "DnsHostName"), True,
     M.Compare("==", M.Bits("&", V("Flags"), C(8)), C(8))),
    # scapy's configuration decides (single_layer_mode off): never present
    (("scapy.contrib.automotive.gm.gmlan", "GMLAN_IDO", "service"), True, M.Bool(False)),
])
def test_scapy_conditions(where, boolean, expected):
    assert scapy_translation(*where, boolean=boolean) == expected


@pytest.mark.parametrize("where,expected", [
    (("scapy.contrib.cdp", "CDPMsgPowerRequest", "power_requested_list", "count_from"),
     M.FloorDiv("//", M.Arith("-", V("len"), C(8)), C(4))),
    (("scapy.layers.dns", "EDNS0COOKIE", "server_cookie", "length_from"),
     M.IfElse(M.Compare(">", M.Arith("-", V("optlen"), C(8)), C(0)), M.Arith("-", V("optlen"), C(8)), C(0))),
    (("scapy.contrib.gtp_v2", "PCO_PPP", "Options", "length_from"),
     M.IfElse(ne("length", 0), M.Arith("-", V("length"), C(4)), C(0))),
    (("scapy.contrib.pnio_rpc", "ExpectedSubmodule", "DataDescription", "count_from"),
     M.IfElse(eq("SubmoduleProperties_Type", 3), C(2), C(1))),
])
def test_scapy_lengths_and_counts(where, expected):
    assert scapy_translation(*where, boolean=False) == expected


def test_scapy_max_of_an_or():
    # dicom: max(0, (pkt.length or 2) - 2), Python's own max() and or
    from scapy.contrib.dicom import PresentationDataValueItem

    fld = next(f for f in PresentationDataValueItem.fields_desc if f.name == "data")
    agrees_with_python(fld.length_from, False)


# --- what Python means, node by node


@pytest.mark.parametrize("fn", [
    lambda p: p.flags & 0x2 and p.type == 1,
    lambda p: p.a == 1 or p.b == 2 or p.c,
    lambda p: not p.a,
    lambda p: p.a in (1, 3, 5),
    lambda p: p.a not in [0, 2],
    lambda p: 0 < p.a < 5,
    lambda p: p.a and p.b,  # returns a or b: its truth
    lambda p: p.a or p.b,
    lambda p: p.a is not None and p.a > 3,
    lambda p: (p.a - 4) // 3 == -1,
    lambda p: (p.a - 4) % 3 == 2,
    lambda p: ~p.a & 0x80,
    lambda p: (p.a ^ 0xFF) | 1 == 0xFF,
    lambda p: (p.a >> 1) & 1,
    lambda p: (p.a if p.b else p.c) > 2,
    lambda p: (p.a == 1) + (p.b == 2) == 1,  # truth values added as integers
])
def test_conditions_mean_what_python_means(fn):
    agrees_with_python(fn, True)


@pytest.mark.parametrize("fn", [
    lambda p: p.a and p.b,
    lambda p: p.a or 7,
    lambda p: (p.a or 2) - 2,
    lambda p: max(p.a - 4, 0),
    lambda p: min(p.a, p.b, 8),
    lambda p: 4 if p.a == 1 else (8 if p.b else 0),
    lambda p: p.a == 3,  # a truth value as a length counts 1 or 0
    lambda p: p.a << 3 | p.b,
    lambda p: p.a >> 2,
    lambda p: (4 - p.a) % 4,
    lambda p: (p.a - 1) // 11,
    lambda p: -p.a + abs(p.b),
    lambda p: p.a & -4,
])
def test_lengths_mean_what_python_means(fn):
    agrees_with_python(fn, False)


def test_constant_conditions_and_plain_values():
    assert cond(lambda p: False) == M.Bool(False)
    assert cond(lambda p: None) == M.Bool(False)
    assert cond(lambda p: 1) == M.Bool(True)
    # a value tested for truth is compared with 0: Lua's 0 is true
    assert cond(lambda p: p.x) == ne("x", 0)
    assert length(lambda p: 4) == C(4)
    assert length(lambda p: True) == C(1)


def test_folding_keeps_expressions_plain():
    assert cond(lambda p: p.a == 1 and p.b == 2) == M.AllOf((eq("a", 1), eq("b", 2)))
    assert cond(lambda p: p.a == 1 and p.a == 1) == eq("a", 1)  # one test, asked twice
    assert cond(lambda p: p.a == 1 or not p.a == 1) == M.Bool(True)
    assert length(lambda p: p.len and p.len - 4) == M.IfElse(ne("len", 0), M.Arith("-", V("len"), C(4)), C(0))
    assert length(lambda p: p.len - 4 if p.len else 0) == length(lambda p: p.len and p.len - 4)


@pytest.mark.parametrize("fn,reason", [
    (lambda p: {1: 4, 2: 8}[p.a], "looked up in a dict or a set"),
    (lambda p: p.a in {1, 2}, "looked up in a dict or a set"),
    (lambda p: p.a / 2, "/ makes a float"),
    (lambda p: p.a // p.b, "nonzero constant divisor"),
    (lambda p: p.a % 0, "nonzero constant divisor"),
    (lambda p: 8 // p.a, "a field is a divisor"),
    (lambda p: p.a << p.b, "constant count"),
    (lambda p: p.a >> 64, "constant count of 0 to 63"),
    (lambda p: int(p.a), "int()"),
    (lambda p: p.a.bit_length(), "attribute 'bit_length'"),
    (lambda p: p.a == b"x", "only integer constants"),
    (lambda p: "x" if p.a else 3, "not a field-based integer expression"),
    (lambda p: None if p.a else 3, "it returns None"),
    (lambda p: sum(1 for i in range(40) if p.a == i), "more than 256 paths"),
])
def test_what_stays_untranslatable_says_why(fn, reason):
    with pytest.raises(Untranslatable, match=re.escape(reason)):
        length(fn)


def test_too_many_paths_is_refused():
    many = lambda p: sum(1 for i in range(9) if p.a & (1 << i))  # noqa: E731  2^9 paths
    with pytest.raises(Untranslatable, match="more than 256 paths"):
        length(many)


def test_a_condition_of_an_unknown_field_names_it():
    def resolve(name):
        raise Untranslatable(f"pkt.{name} is not a field before x")

    with pytest.raises(Untranslatable, match="pkt.later is not a field before x"):
        translate(lambda p: p.later == 1 or p.other, resolve, True)


def test_a_generated_layer_refuses_with_class_and_field(tmp_path):
    from generator.frontend import GeneratorError, load

    path = tmp_path / "userlayer.py"
    path.write_text("from scapy.fields import *\nfrom scapy.packet import Packet\n"
                    "class Bad(Packet):\n"
                    "    fields_desc = [ByteField('n', 0),\n"
                    "                   ConditionalField(ByteField('x', 0), lambda pkt: pkt.n in {1, 2})]\n")
    with pytest.raises(GeneratorError, match=r"Bad\.x: cannot translate the condition \(the value is looked up"):
        load(str(path), strict=True)


def test_a_function_failing_by_itself_says_how():
    config = {}
    with pytest.raises(Untranslatable, match="KeyError: 'OBD'"):
        cond(lambda p: config["OBD"].get("single_layer_mode") and p.service == 1)


def test_a_class_constant_is_folded(tmp_path):
    """A plain class attribute (not a field) is the same for every packet: the
    function computes with it as Python does."""
    from generator import model as M
    from generator.frontend import load

    path = tmp_path / "userlayer.py"
    path.write_text("from scapy.fields import *\nfrom scapy.packet import Packet\n"
                    "class Base(Packet):\n"
                    "    with_extra = True\n"
                    "    width = 2\n"
                    "class Folded(Base):\n"
                    "    fields_desc = [ByteField('n', 0),\n"
                    "                   ConditionalField(ByteField('extra', 0), lambda pkt: pkt.with_extra and pkt.n),\n"
                    "                   StrLenField('data', b'', length_from=lambda pkt: pkt.n * pkt.width)]\n")
    fields = {f.name: f for f in load(str(path), strict=True).message("Folded").fields}
    assert fields["extra"].condition == M.Compare("~=", M.Value("n"), M.Const(0))
    assert fields["data"].length == M.Arith("*", M.Value("n"), M.Const(2))
