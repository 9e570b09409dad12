"""The transcribed tables are exactly the spec's TSV files."""

import csv

from scapy_layers.mstrp import constants as c


def _rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f, delimiter="\t"))


def test_req_func_table_matches_spec(spec):
    expected = {int(r["req_func"]): r["packet"] for r in _rows(spec / "req_func.tsv")}
    assert len(expected) == 132
    assert c.REQ_FUNC == expected
    assert c.REQ_FUNC[155] == "SetAgentSessionState"


def test_constant_groups_match_spec(spec):
    groups = {}
    for r in _rows(spec / "constants.tsv"):
        groups.setdefault(r["group"], {})[int(r["value"], 16)] = r["name"]
    for name, table in groups.items():
        assert getattr(c, name) == table, name
    assert c.LINEAGENTSESSIONSTATE[0x20] == "LINEAGENTSESSIONSTATE_RELEASED"
    assert c.TAPI_ACK[0xF101] == "TAPIERR_INVALRPCCONTEXT"
