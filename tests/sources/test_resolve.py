"""Sources are recognised by their form."""

from __future__ import annotations

import pytest

from schemaspec import SourceError
from schemaspec.sources.resolve import Source, parse_source


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
