"""Frontend: scapy's ScalingField becomes a scaled integer field (its scaling
and unit in the model), or is refused with the reason."""

import textwrap

import pytest

from generator import model as M
from generator.frontend import GeneratorError, load


def _module(tmp_path, body: str) -> str:
    path = tmp_path / "userlayer.py"
    path.write_text("from scapy.fields import *\nfrom scapy.packet import Packet\n" + textwrap.dedent(body))
    return str(path)


def test_the_test_layer_reads_as_scaled_fields():
    f = {x.name: x for x in load("layers.scaling").message("Scaled").fields}
    assert (f["percent"].kind, f["percent"].ftype, f["percent"].base, f["percent"].size) == ("int", "double", "NONE", 1)
    assert f["percent"].scaling == M.Scaling(factor=100 / 255, offset=0, ndigits=3) and f["percent"].unit == "%"
    # integer scaling and offset: scapy's value is an int, nothing to round
    assert f["celsius"].scaling == M.Scaling(factor=1, offset=-40, ndigits=None) and f["celsius"].unit == "°C"
    assert (f["signed"].size, f["signed"].signed, f["signed"].little_endian) == (2, True, False)
    assert f["signed"].scaling == M.Scaling(factor=0.1, offset=-1, ndigits=1) and f["signed"].unit == ""
    assert (f["le32"].size, f["le32"].signed, f["le32"].little_endian, f["le32"].scaling.ndigits) == (4, True, True, 6)
    assert (f["big"].size, f["big"].signed, f["big"].ftype) == (8, False, "double")
    # scaling 1, offset 0: the raw integer, exact at 64 bits, with its unit
    assert (f["count"].ftype, f["count"].base, f["count"].scaling, f["count"].unit) == ("uint64", "DEC", None, "sec")
    assert (f["after"].scaling, f["after"].unit) == (None, "")


def test_obd_pids_are_scaled():
    proto = load("scapy.contrib.automotive.obd.pid.pids_00_1F:OBD_PID05")
    (data,) = proto.message("OBD_PID05").fields
    # offset=-40.0, a float: scapy rounds its float values to 3 decimals
    assert (data.ftype, data.scaling, data.unit) == ("double", M.Scaling(factor=1, offset=-40.0, ndigits=3), "deg. C")


@pytest.mark.parametrize("body,needle", [
    ("""
     class Bad(Packet):
         fields_desc = [BitScalingField("v", 0, 4, scaling=0.5), BitField("rest", 0, 4)]
     """, "Bad.v: a BitScalingField (a scaled value in a bit run) is not translated"),
    ("""
     class Bad(Packet):
         fields_desc = [ScalingField("v", 0, scaling=3, offset=1, fmt="!Q")]
     """, "Bad.v: a ScalingField scaled by integers whose values can pass 2**53"),
    ("""
     class Bad(Packet):
         fields_desc = [ScalingField("v", 0, scaling=2**22, fmt="!I")]
     """, "Bad.v: a ScalingField scaled by integers whose values can pass 2**53"),
    ("""
     class Bad(Packet):
         fields_desc = [ScalingField("v", 0, scaling=0.5, ndigits=-1)]
     """, "Bad.v: ScalingField ndigits=-1: the generator rounds to 0 to 15 decimals"),
    ("""
     class Bad(Packet):
         fields_desc = [ScalingField("v", 0, scaling=float("nan"))]
     """, "Bad.v: ScalingField scaling=nan is not a finite int or float"),
    ("""
     class Bad(Packet):
         fields_desc = [ByteField("n", 0), FieldListField("vs", [], ScalingField("", 0, scaling=0.5),
                                                          count_from=lambda pkt: pkt.n)]
     """, "Bad.vs: a FieldListField of ScalingField is not translated"),
    ("""
     class Bad(Packet):
         fields_desc = [ScalingField("n", 0, scaling=0.5), StrLenField("data", b"", length_from=lambda pkt: pkt.n)]
     """, "Bad.data: cannot translate length_from (pkt.n is a ScalingField's scaled value"),
])
def test_untranslatable_scaling_fields_are_refused(tmp_path, body, needle):
    with pytest.raises(GeneratorError) as err:
        load(_module(tmp_path, body), strict=True)
    assert needle in str(err.value)


def test_an_unscaled_scaling_field_may_be_read(tmp_path):
    """Scaling 1 and offset 0: scapy's value is the raw integer, which expressions read as the dissectors do."""
    proto = load(_module(tmp_path, """
        class Ok(Packet):
            fields_desc = [ScalingField("n", 0, unit="bytes"), StrLenField("data", b"", length_from=lambda pkt: pkt.n)]
        """))
    n, data = proto.message("Ok").fields
    assert (n.scaling, n.unit, n.referenced, data.length) == (None, "bytes", True, M.Value("n"))
