"""Frontend: enum names scapy takes from a function become a value table
(asked of the function for every value of fields up to 16 bits), a
MultiEnumField a table per value of its selector; the rest is refused with
the reason."""

import textwrap

import pytest

from generator import model as M
from generator.frontend import GeneratorError, load


def _module(tmp_path, body: str) -> str:
    path = tmp_path / "userlayer.py"
    path.write_text("from scapy.fields import *\nfrom scapy.packet import Packet\n" + textwrap.dedent(body))
    return str(path)


def _fields(spec: str, cls: str) -> dict[str, M.Field]:
    return {f.name: f for f in load(spec).message(cls).fields}


def test_a_multi_enum_field_has_a_table_per_selector_value():
    f = _fields("layers.enum_functions", "ChosenNames")
    code = f["code"]
    assert code.enum is None and code.referenced
    assert code.enum_by.selector == M.Value(f["kind"].ident) and f["kind"].referenced
    assert [(value, table.entries) for value, table in code.enum_by.tables] == [
        (3, ((0, "net-unreachable"), (1, "host-unreachable"), (3, "port-unreachable"))),
        (5, ((0, "network-redirect"), (1, "host-redirect"))),
        (9, ()),
    ]
    assert f["detail"].enum_by.selector == M.Value(f["sub"].ident)
    assert (f["detail"].size, f["detail"].base) == (2, "DEC")


def test_the_tables_are_the_protocol_s_value_strings():
    proto = load("layers.enum_functions")
    idents = {t.ident for t in proto.enums}
    code = proto.message("ChosenNames").fields[1]
    assert {table.ident for _, table in code.enum_by.tables} <= idents


def test_names_from_a_function_are_asked_for_every_value():
    f = _fields("layers.enum_functions", "FunctionNames")
    assert f["byte"].enum.entries == ((1, "one"), (2, "two"), (200, "two hundred"))
    # the number itself names nothing
    assert f["short"].enum.entries == tuple((0xFF00 + i, f"reserved {i}") for i in range(256))
    # nor does the number as the field writes it (hex(16) in an X field)
    assert f["hexa"].enum.entries == tuple((i, "low") for i in range(16)) and f["hexa"].base == "HEX"
    assert f["nibble"].enum.entries == ((8, "half"),) and f["nibble"].mask == 0xF0


def test_icmp_code_is_named_by_its_type():
    f = _fields("scapy.layers.inet:ICMP", "ICMP")
    tables = dict(f["code"].enum_by.tables)
    assert f["code"].enum_by.selector == M.Value(f["type"].ident)
    assert dict(tables[3].entries)[3] == "port-unreachable"


def test_a_function_over_more_than_16_bits_is_refused(tmp_path):
    path = _module(tmp_path, """
        class Wide(Packet):
            fields_desc = [IntEnumField("wide", 0, (lambda x: "x", lambda s: 0)), ByteField("after", 0)]
    """)
    with pytest.raises(GeneratorError, match=r"Wide\.wide: enum names come from a function .* over 32-bit values"):
        load(path, strict=True)
    msg = load(path).message("Wide")
    assert [f.kind for f in msg.fields] == ["undecoded"]


def test_a_function_that_raises_is_refused(tmp_path):
    path = _module(tmp_path, """
        def names(x):
            return {1: "one"}[x]
        class Raises(Packet):
            fields_desc = [ByteEnumField("b", 0, (names, lambda s: 0))]
    """)
    with pytest.raises(GeneratorError, match=r"Raises\.b: its enum function names raises KeyError for 0"):
        load(path, strict=True)


def test_a_selector_that_cannot_be_translated_is_refused(tmp_path):
    path = _module(tmp_path, """
        class Later(Packet):
            fields_desc = [MultiEnumField("code", 0, {1: {2: "two"}}, depends_on=lambda pkt: pkt.kind, fmt="B"),
                           ByteField("kind", 0)]
    """)
    with pytest.raises(GeneratorError, match=r"Later\.code: cannot translate depends_on"):
        load(path, strict=True)


def test_a_multi_enum_field_in_a_bit_run_is_named_when_the_run_is_read(tmp_path):
    """Its selector may read a member after it in the run (802.11's subtype by type):
    that member's bits are read with it, before the name is chosen."""
    path = _module(tmp_path, """
        class Bits(Packet):
            fields_desc = [BitMultiEnumField("code", 0, 4, {1: {2: "two"}}, depends_on=lambda pkt: pkt.kind),
                           BitField("kind", 0, 4)]
        class After(Packet):
            fields_desc = [BitMultiEnumField("code", 0, 4, {1: {2: "two"}}, depends_on=lambda pkt: pkt.kind),
                           BitField("rest", 0, 4), ByteField("kind", 0)]
    """)
    proto = load(path)
    code, kind = proto.message("Bits").fields
    assert code.enum_by.selector == M.Value("kind") and code.selector_reads == (kind,) and kind.referenced
    assert "After.code: cannot translate depends_on" in proto.message("After").undecoded


def test_no_table_is_no_choice(tmp_path):
    path = _module(tmp_path, """
        class NoTables(Packet):
            fields_desc = [ByteField("kind", 0),
                           MultiEnumField("code", 0, {}, depends_on=lambda pkt: pkt.kind, fmt="B")]
    """)
    code = load(path).message("NoTables").fields[1]
    assert code.kind == "int" and code.enum is None and code.enum_by is None
