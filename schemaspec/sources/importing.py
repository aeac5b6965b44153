"""Resolve ``"pkg.module:attr"`` import strings, with errors that name what failed."""

from __future__ import annotations

import importlib
from typing import Any

from schemaspec.errors import SourceError


def import_object(target: str) -> Any:
    """Import ``pkg.module:attr`` (``attr`` may be dotted) and return the attribute."""
    module_name, sep, attribute = target.partition(":")
    if not sep or not module_name or not attribute:
        raise SourceError(f"{target!r} is not an import string of the form 'pkg.module:attr'")
    module = import_module(module_name)
    value: Any = module
    for part in attribute.split("."):
        try:
            value = getattr(value, part)
        except AttributeError:
            raise SourceError(f"module {module_name!r} has no attribute {attribute!r}") from None
    return value


def import_module(module_name: str) -> Any:
    try:
        return importlib.import_module(module_name)
    except Exception as error:
        raise SourceError(
            f"cannot import {module_name!r}: {type(error).__name__}: {error}"
        ) from error
