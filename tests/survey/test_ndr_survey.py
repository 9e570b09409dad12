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
