"""Keep passwords out of every message, report and log line."""

from __future__ import annotations

import re
from urllib.parse import quote, quote_plus

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

_URL_PASSWORD = re.compile(
    r"(?P<prefix>[a-z][a-z0-9+.\-]*://[^:/@\s]*:)(?P<password>[^@\s]*)(?=@)", re.I
)


_USERINFO_PASSWORD = re.compile(r"(?P<prefix>(?:^|[/\s])[^:/@\s]*:)(?P<password>[^@\s]*)(?=@)")


def mask_url(url: str | URL) -> str:
    """The URL as text with its password replaced by ``***``.

    Text without a password is returned as given, so ``sqlite:///:memory:`` reads as typed rather
    than re-encoded by SQLAlchemy.
    """
    if isinstance(url, URL):
        return url.render_as_string(hide_password=True)
    try:
        parsed = make_url(url)
    except ArgumentError:
        # Not a URL SQLAlchemy can parse, but it may still carry "user:password@host".
        return _USERINFO_PASSWORD.sub(r"\g<prefix>***", url)
    return parsed.render_as_string(hide_password=True) if parsed.password else url


def describe_url(url: URL) -> str:
    """What a connection message should name: the database at a host, never the password."""
    where = url.host or "local"
    if url.port:
        where += f":{url.port}"
    database = f" database {url.database!r}" if url.database else ""
    return f"{url.get_backend_name()}{database} at {where}" if url.host else mask_url(url)


def scrub(message: str, url: URL | None) -> str:
    """Remove ``url``'s password, in every spelling a URL or DSN may carry, and the password of
    any other URL quoted in ``message`` (drivers echo connection strings in their errors)."""
    password = str(url.password) if url is not None and url.password else ""
    if password:
        for spelling in {password, quote(password, safe=""), quote_plus(password)}:
            message = message.replace(spelling, "***")
    return _URL_PASSWORD.sub(r"\g<prefix>***", message)


def unescaped_userinfo(url: URL) -> bool:
    """True when ``url`` was written with a raw ``@`` (or ``/`` before an ``@``) in its password.

    SQLAlchemy then reads the rest of the password as the host or the database name, and every
    message naming those would print it; such a URL is refused before it is used.
    """
    if url.get_backend_name() == "sqlite":
        return False  # the database is a file path, where '@' is an ordinary character
    return "@" in (url.host or "") or "@" in (url.database or "")
