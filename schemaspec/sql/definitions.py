"""Definitions of views, triggers and routines as canonical text.

Two definitions are equal when the database would store them the same way. Where both sides
are databases of one kind that is the text the database gives back (``pg_get_viewdef``,
``information_schema``, ``sqlite_master``), so canonical text only has to make formatting not
count: case outside string literals, quotes around names, whitespace, a trailing semicolon. The
text is not parsed: a query is compared as the database wrote it, not re-derived.
"""

from __future__ import annotations

import re

# A string literal (kept as it is), a quoted name (quotes dropped), or anything else.
_TOKEN = re.compile(
    r"(?P<literal>'(?:[^']|'')*')"
    r"|\"(?P<double>(?:[^\"]|\"\")*)\""
    r"|`(?P<backtick>(?:[^`]|``)*)`"
    r"|\[(?P<bracket>[^\]]*)\]"
    r"|(?P<other>[^'\"`\[]+|[\"`\[])"
)
# Spaces next to punctuation carry no meaning; between two words they do (one is kept).
_AROUND_PUNCTUATION = re.compile(r"\s*([(),;=<>+\-*/|.:!])\s*")


def canonical_definition(text: str, *, qualifier: str | None = None) -> str:
    """``text`` lower case outside string literals, unquoted, on one line, one space apart.

    ``qualifier`` is a schema or database name to drop where it qualifies a name (MariaDB
    stores ``test.t.id`` for ``t.id`` written in database ``test``).
    """
    parts: list[str] = []
    for token in _TOKEN.finditer(text.strip()):
        if token.group("literal") is not None:
            parts.append("\0" + token.group("literal") + "\0")
            continue
        name = next(
            (
                token.group(kind)
                for kind in ("double", "backtick", "bracket")
                if token.group(kind) is not None
            ),
            None,
        )
        parts.append(name.lower() if name is not None else token.group("other").lower())
    joined = "".join(parts)
    # Literals were fenced with NUL so that the spacing rules below leave their insides alone.
    pieces = joined.split("\0")
    for index in range(0, len(pieces), 2):
        piece = " ".join(pieces[index].split())
        piece = _AROUND_PUNCTUATION.sub(r"\1", piece)
        if qualifier is not None:
            piece = re.sub(rf"(?<![\w.]){re.escape(qualifier.lower())}\.(?=\w)", "", piece)
        pieces[index] = piece
    return "".join(pieces).rstrip(";").strip()
