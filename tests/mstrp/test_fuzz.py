"""Fuzzing: crafted traffic is reproducible, labelled, and both dissectors survive it."""

import json
import subprocess
import sys
from collections import Counter

import pytest

from conftest import REPO
from scapy_layers.mstrp.capture import read_tapi
from scapy_layers.mstrp.fuzz import BREAKABLE, generate

MUTATED_EXCHANGES = 10_000  # >= 20,000 frames


@pytest.fixture(scope="module")
def mutated(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("fuzz") / "mutated.pcap")
    labels = generate(path, MUTATED_EXCHANGES, seed=2026, mode="mutate")
    return path, labels


def test_same_seed_same_bytes(tmp_path):
    a, b, c = (str(tmp_path / n) for n in ("a.pcap", "b.pcap", "c.pcap"))
    for mode in ("valid", "invalid", "mutate"):
        la, lb = generate(a, 200, 5, mode), generate(b, 200, 5, mode)
        generate(c, 200, 6, mode)
        assert open(a, "rb").read() == open(b, "rb").read() and la == lb
        assert open(a, "rb").read() != open(c, "rb").read()


def test_valid_traffic_conforms_and_agrees(checker, tmp_path):
    path = str(tmp_path / "valid.pcap")
    generate(path, 1000, seed=1, mode="valid")
    recs = read_tapi(path)
    assert len(recs) == 2000 and all(r.violations() == [] for r in recs)
    result = checker.check(path)
    assert result.disagreements == [] and result.messages == 2000


def test_each_broken_rule_is_reported_by_both(checker, tmp_path):
    path = str(tmp_path / "invalid.pcap")
    labels = generate(path, 500, seed=2, mode="invalid")
    by_frame = {}
    for r in read_tapi(path):
        by_frame.setdefault(r.frame, []).extend(v.rule for v in r.violations())
    for label in labels:
        assert label.detail in by_frame[label.frame], label
    assert Counter(l.detail for l in labels).keys() == {rule for rule, _ in BREAKABLE}
    # agreement includes the experts, one to one: the Lua reports every one of them
    result = checker.check(path)
    assert result.disagreements == [] and result.experts >= len(labels)


@pytest.mark.slow
def test_mutated_frames_never_break_the_dissector(tshark, mstrp_dissector, mutated):
    path, labels = mutated
    assert len(labels) == MUTATED_EXCHANGES
    frames = tshark.run(path, mstrp_dissector, ["-T", "fields", "-e", "frame.number", "-e", "_ws.expert.message"])
    assert len(frames.splitlines()) >= 20_000
    # strict mode: any Lua error would have stopped tshark with a non-zero exit
    tshark.run(path, mstrp_dissector, ["-2", "-R", "frame", "-V"], keep_stdout=False)


@pytest.mark.slow
def test_mutated_batch_agrees_when_framing_is_kept(checker, tmp_path):
    """NDR and TAPI bytes damaged in place: both sides still find every message and
    must decode each the same way, truncations and experts included."""
    path = str(tmp_path / "inplace.pcap")
    labels = generate(path, 2000, seed=12, mode="mutate", keep_framing=True)
    assert all(not l.detail.startswith("dcerpc header") for l in labels)
    result = checker.check(path)
    assert result.disagreements == []
    assert result.messages >= 3900 and result.experts > 100


def test_mutated_frames_never_break_scapy(mutated):
    path, labels = mutated
    recs = read_tapi(path)
    assert len(recs) > MUTATED_EXCHANGES  # most conversations survive their damage
    for r in recs:
        r.violations()
        r.packet.summary()


def test_cli_fuzz(tmp_path):
    out = tmp_path / "f.pcap"
    proc = subprocess.run([sys.executable, "-m", "generator.cli", "fuzz", "--mode", "invalid", "--count", "20",
                           "--seed", "3", "-o", str(out)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    labels = json.loads((tmp_path / "f.pcap.labels.json").read_text())
    assert len(labels) == 20 and {"frame", "direction", "kind", "detail"} <= set(labels[0])
    bad = subprocess.run([sys.executable, "-m", "generator.cli", "fuzz", "--count", "0", "-o", str(out)],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2
