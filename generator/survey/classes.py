"""Which classes a survey covers: every Packet class a module defines."""

from __future__ import annotations

import importlib
import inspect
import logging
import pkgutil
import warnings

from scapy.packet import Packet

LIBRARY = ("scapy.layers", "scapy.contrib")


def library_modules(packages=LIBRARY) -> list[str]:
    """Every module of scapy's layer library, by name, sorted."""
    out = []
    for name in packages:
        pkg = importlib.import_module(name)
        out += [m.name for m in pkgutil.walk_packages(pkg.__path__, name + ".") if not m.ispkg]
    return sorted(out)


def module_classes(module_name: str) -> tuple[list[type[Packet]], str | None]:
    """(the Packet classes the module defines, in source order; why it could not be imported)."""
    logging.disable(logging.WARNING)  # scapy's layer modules warn about optional dependencies
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            module = importlib.import_module(module_name)
    except Exception as exc:  # a module that needs what this machine lacks
        return [], f"{type(exc).__name__}: {exc}"
    finally:
        logging.disable(logging.NOTSET)
    classes = [c for _, c in inspect.getmembers(module, inspect.isclass)
               if issubclass(c, Packet) and c.__module__ == module_name and c.fields_desc]
    classes.sort(key=_line)
    return classes, None


def _line(cls) -> int:
    try:
        return inspect.getsourcelines(cls)[1]
    except (OSError, TypeError):
        return 0
