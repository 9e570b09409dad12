"""Test layers: ASN.1 packets read with scapy's BER codec, built the way
scapy.layers.x509 and kerberos build theirs: a SEQUENCE of INTEGER,
ENUMERATED, BOOLEAN, NULL, OCTET STRING, the string types and OID; optional
elements and implicit and explicit (context) tags; SEQUENCE OF and SET OF
integers and packets, nested SEQUENCEs and ASN1F_PACKET; UTCTime,
GeneralizedTime, BIT STRING and ASN1F_FLAGS. Each top packet is bound to a
UDP port of its own.
"""

import scapy.asn1.mib  # noqa: F401 (conf.mib: ASN1_OID names its values)
from scapy.asn1.asn1 import ASN1_UTC_TIME, ASN1_Codecs
from scapy.asn1fields import (ASN1F_BIT_STRING, ASN1F_BOOLEAN, ASN1F_CHOICE, ASN1F_ENUMERATED, ASN1F_FLAGS,
                              ASN1F_GENERALIZED_TIME, ASN1F_IA5_STRING, ASN1F_INTEGER, ASN1F_NULL, ASN1F_OID,
                              ASN1F_PACKET, ASN1F_PRINTABLE_STRING, ASN1F_SEQUENCE, ASN1F_SEQUENCE_OF,
                              ASN1F_SET_OF, ASN1F_STRING, ASN1F_UTC_TIME, ASN1F_UTF8_STRING, ASN1F_enum_INTEGER,
                              ASN1F_optional)
from scapy.asn1packet import ASN1_Packet
from scapy.layers.inet import UDP
from scapy.packet import bind_layers

__all__ = ["Simple", "Tagged", "Lists", "Times", "Choices", "Nest"]


class Simple(ASN1_Packet):
    """A SEQUENCE of the plain types, as x509's AlgorithmIdentifier and kerberos' integers."""
    ASN1_codec = ASN1_Codecs.BER
    ASN1_root = ASN1F_SEQUENCE(
        ASN1F_INTEGER("version", 2),
        ASN1F_enum_INTEGER("kind", 1, {0: "none", 1: "request", 2: "reply"}),
        ASN1F_BOOLEAN("critical", 0),
        ASN1F_NULL("nothing", 0),
        ASN1F_STRING("data", b"abc"),
        ASN1F_UTF8_STRING("name", "héllo"),
        ASN1F_PRINTABLE_STRING("country", "FR"),
        ASN1F_IA5_STRING("mail", "a@b.c"),
        ASN1F_OID("algorithm", "1.2.840.113549.1.1.11"),
        ASN1F_ENUMERATED("state", 0, {0: "off", 1: "on"}),
    )


class Tagged(ASN1_Packet):
    """Optional elements, implicit and explicit context tags, as kerberos' KDC-REQ."""
    ASN1_codec = ASN1_Codecs.BER
    ASN1_root = ASN1F_SEQUENCE(
        ASN1F_INTEGER("pvno", 5, explicit_tag=0xA1),
        ASN1F_optional(ASN1F_INTEGER("nonce", None, explicit_tag=0xA2)),
        ASN1F_optional(ASN1F_STRING("cookie", None, implicit_tag=0x83)),
        ASN1F_optional(ASN1F_BOOLEAN("flag", None)),
        ASN1F_enum_INTEGER("msg_type", 10, {10: "AS-REQ", 12: "TGS-REQ"}, explicit_tag=0xA4),
        ASN1F_optional(ASN1F_OID("oid", None, implicit_tag=0x85)),
        implicit_tag=0x6A,
    )


class Pair(ASN1_Packet):
    ASN1_codec = ASN1_Codecs.BER
    ASN1_root = ASN1F_SEQUENCE(
        ASN1F_OID("type", "2.5.4.3"),
        ASN1F_PRINTABLE_STRING("value", "x"),
    )


class Lists(ASN1_Packet):
    """SEQUENCE OF and SET OF, a nested SEQUENCE and ASN1F_PACKET, as x509's Name and extensions."""
    ASN1_codec = ASN1_Codecs.BER
    ASN1_root = ASN1F_SEQUENCE(
        ASN1F_SEQUENCE_OF("numbers", [], ASN1F_INTEGER),
        ASN1F_SET_OF("pairs", [], Pair),
        ASN1F_SEQUENCE(
            ASN1F_INTEGER("inner_a", 1),
            ASN1F_optional(ASN1F_INTEGER("inner_b", None, implicit_tag=0x80)),
        ),
        ASN1F_PACKET("first", Pair(), Pair),
        ASN1F_optional(ASN1F_PACKET("second", None, Pair, explicit_tag=0xA0)),
        ASN1F_optional(ASN1F_SEQUENCE_OF("tagged", None, Pair, explicit_tag=0xA1)),
        ASN1F_optional(ASN1F_PACKET("implicit", None, Pair, implicit_tag=0xA3)),
    )


class Times(ASN1_Packet):
    """Times, BIT STRING and flags, as x509's validity, signature and key usage."""
    ASN1_codec = ASN1_Codecs.BER
    ASN1_root = ASN1F_SEQUENCE(
        ASN1F_UTC_TIME("not_before", "260101000000Z"),
        ASN1F_GENERALIZED_TIME("not_after", "20300101000000Z"),
        ASN1F_BIT_STRING("signature", "0101010111110000", default_readable=False),
        ASN1F_optional(ASN1F_FLAGS("usage", None, ["digitalSignature", "nonRepudiation", "keyEncipherment"],
                                   implicit_tag=0x81)),
    )


class Choices(ASN1_Packet):
    """CHOICE by tag: of field types (x509's Validity times), of packets under their own tags (x509's
    GeneralName), in a list, optional and behind an explicit tag."""
    ASN1_codec = ASN1_Codecs.BER
    ASN1_root = ASN1F_SEQUENCE(
        ASN1F_CHOICE("when", ASN1_UTC_TIME("260101000000Z"), ASN1F_UTC_TIME, ASN1F_GENERALIZED_TIME),
        ASN1F_CHOICE("what", None, ASN1F_PACKET("pair", None, Pair, explicit_tag=0xA0),
                     ASN1F_PACKET("other", None, Pair, explicit_tag=0xA1), ASN1F_INTEGER),
        ASN1F_SEQUENCE_OF("many", [], Pair),
        ASN1F_optional(ASN1F_CHOICE("maybe", None, ASN1F_INTEGER, ASN1F_OID, explicit_tag=0xA2)),
    )


class Nest(ASN1_Packet):
    """A packet that may hold itself (as ldap's filters do): nesting only the bytes bound."""
    ASN1_codec = ASN1_Codecs.BER
    ASN1_root = ASN1F_SEQUENCE(
        ASN1F_INTEGER("level", 0),
        ASN1F_optional(ASN1F_PACKET("inner", None, None, explicit_tag=0xA0)),
    )


Nest.ASN1_root.seq[1]._field.cls = Nest


def nested(depth: int) -> bytes:
    """``depth`` Nests, each in the one before."""
    raw = b""
    for level in reversed(range(depth)):
        body = bytes([0x02, 0x01, level % 128]) + (_tlv(0xA0, raw) if raw else b"")
        raw = _tlv(0x30, body)
    return raw


def _tlv(tag: int, value: bytes) -> bytes:
    n = len(value)
    size = bytes([n]) if n < 128 else bytes([0x80 | ((n.bit_length() + 7) // 8)]) + n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag]) + size + value


PORTS = {Simple: 41350, Tagged: 41351, Lists: 41352, Times: 41353, Choices: 41354, Nest: 41355}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
