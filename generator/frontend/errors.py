"""The one error a bad generator input gets: it names the class, the field and the reason."""

from __future__ import annotations


class GeneratorError(Exception):
    """Bad generator input: names the class, the field and the reason."""


def location(cls, fld=None) -> str:
    return f"{cls.__name__}.{fld.name}" if fld is not None else cls.__name__
