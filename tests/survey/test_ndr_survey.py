"""NDR classes of scapy's library are surveyed in NDR32, the transfer syntax the
dissectors read: scapy marshals and reads them so (its default, conf.ndr64,
would compare NDR64 stubs with an NDR32 dissector), and its setting is left as it was."""

import os

from scapy.config import conf

from generator.survey.run import survey_class


def test_an_ndr_class_with_a_pointer_agrees_in_ndr32(tshark, tmp_path):
    from scapy.layers.msrpce.raw.ms_rrp import OpenLocalMachine_Request

    os.chmod(tmp_path, 0o755)  # tshark runs as nobody
    before = conf.ndr64
    out = survey_class("scapy.layers.msrpce.raw.ms_rrp", OpenLocalMachine_Request, 41990, tshark, str(tmp_path))
    assert conf.ndr64 == before
    assert out.packets > 0 and out.status == "agrees", out.problem


def test_a_class_holding_an_ndr_union_gets_packets_with_an_arm_and_agrees(tshark, tmp_path):
    """scapy's default for an NDRUnionField is no NDRUnion, so scapy cannot build
    NetrShareEnum_Response until an arm is given; the survey gives each union
    its first arm, here inside a structure (whose holder reads the arm's pointee)."""
    from scapy.layers.dcerpc import NDRUnion
    from scapy.layers.msrpce.raw.ms_srvs import NetrShareEnum_Response

    from generator.survey.packets import survey_packets

    conf.ndr64, before = False, conf.ndr64
    try:
        packets = survey_packets(NetrShareEnum_Response)
        assert len(packets) >= 2
        read = NetrShareEnum_Response(packets[0])
        assert isinstance(read.InfoStruct.ShareInfo, NDRUnion) and read.InfoStruct.ShareInfo.value.value is not None
    finally:
        conf.ndr64 = before
    os.chmod(tmp_path, 0o755)
    out = survey_class("scapy.layers.msrpce.raw.ms_srvs", NetrShareEnum_Response, 41991, tshark, str(tmp_path))
    assert out.packets == len(packets) and out.status == "agrees", out.problem
