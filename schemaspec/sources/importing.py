"""Resolve ``"pkg.module:attr"`` import strings, with errors that name what failed."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from schemaspec.errors import SourceError

#: Told the module name before each import of user code and ``None`` after it. The command
#: line's supervisor (schemaspec.cli.guard) sets it, so that an import that ends the process
#: with ``os._exit()`` can still be named by the process that reports it.
on_import: Callable[[str | None], None] | None = None


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
    if on_import is not None:
        on_import(module_name)
    try:
        return importlib.import_module(module_name)
    except SystemExit as exit_:
        # Not the end of our run: a module that exits while imported is a module that cannot
        # be imported, and its exit code must not become ours.
        code = "" if exit_.code is None else repr(exit_.code)
        raise SourceError(
            f"cannot import {module_name!r}: it called sys.exit({code}) while being imported"
        ) from None
    except Exception as error:
        raise SourceError(
            f"cannot import {module_name!r}: {type(error).__name__}: {error}"
        ) from error
    finally:
        if on_import is not None:
            on_import(None)
