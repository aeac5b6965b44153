"""Fleet targets as the command line gives them: URLs, SQLite files, and files listing URLs.

A list file has one URL a line; blank lines and lines starting with ``#`` are skipped.
``${NAME}`` is replaced by the environment variable ``NAME``, which is where passwords come
from: a password written in the file itself is refused, because a target list is the kind of
file that gets committed. (libpq's own ``PGPASSWORD`` and ``~/.pgpass`` work too: leave the
password out of the URL.)
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from schemaspec.errors import SourceError

#: The first bytes of every SQLite database file.
SQLITE_HEADER = b"SQLite format 3\x00"

_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def expand_targets(arguments: Iterable[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """The URLs the arguments name: a URL as given, ``@FILE`` or a file that is not a SQLite
    database as a list of URLs, a SQLite database file as its ``sqlite:///`` URL."""
    env = os.environ if environ is None else environ
    urls: list[str] = []
    for argument in arguments:
        if argument.startswith("@"):
            urls.extend(read_target_file(Path(argument[1:]), env))
            continue
        path = Path(argument)
        if "://" not in argument and path.is_file():
            if _is_sqlite_file(path):
                urls.append(f"sqlite:///{path}")
            else:
                urls.extend(read_target_file(path, env))
            continue
        if "://" not in argument:
            raise SourceError(
                f"fleet target {argument!r} is neither a database URL nor a file: give a URL "
                "(postgresql+psycopg://host/db), a SQLite file or a file listing URLs"
            )
        urls.append(argument)
    return urls


def read_target_file(path: Path, environ: Mapping[str, str]) -> list[str]:
    """The URLs listed in ``path`` (see the module docs)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise SourceError(f"no target file {str(path)!r}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SourceError(f"cannot read the target file {str(path)!r}: {error}") from None
    urls = []
    for number, line in enumerate(lines, start=1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        where = f"{path}:{number}"
        _refuse_literal_password(entry, where)
        urls.append(_expand(entry, environ, where))
    return urls


def _expand(entry: str, environ: Mapping[str, str], where: str) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in environ:
            raise SourceError(f"{where}: the environment variable {name} is not set")
        return environ[name]

    return _VARIABLE.sub(value, entry)


def _refuse_literal_password(entry: str, where: str) -> None:
    try:
        url = make_url(entry)
    except (ArgumentError, ValueError):
        # Not a URL SQLAlchemy reads: the reader says so, without quoting the line (which
        # could hold a password).
        raise SourceError(f"{where}: not a database URL") from None
    password = url.password
    if password is None or _VARIABLE.fullmatch(str(password)):
        return
    raise SourceError(
        f"{where}: the URL has a password written in the file; put the password in an "
        "environment variable and write ${NAME} in its place (e.g. ${TENANT_DB_PASSWORD}), or "
        "leave it out of the URL for PGPASSWORD/~/.pgpass"
    )


def _is_sqlite_file(path: Path) -> bool:
    try:
        with path.open("rb") as file:
            return file.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False
