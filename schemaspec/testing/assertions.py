"""Assertions that fail a test with schemaspec's text report, never a repr of large values.

A failing schema test should read like a review comment (``t.c: type numeric(10,2) expected,
integer found``), so each helper's message is exactly the text report the command line prints
for the same check:

- :func:`assert_matches`: two schemas are the same (``schemaspec diff``);
- :func:`assert_contract`: a schema holds a contract (``schemaspec contract``);
- :func:`assert_migrations`: a migration review has no findings (``schemaspec migrations``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import MetaData
from sqlalchemy.engine import URL, Connection, Engine

from schemaspec.compare.diff import SchemaDiff, diff
from schemaspec.errors import SourceError
from schemaspec.reports.diff_report import render_text
from schemaspec.spec import SchemaSpec
from schemaspec.util.redact import mask_url

if TYPE_CHECKING:
    from alembic.config import Config

    from schemaspec.checks.contracts import Contract
    from schemaspec.checks.migrations import MigrationReport


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


class ContractViolation(SchemaMismatch):
    """Raised by :func:`assert_contract` when a schema breaks a contract.

    A :class:`SchemaMismatch` (so an ``AssertionError``) whose message is the text report of
    the violations, the contract being the expected side; ``result`` is the ``SchemaDiff``.
    """

    __module__ = "schemaspec"


class MigrationFindings(AssertionError):
    """Raised by :func:`assert_migrations` when a migration review has findings.

    The message is the text report of ``python -m schemaspec migrations``; ``report`` is the
    :class:`~schemaspec.MigrationReport` for code that wants the findings themselves.
    """

    __module__ = "schemaspec"

    def __init__(self, report: MigrationReport, text: str) -> None:
        super().__init__(text)
        self.report = report
        self.text = text


def assert_contract(contract: Contract | str | os.PathLike[str], actual: Any) -> None:
    """Raise :class:`ContractViolation` unless ``actual`` holds ``contract``.

    ``contract`` is a :class:`~schemaspec.Contract` or the path of a contract file; ``actual``
    is a spec or any source :func:`assert_matches` accepts. Pins that check nothing are
    ``ContractWarning`` warnings, which pytest lists in its warnings summary.
    """
    __tracebackhide__ = True
    # Imported here: contracts pull in the dialect rules, which a plain import need not pay for.
    from schemaspec.checks.contracts import Contract, check_contract, load_contract

    if isinstance(contract, Contract):
        loaded, expected = contract, "contract"
    else:
        loaded, expected = load_contract(contract), f"contract {Path(contract)}"
    result = check_contract(loaded, to_spec(actual))
    if result:
        # Both sides named, or the report names neither (and the contract is worth naming).
        shown = source_name(actual) or "the schema checked"
        report = render_text(result, expected=expected, actual=shown)
        raise ContractViolation(result, report.rstrip("\n"))


def assert_migrations(
    migrations: MigrationReport | str | os.PathLike[str] | Config,
    *,
    url: str | URL | None = None,
    models: Any = None,
    allow_destructive: Iterable[str] = (),
) -> None:
    """Raise :class:`MigrationFindings` unless a migration review finds nothing.

    ``migrations`` is a :class:`~schemaspec.MigrationReport` already made, or the Alembic
    config (``alembic.ini`` or a ``Config``) to review with :func:`schemaspec.check_migrations`
    and the keyword arguments, which are its own.
    """
    __tracebackhide__ = True
    # Imported here: the review needs Alembic, which importing schemaspec must not load.
    from schemaspec.checks.migrations import MigrationReport, check_migrations
    from schemaspec.reports.migration_report import render_text as render_migrations

    if isinstance(migrations, MigrationReport):
        if url is not None or models is not None or allow_destructive:
            raise TypeError(
                "assert_migrations: url, models and allow_destructive review an Alembic config; "
                "a MigrationReport is already reviewed (pass them to check_migrations instead)"
            )
        report = migrations
    else:
        config = Path(migrations) if isinstance(migrations, str | os.PathLike) else migrations
        report = check_migrations(
            config, url=url, models=models, allow_destructive=allow_destructive
        )
    if report:
        raise MigrationFindings(report, render_migrations(report).rstrip("\n"))


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
