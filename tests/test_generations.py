"""The matrix rule of tests/conftest.py: which Wireshark generations a test runs on."""

from conftest import generations_for

SPECS = ["tshark", "chroot:trixie", "chroot:forky", "chroot:bullseye"]
VERSIONS = {"tshark": (4, 0), "chroot:trixie": (4, 4), "chroot:forky": (4, 6), "chroot:bullseye": (3, 4)}


def test_every_test_runs_on_every_generation():
    assert generations_for(set(), SPECS, VERSIONS.get) == SPECS


def test_batches_run_on_the_oldest_and_the_newest():
    assert generations_for({"slow"}, SPECS, VERSIONS.get) == ["chroot:forky", "chroot:bullseye"]


def test_sanitizers_start_at_wireshark_4_0():
    assert generations_for({"sanitizers"}, SPECS, VERSIONS.get) == ["tshark", "chroot:trixie", "chroot:forky"]
    assert generations_for({"slow", "sanitizers"}, SPECS, VERSIONS.get) == ["tshark", "chroot:forky"]


def test_two_generations_or_fewer_all_run_the_batches():
    assert generations_for({"slow"}, ["tshark", "chroot:trixie"], VERSIONS.get) == ["tshark", "chroot:trixie"]
    assert generations_for({"slow", "sanitizers"}, ["chroot:bullseye"], VERSIONS.get) == []
