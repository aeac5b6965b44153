"""``assert_matches``: a schema comparison that fails a test with the text report.

A failing schema test should read like a review comment (``t.c: type numeric(10,2) expected,
integer found``), not like a repr of two large values, so the assertion's message is exactly
:func:`schemaspec.reports.diff_report.render_text` of the diff.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.engine import URL, Connection, Engine

from schemaspec.compare.diff import SchemaDiff, diff
from schemaspec.errors import SourceError
from schemaspec.reports.diff_report import render_text
from schemaspec.spec import SchemaSpec
from schemaspec.util.redact import mask_url


class SchemaMismatch(AssertionError):
    """Raised by :func:`assert_matches` when two schemas differ.

    An ``AssertionError``, so test runners report it as a failed assertion. The message is the
    text report; ``result`` is the :class:`~schemaspec.SchemaDiff` for code that wants to
    look at the changes themselves.
    """

    # Test runners print the class by its module: show the public name users import and catch.
    __module__ = "schemaspec"

    def __init__(self, result: SchemaDiff, report: str) -> None:
        super().__init__(report)
        self.result = result
        self.report = report


def assert_matches(expected: Any, actual: Any, **options: Any) -> None:
    """Raise :class:`SchemaMismatch` unless ``actual`` has exactly the ``expected`` schema.

    Each side is a :class:`~schemaspec.spec.SchemaSpec` or anything :func:`to_spec` resolves:
    models (a ``MetaData``, a declarative base, ``"pkg.module:Base"``), a database (an
    ``Engine``, a ``Connection``, a URL), or a snapshot file (a ``Path`` or a ``.toml``/``.json``
    path). ``options`` go to :func:`schemaspec.compare.diff` unchanged.
    """
    __tracebackhide__ = True  # pytest: the failure points at the test, not at this helper
    result = diff(to_spec(expected), to_spec(actual), **options)
    if result:
        report = render_text(result, expected=source_name(expected), actual=source_name(actual))
        raise SchemaMismatch(result, report.rstrip("\n"))


def to_spec(source: Any) -> SchemaSpec:
    """The spec of ``source``: a spec itself, models, a database or a snapshot file."""
    if isinstance(source, SchemaSpec):
        return source
    if isinstance(source, str):
        # Imported here: resolve pulls in every source kind, most of which a test never uses.
        from schemaspec.sources.resolve import load_source

        return load_source(source)
    if isinstance(source, os.PathLike):
        from schemaspec.sources.snapshot import load

        return load(source)
    if isinstance(source, URL | Engine | Connection):
        from schemaspec.sources.database import from_database

        return from_database(source)
    if isinstance(source, MetaData) or isinstance(getattr(source, "metadata", None), MetaData):
        from schemaspec.sources.models import from_models

        return from_models(source)
    raise SourceError(
        f"cannot compare an object of type {type(source).__name__!r}: expected a SchemaSpec, "
        "models (MetaData, a declarative base, 'pkg.module:Base'), a database (Engine, "
        "Connection, URL) or a snapshot path"
    )


def source_name(source: Any) -> str | None:
    """How the report names a side; ``None`` for a bare spec, which has no name."""
    if isinstance(source, str):
        from schemaspec.sources.resolve import parse_source

        try:
            return str(parse_source(source))
        except SourceError:
            return None
    if isinstance(source, os.PathLike):
        return str(Path(source))
    if isinstance(source, URL):
        return mask_url(source)
    if isinstance(source, Engine | Connection):
        return mask_url(source.engine.url)
    if isinstance(source, type):
        return f"{source.__module__}:{source.__qualname__}"
    return None
