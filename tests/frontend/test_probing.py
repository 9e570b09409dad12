"""Probing scapy's class choices: the key and table learned from a choosing function."""

from generator.frontend.probing import learn, least_bytes


class A: pass  # noqa: E701
class B: pass  # noqa: E701
class C: pass  # noqa: E701


def test_a_one_byte_key():
    choice = learn(lambda raw: {1: A, 2: B}.get(raw[1], C) if len(raw) > 1 else None)
    assert (choice.offset, choice.size, choice.table, choice.default) == (1, 1, ((1, A), (2, B)), C)


def test_a_two_byte_key_whose_bytes_matter_only_together():
    choice = learn(lambda raw: None if len(raw) < 2 or raw[:2] == b"\xff\xff" else A if raw[:2] == b"\x01\x02" else B)
    assert (choice.offset, choice.size, choice.table, choice.default, choice.short) == (
        0, 2, ((0x0102, A), (0xFFFF, None)), B, None)


def test_a_parse_failure_on_some_bytes_does_not_hide_the_key():
    choice = learn(lambda raw: None if raw[5] == 7 else A if raw[0] == 1 else B)
    assert (choice.offset, choice.size, choice.table, choice.default) == (0, 1, ((1, A),), B)


def test_no_choice_at_all():
    choice = learn(lambda raw: A)
    assert (choice.size, choice.table, choice.default) == (0, (), A)


def test_a_choice_no_short_key_explains_is_refused():
    assert learn(lambda raw: A if raw[0] == 1 and raw[5] == 0 else B) is None  # byte 5 matters too
    assert learn(lambda raw: A if raw[0] + raw[1] + raw[2] == 3 else B) is None


def test_the_fewest_bytes_a_keyless_choice_needs():
    # as SecOC_PDU's hook: Raw below 4 bytes, another class from there on
    assert least_bytes(lambda raw: A if len(raw) >= 4 else None, A) == 4
    assert least_bytes(lambda raw: A, A) == 0
    assert least_bytes(lambda raw: A if len(raw) != 1 else None, A) == 2  # below the last miss: short
