"""The README's scapy session runs as written."""

import re

from conftest import REPO


def test_readme_scapy_session_runs(tmp_path, monkeypatch, capsys):
    src = (REPO / "README.md").read_text()
    code = re.search(r"## A scapy session\n\n```python\n(.*?)```", src, re.S).group(1)
    code = code.replace("/tmp/smb2_tapsrv.pcap", str(tmp_path / "smb2_tapsrv.pcap"))
    monkeypatch.chdir(REPO)
    exec(compile(code, "README.md", "exec"), {})
    assert "state_single_bit" in capsys.readouterr().out
    assert (tmp_path / "smb2_tapsrv.pcap").stat().st_size > 1000


def test_ci_runs_the_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text()
    assert "\nbash ./tools/test.sh\n" in ci
    assert "\nbash ./tools/test.sh " in (REPO / "README.md").read_text()
