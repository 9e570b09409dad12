"""The test layers share one scapy: two bound to one UDP port would make the
tests that import both read each other's packets (the xdist workers import
many layers)."""

import importlib

from conftest import REPO


def test_every_test_layer_has_ports_of_its_own():
    owner: dict[int, str] = {}
    for path in sorted((REPO / "tests" / "layers").glob("*.py")):
        if path.stem == "__init__":
            continue
        ports = getattr(importlib.import_module(f"layers.{path.stem}"), "PORTS", {})
        for port in set(ports.values()):
            assert port not in owner, f"port {port}: layers.{path.stem} and {owner[port]}"
            owner[port] = f"layers.{path.stem}"
