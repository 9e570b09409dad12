"""The test layers share one scapy: two bound to one UDP port would make the
tests that import both read each other's packets (the xdist workers import
many layers)."""

import importlib

from scapy.layers.inet import UDP

from conftest import REPO


def test_every_test_layer_has_ports_of_its_own():
    """Asked of scapy's own bindings, after importing every test layer: whatever name a layer gives its ports."""
    for path in sorted((REPO / "tests" / "layers").glob("*.py")):
        if path.stem != "__init__":
            importlib.import_module(f"layers.{path.stem}")
    owner: dict[tuple[str, int], str] = {}
    for fval, cls in UDP.payload_guess:
        if not cls.__module__.startswith("layers."):
            continue
        for key in ("dport", "sport"):
            if key in fval:
                where = (key, fval[key])
                assert owner.get(where, cls.__module__) == cls.__module__, (
                    f"UDP {key} {fval[key]}: {cls.__module__} and {owner[where]}")
                owner[where] = cls.__module__
