"""Test layers for how scapy reads what does not fit: the constructs of scapy's
own library where the dissector once read otherwise (the survey's aoe, BGP, XCP
and UDS classes). Each is bound to its own UDP port.

scapy's reading, which the dissector follows (Wireshark adds ``truncated``
where scapy came up short; a plain scapy class has no such flag):
- a list element (or PacketField) whose class keeps Packet's extract_padding
  takes every byte after its fields as its payload, and the list ends there;
- a length past the end reads the bytes there are;
- a counted list reads the elements there are;
- a FieldListField without count_from reads elements to the end of its
  length_from bytes, or of the message, and fails on a partial integer (a
  partial string is the bytes there are);
- a field it cannot read (an integer cut short) fails the whole message: scapy
  keeps the bytes as Raw;
- a PacketField of a class that hands what follows back (its extract_padding,
  or a payload of scapy's Padding, as TPM's classes) takes the bytes its fields
  read, and the item covers those bytes (NFS's File_Object; ISIS's sub-TLVs,
  whose guess_payload_class says Padding);
- a PacketLenField or length-bounded list whose length runs past the end reads
  the bytes there are (TPM2B_PUBLIC);
- a StrField takes every byte left, wherever it stands: a later string reads
  none, a later integer fails the message;
- a negative length slices as Python does: all but that many bytes at the end
  (PNIO DCP's blocks when their length is 0);
- a string field whose value scapy converts from its bytes (gtp's APN, and
  scapy.fields' own NetBIOSNameField and XLEStrLenField) is read as its base class reads it: the dissector shows, and the check compares, the
  bytes;
- a NUL-terminated string without its NUL takes every byte left, and a UTF-16
  one ends at the first NUL code unit at an even offset (postgres);
- a PacketField or PacketLenField given no bytes is a packet scapy makes
  without reading it: not short, though its class has fields (RTPS's
  PID_PRODUCT_VERSION, TLS 1.3's empty PSK identity).
"""

from scapy.config import conf
from scapy.fields import (
    ByteField, ConditionalField, FieldLenField, FieldListField, IPField, MultipleTypeField, NetBIOSNameField,
    PacketField, PacketLenField, PacketListField, PadField, ShortField, StrField, StrFixedLenField, StrLenField,
    StrNullField, StrNullFieldUtf16, XLEStrLenField, XStrFixedLenField,
)
from scapy.layers.inet import UDP
from scapy.packet import Packet, Padding, bind_layers


class Greedy(Packet):
    """No extract_padding: what follows its fields is its payload."""

    name = "Greedy"
    fields_desc = [ByteField("tag", 0), ShortField("value", 0)]


class Tidy(Packet):
    name = "Tidy"
    fields_desc = [ByteField("tag", 0), ShortField("value", 0)]

    def extract_padding(self, s):
        return b"", s


class GreedyList(Packet):
    name = "Greedy list"
    fields_desc = [FieldLenField("count", None, count_of="items", fmt="B"),
                   PacketListField("items", [], Greedy, count_from=lambda pkt: pkt.count)]


class GreedyField(Packet):
    name = "Greedy field"
    fields_desc = [ByteField("kind", 0), PacketField("inner", Greedy(), Greedy)]


class ShortLength(Packet):
    """aoe's IssueATACommand: a length counted in sectors, usually past the end."""

    name = "Short length"
    fields_desc = [ByteField("sectors", 1), StrLenField("data", b"", length_from=lambda pkt: pkt.sectors * 16)]


class CountedShort(Packet):
    name = "Counted short"
    fields_desc = [ByteField("count", 0), PacketListField("items", [], Tidy, count_from=lambda pkt: pkt.count),
                   ByteField("n", 0), FieldListField("words", [], ShortField("", 0), count_from=lambda pkt: pkt.n)]


class Unreadable(Packet):
    """uds's DTCAndStatusRecord: a fixed-size sub-packet a short buffer cannot hold."""

    name = "Unreadable"
    fields_desc = [PacketField("inner", Tidy(), Tidy), ByteField("status", 0)]


class OpenLists(Packet):
    """FieldListField without count_from: to the end of length_from's bytes, or of the message."""

    name = "Open lists"
    fields_desc = [FieldLenField("alen", None, length_of="addrs", fmt="B"),
                   FieldListField("addrs", [], IPField("", "0.0.0.0"), length_from=lambda pkt: pkt.alen),
                   FieldListField("words", [], ShortField("", 0))]


class StringLists(Packet):
    """OBD's IIDs: lists of fixed-size strings, counted or to the end."""

    name = "String lists"
    fields_desc = [FieldLenField("count", None, count_of="names", fmt="B"),
                   FieldListField("names", [], StrFixedLenField("", b"", 4), count_from=lambda pkt: pkt.count),
                   FieldListField("tags", [], XStrFixedLenField("", b"", 2))]


class Padded(Packet):
    """TPM's _Packet: what follows its fields is scapy's Padding, handed back."""

    name = "Padded"
    fields_desc = [FieldLenField("size", None, length_of="data", fmt="B"),
                   StrLenField("data", b"", length_from=lambda pkt: pkt.size)]

    def default_payload_class(self, payload):
        return conf.padding_layer


class SubTlv(Packet):
    """ISIS's sub-TLVs: guess_payload_class makes what follows scapy's Padding, handed back."""

    name = "Sub TLV"
    fields_desc = [ByteField("type", 0), FieldLenField("len", None, length_of="val", fmt="B"),
                   StrLenField("val", b"", length_from=lambda pkt: pkt.len)]

    def guess_payload_class(self, payload):
        return conf.padding_layer


class OwnSizes(Packet):
    """Variable-size sub-packets that take only their own bytes; one bounded by a length."""

    name = "Own sizes"
    fields_desc = [PacketField("first", Tidy(), Tidy), PacketField("second", Padded(), Padded),
                   ByteField("span", 0), PacketLenField("bounded", Padded(), Padded, length_from=lambda pkt: pkt.span),
                   PacketListField("rest", [], Padded, length_from=lambda pkt: pkt.span),
                   ByteField("last", 0), PacketField("sub", SubTlv(), SubTlv), ByteField("after", 0)]


class MiddleText(Packet):
    """A StrField before other fields (TPM's TPMT_SENSITIVE, and 7 classes of the survey's first 600)."""

    name = "Middle text"
    fields_desc = [ByteField("kind", 0), StrField("text", b""), StrField("more", b""),
                   ConditionalField(ByteField("after", 0), lambda pkt: pkt.kind == 2)]


class SlicedLengths(Packet):
    name = "Sliced lengths"
    fields_desc = [ByteField("n", 0), PacketListField("items", [], Tidy, length_from=lambda pkt: pkt.n - 4),
                   StrLenField("data", b"", length_from=lambda pkt: pkt.n - 1), ByteField("tail", 0)]


class Dotted(StrLenField):
    """gtp's APNStrLenField: DNS-style labels, whose value scapy joins with dots."""

    def m2i(self, pkt, s):
        labels, rest = [], s
        while rest:
            labels.append(rest[1:rest[0] + 1])
            rest = rest[rest[0] + 1:]
        return b".".join(labels)

    def i2m(self, pkt, s):
        return b"".join(bytes([len(label)]) + label for label in s.split(b".")) if s else b""


class Labels(Packet):
    name = "Labels"
    fields_desc = [FieldLenField("n", None, length_of="apn", fmt="B"),
                   Dotted("apn", b"", length_from=lambda pkt: pkt.n), ByteField("after", 0)]


class Names(Packet):
    """String classes of scapy.fields itself whose values scapy converts: NetBIOS's
    first-level encoding (31 bytes; its value the decoded name) and reversed bytes."""

    name = "Names"
    fields_desc = [NetBIOSNameField("name", b"windows"), ByteField("n", 2),
                   XLEStrLenField("reversed", b"", length_from=lambda pkt: pkt.n), ByteField("after", 0)]


class PaddedType(Packet):
    """An integer in a PadField, its padding after it (802.1X's MKA parameter sets)."""

    name = "Padded type"
    fields_desc = [PadField(ByteField("type", 1), 2, padwith=b"\0"), ShortField("length", 0)]


class Endpoint(Packet):
    """Bound to Padding on no field (KNX's HPAI): what follows it is handed back."""

    name = "Endpoint"
    fields_desc = [ByteField("length", 4), ByteField("protocol", 1), ShortField("port", 0)]


bind_layers(Endpoint, Padding)


class Endpoints(Packet):
    name = "Endpoints"
    fields_desc = [PacketField("control", Endpoint(), Endpoint), PacketField("data", Endpoint(), Endpoint)]


class Frame(Packet):
    """KNX's LcEMI: a length, the bytes it counts, then fixed fields a short buffer cannot hold."""

    name = "Frame"
    fields_desc = [FieldLenField("info_len", None, length_of="info", fmt="B"),
                   StrLenField("info", b"", length_from=lambda pkt: pkt.info_len), ShortField("address", 0)]


class Wrapper(Packet):
    """KNX's CEMI: a MultipleTypeField of sub-packets that take the rest."""

    name = "Wrapper"
    fields_desc = [ByteField("code", 0),
                   MultipleTypeField([(PacketField("frame", Frame(), Frame), lambda pkt: pkt.code == 1)],
                                     PacketField("frame", Frame(), Frame))]


class TagBody(Packet):
    """Ends itself (its extract_padding): what follows it is handed back."""

    name = "Tag body"
    fields_desc = [ByteField("value", 0)]

    def extract_padding(self, s):
        return b"", s


class TagHead(Packet):
    """Bluetooth's EIR_Hdr: no extract_padding, but its payload (bound on no field) ends itself."""

    name = "Tag head"
    fields_desc = [ByteField("type", 0)]


bind_layers(TagHead, TagBody)


class Tags(Packet):
    name = "Tags"
    fields_desc = [FieldLenField("n", None, length_of="tags", fmt="B"),
                   PacketListField("tags", [], TagHead, length_from=lambda pkt: pkt.n), ByteField("after", 0)]


class CStrings(Packet):
    name = "C strings"
    fields_desc = [StrNullField("narrow", b""), StrNullFieldUtf16("wide", ""), StrNullField("last", b"")]


class CutElements(Packet):
    """An element scapy cannot read is Raw, with every byte left in the list (ISIS's SRGB ranges)."""

    name = "Cut elements"
    fields_desc = [ByteField("n", 0), PacketListField("items", [], Tidy, length_from=lambda pkt: pkt.n),
                   ByteField("tail", 0)]


class EmptyPackets(Packet):
    """Sub-packets at the end of the bytes, or of no length."""

    name = "Empty packets"
    fields_desc = [ByteField("span", 0), PacketLenField("bounded", Tidy(), Tidy, length_from=lambda pkt: pkt.span),
                   PacketField("fixed", Tidy(), Tidy), PacketField("rest", Padded(), Padded)]


PORTS = {GreedyList: 40900, GreedyField: 40901, ShortLength: 40902, CountedShort: 40903, Unreadable: 40904,
         OpenLists: 40905, StringLists: 40906, OwnSizes: 40907,
         MiddleText: 40908, SlicedLengths: 40909, Labels: 40910, CStrings: 40911, EmptyPackets: 40912, CutElements: 40913,
         Names: 40914, PaddedType: 40915, Endpoints: 40916, Wrapper: 40917, Tags: 40918}
for _cls, _port in PORTS.items():
    bind_layers(UDP, _cls, dport=_port)
