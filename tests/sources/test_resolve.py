"""Sources are recognised by their form."""

from __future__ import annotations

import pytest

from schemaspec import SourceError
from schemaspec.sources.resolve import (
    Source,
    check_sqlite_url,
    is_in_memory_sqlite,
    load_source,
    parse_source,
)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("app.models:Base", "models"),
        ("unioncore.models:Base.metadata", "models"),
        ("postgresql+psycopg://u:p@h/db", "database"),
        ("sqlite:///app.db", "database"),
        ("sqlite://", "database"),
        ("specs/schema.toml", "snapshot"),
        ("build/Schema.JSON", "snapshot"),
        ("alembic:alembic.ini", "alembic"),
        ("alembic:migrations/alembic.ini@9d48d853728b", "alembic"),
    ],
)
def test_forms(text: str, kind: str) -> None:
    assert parse_source(text) == Source(kind, text)  # type: ignore[arg-type]


def test_database_sources_print_masked() -> None:
    assert str(parse_source("postgresql://app:pw@db/app")) == "postgresql://app:***@db/app"


def test_unknown_form_never_echoes_a_password() -> None:
    with pytest.raises(SourceError) as raised:
        parse_source("weird//app:pw@db")
    assert "pw@" not in str(raised.value)
    assert str(raised.value).startswith("cannot tell what ")


@pytest.mark.parametrize(
    ("url", "in_memory"),
    [
        ("sqlite://", True),
        ("sqlite:///:memory:", True),
        ("sqlite+pysqlite://", True),
        ("sqlite:///file:scratch?mode=memory&uri=true", True),
        ("sqlite:///app.db", False),
        ("sqlite:////srv/app.db", False),
        ("postgresql+psycopg://u@h/db", False),
        ("not a url", False),
    ],
)
def test_in_memory_sqlite(url: str, in_memory: bool) -> None:
    assert is_in_memory_sqlite(url) is in_memory


@pytest.mark.parametrize("url", ["sqlite://x.db", "sqlite://app:pw@x.db", "sqlite+pysqlite://h"])
def test_two_slashes_are_refused(url: str) -> None:
    with pytest.raises(SourceError) as raised:
        check_sqlite_url(url)
    assert str(raised.value).endswith(
        " is not a SQLite URL: a file takes three slashes (sqlite:///app.db, relative) or four "
        "(sqlite:////srv/app.db, absolute); 'sqlite://' alone is an in-memory database"
    )
    assert "pw" not in str(raised.value)


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///x.db", "sqlite:////x.db", "mysql://h/d"])
def test_other_urls_pass(url: str) -> None:
    check_sqlite_url(url)


def test_a_schema_no_model_is_in_is_an_error() -> None:
    # Without the check, every table would read as "unexpected" (or, against an empty side,
    # as "no differences").
    with pytest.raises(SourceError) as raised:
        load_source("unioncore.models:Base", schema="nosuch")
    assert str(raised.value) == (
        "models unioncore.models:Base have no tables in schema 'nosuch' (their tables are in the "
        "default schema)"
    )
