"""Which classes a survey covers: every Packet class a module defines."""

from __future__ import annotations

import functools
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


@functools.lru_cache(maxsize=None)
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
    # a module's namespace keeps definition order: the source order, without
    # inspect.getsourcelines (which parses the whole module again for each class)
    classes = dict.fromkeys(c for c in vars(module).values() if inspect.isclass(c) and issubclass(c, Packet)
                            and c.__module__ == module_name and c.fields_desc)
    return list(classes), None
