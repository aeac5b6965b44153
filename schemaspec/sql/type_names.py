"""Hand-written type strings (snapshots, contracts) to the canonical strings readers produce.

Readers turn SQLAlchemy type objects into canonical strings (:mod:`schemaspec.sql.types`); a
person writes ``NUMERIC(10, 2)``, ``int`` or ``timestamp with time zone``. Compared as typed,
those would be false differences against every source, so a loaded type goes through
:func:`canonical_type_name` first:

- case and spacing are the reader's (``NUMERIC(10, 2)`` is ``numeric(10,2)``);
- synonyms every database agrees on are the reader's name (``int``, ``int4`` are ``integer``,
  ``decimal`` is ``numeric``, ``character varying`` is ``varchar``, ``bool`` is ``boolean``,
  ``timestamp with time zone`` is ``timestamptz``...);
- a name no database knows but that is a near miss of one (``intgr``) is an error with the close
  match; any other name is taken as an extension or user-defined type (``point``, ``geometry``,
  ``ltree``), because specs from databases legitimately hold those;
- text that is no type at all (``5``, ``int)``, ``integer;``) is an error;
- a type written in double quotes (``"intgr"``) is taken exactly as written when its unquoted
  form would be rewritten or refused. :func:`written_type_name` uses that for the rare type a
  reader emits that the rules above would change (a SQLite column declared ``INT8`` is kept as
  ``int8``), so ``load(dump(spec)) == spec`` for every spec.

Every string a reader produces is its own canonical form (``canonical_type_name(t) == t``), so
this is idempotent on specs from sources and snapshots written by ``dump`` stay unquoted.
"""

from __future__ import annotations

import functools
import re

from schemaspec.sql.types import quote_literal

#: Synonyms: the words a person may write for a type, to the name readers give it. Keys are
#: lowercased words separated by one space.
SYNONYMS: dict[str, str] = {
    "int": "integer",
    "int4": "integer",
    "integer": "integer",
    "int2": "smallint",
    "smallint": "smallint",
    "int8": "bigint",
    "bigint": "bigint",
    "tinyint": "tinyint",
    "mediumint": "mediumint",
    "decimal": "numeric",
    "dec": "numeric",
    "numeric": "numeric",
    "float": "float",
    "float4": "real",
    "real": "real",
    "float8": "double",
    "double": "double",
    "double precision": "double",
    "varchar": "varchar",
    "character varying": "varchar",
    "char varying": "varchar",
    "nvarchar": "varchar",
    "national character varying": "varchar",
    "char": "char",
    "character": "char",
    "nchar": "char",
    "national character": "char",
    "bpchar": "char",
    "text": "text",
    "tinytext": "tinytext",
    "mediumtext": "mediumtext",
    "longtext": "longtext",
    "bool": "boolean",
    "boolean": "boolean",
    "date": "date",
    "time": "time",
    "time without time zone": "time",
    "timetz": "timetz",
    "time with time zone": "timetz",
    "timestamp": "timestamp",
    "timestamp without time zone": "timestamp",
    "datetime": "timestamp",
    "timestamptz": "timestamptz",
    "timestamp with time zone": "timestamptz",
    "mysql_timestamp": "mysql_timestamp",
    "interval": "interval",
    "bytes": "bytes",
    "bytea": "bytes",
    "blob": "bytes",
    "tinyblob": "tinyblob",
    "mediumblob": "mediumblob",
    "longblob": "longblob",
    "binary": "binary",
    "varbinary": "varbinary",
    "json": "json",
    "jsonb": "jsonb",
    "uuid": "uuid",
    "year": "year",
    "bit": "bit",
    "unknown": "unknown",
}

#: Names readers emit as they are (SQLAlchemy types without a rule of ours, compiled to their
#: DDL, and catalog names of extension types): valid, and kept apart from near misses.
#: A name missing here is still accepted unless it is a near miss of a known one.
KNOWN_AS_WRITTEN = frozenset(
    {
        # PostgreSQL built-ins SQLAlchemy or the catalog name as such.
        "citext", "inet", "cidr", "macaddr", "macaddr8", "money", "tsvector", "tsquery", "oid",
        "regclass", "regtype", "regproc", "xml", "name", "bit varying", "varbit", "serial",
        "smallserial", "bigserial", "point", "line", "lseg", "box", "path", "polygon", "circle",
        "int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange",
        "int4multirange", "int8multirange", "nummultirange", "tsmultirange", "tstzmultirange",
        "datemultirange", "pg_lsn", "pg_snapshot", "txid_snapshot", "jsonpath",
        # Common extensions (hstore, ltree, PostGIS, pgvector).
        "hstore", "ltree", "lquery", "ltxtquery", "geometry", "geography", "box2d", "box3d",
        "raster", "vector", "halfvec", "sparsevec", "cube", "seg", "isbn", "isbn13", "issn",
        "issn13", "ean13", "upc", "ismn", "ismn13", "lo", "earth", "uint2", "uint4", "uint8",
        # PostgreSQL's system and catalog types (a table may hold them too).
        "xid", "xid8", "cid", "tid", "regrole", "regnamespace", "regconfig", "regdictionary",
        "regoper", "regoperator", "regprocedure", "regcollation", "int2vector", "oidvector",
        "aclitem", "refcursor", "pg_node_tree", "gtsvector", "record", "void",
        # MySQL and MariaDB.
        "linestring", "multipoint", "multilinestring", "multipolygon", "geometrycollection",
        "inet4", "inet6",
        # Other databases' names a neutral spec may carry from a model type.
        "datetime2", "datetimeoffset", "smalldatetime", "ntext", "nvarchar2", "varchar2",
        "number", "uniqueidentifier", "image", "clob", "nclob",
    }
)  # fmt: skip

#: Integer types whose argument is MySQL's display width, which readers drop.
_DISPLAY_WIDTH = frozenset({"integer", "smallint", "bigint", "tinyint", "mediumint", "year"})
#: Types whose MySQL precision arguments readers drop (``DOUBLE(10,2)`` reads ``double``).
_NO_ARGUMENTS = frozenset({"double", "real"})
_UNSIGNED = frozenset(
    {"integer", "smallint", "bigint", "tinyint", "mediumint", "numeric", "float", "double", "real"}
)

#: Every name a person may mean: the source of "did you mean" suggestions.
_SUGGESTIONS = sorted(set(SYNONYMS) | KNOWN_AS_WRITTEN)

_WORD = r"[a-z_][a-z0-9_$]*"
# A plain type: words (a name, maybe schema-qualified, maybe several words), arguments in
# parentheses, trailing words (UNSIGNED, WITH TIME ZONE), array brackets.
_PLAIN = re.compile(
    rf"(?P<name>{_WORD}(?:\.{_WORD})*(?: {_WORD})*)"
    r" ?(?:\((?P<arguments>[^()]*)\))?"
    rf"(?P<suffix>(?: {_WORD})*)"
    r"(?P<arrays>(?: ?\[\d*\])*)"
)
_INTERVAL = re.compile(r"interval(?: (?:year|month|day|hour|minute|second|to))+")
#: Words after a number type that readers keep (``unsigned``) or drop (MySQL's display options).
_MODIFIERS = frozenset({"unsigned", "signed", "zerofill"})
_QUOTED = re.compile(r'"((?:[^"]|"")*)"')
_LITERALS = re.compile(r"\s*'(?:[^']|'')*'\s*(?:,\s*'(?:[^']|'')*'\s*)*")
_LITERAL = re.compile(r"'((?:[^']|'')*)'")
_ENUM_LIKE = re.compile(
    r"(?P<keyword>enum|set)\s*\((?P<body>.*)\)(?P<arrays>(?:\s*\[\d*\])*)", re.I | re.S
)


class TypeNameError(ValueError):
    """A hand-written type string that is no type, or a near miss of a known one."""


@functools.lru_cache(maxsize=4096)
def canonical_type_name(text: str) -> str:
    """``text`` as readers would give the type (see the module's rules); raises
    :class:`TypeNameError` for what no database knows."""
    stripped = text.strip()
    quoted = _QUOTED.fullmatch(stripped)
    if quoted is not None:
        return _quoted(stripped, quoted.group(1).replace('""', '"'))
    enum_like = _ENUM_LIKE.fullmatch(stripped)
    if enum_like is not None:
        return _enum_like(enum_like)
    squeezed = _squeeze(stripped)
    lowered = squeezed.lower()
    plain = _PLAIN.fullmatch(lowered)
    if plain is None:
        raise TypeNameError(f"not a type: {text!r}")
    arrays = plain.group("arrays").replace(" ", "")
    return _plain(
        plain.group("name"),
        plain.group("arguments"),
        plain.group("suffix").split(),
        arrays,
        text,
        lowered.replace(plain.group("arrays"), arrays) if arrays else lowered,
    )


def written_type_name(type_: str) -> str:
    """How a snapshot writes ``type_`` so that :func:`canonical_type_name` gives it back.

    Nearly always ``type_`` itself; a type the rules would rewrite or refuse (a SQLite column
    declared ``INT8``, a user type named one letter off a built-in one) is written in quotes.
    """
    try:
        if canonical_type_name(type_) == type_:
            return type_
    except TypeNameError:
        pass
    return '"' + type_.replace('"', '""') + '"'


def _quoted(written: str, inner: str) -> str:
    # The quotes are an escape only where the bare name would not stand as written; otherwise
    # they are part of the name (SQLAlchemy compiles a domain named "Order" with its quotes).
    try:
        if canonical_type_name(inner) == inner:
            return written
    except TypeNameError:
        pass
    return inner


def _squeeze(text: str) -> str:
    # No space inside parentheses or around commas; one after ``)`` (``numeric(10,2) unsigned``).
    text = re.sub(r"\s+", " ", re.sub(r"\[\s*(\d*)\s*\]", r"[\1]", text))
    return re.sub(r"\s*([(,])\s*|\s*(\))", r"\1\2", text)


def _enum_like(match: re.Match[str]) -> str:
    """``enum('a','b')``, ``set('a','b')``, ``enum(name)``: values and names keep their case."""
    keyword, body = match.group("keyword").lower(), match.group("body").strip()
    arrays = re.sub(r"\s+", "", match.group("arrays"))
    if _LITERALS.fullmatch(body):
        values = [value.replace("''", "'") for value in _LITERAL.findall(body)]
        return f"{keyword}(" + ",".join(quote_literal(value) for value in values) + ")" + arrays
    if not body:
        return f"{keyword}(){arrays}"  # what the reader gives an enum without values
    if keyword == "enum" and re.fullmatch(r"\w+", body):
        return f"enum({body}){arrays}"
    raise TypeNameError(
        f"not a type: '{match.group(0)}' ({keyword} takes 'quoted','values'"
        + (" or the name of an enum)" if keyword == "enum" else ")")
    )


def _plain(
    name: str, arguments: str | None, after: list[str], arrays: str, written: str, lowered: str
) -> str:
    words = name.split(" ")
    # Words after the arguments (``numeric(10,2) unsigned``, ``timestamp(3) with time zone``),
    # or at the end of the name when there are none (``integer unsigned``).
    tail = after if arguments is not None else words
    modifiers: set[str] = set()
    while len(tail) > (0 if arguments is not None else 1) and tail[-1] in _MODIFIERS:
        modifiers.add(tail.pop())
    if arguments is not None and after[:1] in (["with"], ["without"]):
        words, after = [*words, *after[:3]], after[3:]
    name = " ".join(words)
    canonical = SYNONYMS.get(name)
    if canonical is None and _INTERVAL.fullmatch(name):
        canonical = name  # PostgreSQL's interval fields: ``interval day to second``
    if canonical is None:
        return _unknown(name, written, lowered)
    if after:
        raise TypeNameError(f"not a type: {written.strip()!r}")
    unsigned = "unsigned" in modifiers
    if unsigned and canonical not in _UNSIGNED:
        raise TypeNameError(f"not a type: {written.strip()!r} ({canonical} has no unsigned form)")
    if canonical in _DISPLAY_WIDTH or canonical in _NO_ARGUMENTS:
        if canonical == "tinyint" and arguments == "1" and not unsigned:
            canonical = "boolean"  # MySQL's BOOLEAN, as the reader reads TINYINT(1)
        arguments = None
    elif canonical == "bit" and arguments is None:
        arguments = "1"  # BIT is BIT(1), and MySQL and PostgreSQL reflect it so
    rendered = canonical if arguments is None else f"{canonical}({arguments})"
    return rendered + (" unsigned" if unsigned else "") + arrays


def _unknown(name: str, written: str, lowered: str) -> str:
    """A name no rule of ours knows: an extension or user type, unless it is a near miss."""
    if name not in KNOWN_AS_WRITTEN and "." not in name:
        # A schema-qualified name is a user type by definition; a bare one may be a typo.
        close = near_miss(name, _SUGGESTIONS)
        if close is not None:
            meant = SYNONYMS.get(close, close)
            raise TypeNameError(
                f"unknown type {written.strip()!r}: did you mean {meant!r}? "
                f'(a user-defined type of that name is written in double quotes: "{name}")'
            )
        first = name.split(" ")[0]
        if first in SYNONYMS and first != name:
            # ``integer not null``, ``varchar(20) collate c``: more than a type.
            raise TypeNameError(f"not a type: {written.strip()!r}")
    # As readers give an unknown type: lowercased, spacing squeezed (``geometry(point,4326)``).
    return lowered


def near_miss(name: str, known: list[str]) -> str | None:
    """The known name ``name`` is a typo of, if any: one edit away (``txet``, ``jsno``), or two
    where ``name`` has five letters or more and the known name six or more (``intgr``,
    ``timestmp``).

    Edits are insertions, deletions, substitutions and swaps of neighbours. Any looser, and
    plausible user types would be refused (``color`` is two edits from ``clob``, ``cube``
    from ``uuid``).
    """
    best: tuple[int, str] | None = None
    for candidate in known:
        limit = 2 if len(name) >= 5 and len(candidate) >= 6 else 1
        if abs(len(candidate) - len(name)) > limit:
            continue
        distance = _edits(name, candidate)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, candidate)
    return None if best is None else best[1]


def _edits(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein with swaps of neighbouring letters)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, y in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]
