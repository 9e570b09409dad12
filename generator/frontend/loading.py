"""Loading layer modules: a dotted module or a .py path, and the classes it offers."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
from pathlib import Path

from scapy.packet import Packet

from ..names import lua_ident
from .errors import GeneratorError


def is_path(spec: str) -> bool:
    return spec.endswith(".py") or "/" in spec or spec.startswith(".")


def load_module(spec: str):
    """Import a dotted module or a .py file path."""
    if is_path(spec):
        path = Path(spec)
        if not path.is_file():
            raise GeneratorError(f"{spec}: no such file")
        name = "dissectgen_user_" + lua_ident(path.stem)
        loader_spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(loader_spec)
        sys.modules[name] = module
        try:
            loader_spec.loader.exec_module(module)
        except Exception as exc:
            raise GeneratorError(f"{spec}: importing it failed: {type(exc).__name__}: {exc}") from None
        return module
    try:
        return importlib.import_module(spec)
    except ImportError as exc:
        raise GeneratorError(f"{spec}: cannot import: {exc}") from None


def module_classes(module) -> list[type]:
    """The Packet classes a module offers, in source order: those named in its
    ``__all__`` when it has one (so a package can re-export its layers), else
    those it defines."""
    public = getattr(module, "__all__", None)
    out = []
    for name, obj in inspect.getmembers(module, inspect.isclass):
        if not issubclass(obj, Packet):
            continue
        if (name in public) if public is not None else obj.__module__ == module.__name__:
            out.append(obj)
    out.sort(key=lambda c: inspect.getsourcelines(c)[1] if _has_source(c) else 0)
    return out


def _has_source(cls) -> bool:
    try:
        inspect.getsourcelines(cls)
        return True
    except (OSError, TypeError):
        return False
