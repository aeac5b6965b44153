"""Passwords never reach a message."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import make_url

from schemaspec.util.redact import describe_url, mask_url, scrub


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql+psycopg://app:s3cret@db:5432/app", "postgresql+psycopg://app:***@db:5432/app"),
        ("mysql+pymysql://root@127.0.0.1/test", "mysql+pymysql://root@127.0.0.1/test"),
        ("sqlite:///app.db", "sqlite:///app.db"),
    ],
)
def test_mask_url(url: str, masked: str) -> None:
    assert mask_url(url) == masked


def test_scrub_removes_every_spelling_of_the_password() -> None:
    url = make_url("postgresql://app:p%40ss%20word@db/app")
    message = (
        "auth failed for p@ss word (p%40ss%20word, p%40ss+word) at postgresql://x:other@db/app"
    )
    assert scrub(message, url) == "auth failed for *** (***, ***) at postgresql://x:***@db/app"


def test_describe_url_names_host_and_database() -> None:
    assert describe_url(make_url("postgresql+psycopg://app:pw@db.internal:6543/sales")) == (
        "postgresql database 'sales' at db.internal:6543"
    )
