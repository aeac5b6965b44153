"""The facts SQLite keeps only in a table's ``CREATE TABLE`` text, parsed once per table.

``PRAGMA table_xinfo``, ``foreign_key_list`` and ``index_list``/``index_xinfo`` give columns,
types, defaults, keys and indexes, but not: constraint names, check constraints, column
collations, generated-column expressions, and whether a foreign key is deferrable. SQLite keeps
those only in the DDL exactly as it was typed, so they are read from it here, with a tokenizer
that knows SQLite's four quoting styles and its comments (a keyword inside a string literal or a
quoted name is not a keyword).

Speed matters (this runs for every table of a schema), so the body of the statement is split
into its column definitions and table constraints by one regular expression where it can be
(nesting up to four parentheses deep, no comments), and only the parts that can hold one of
those facts are tokenized.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

# -- tokens ---------------------------------------------------------------------------------

#: A quoted token: a string literal, or a name in any of SQLite's identifier quotes.
_QUOTED = r"""'(?:[^']|'')*+'|"(?:[^"]|"")*+"|`(?:[^`]|``)*+`|\[[^\]]*+\]"""
_TOKEN = re.compile(
    rf"""(?P<space>\s++|--[^\n]*+|/\*(?:[^*]|\*(?!/))*+(?:\*/)?)
    |(?P<quoted>{_QUOTED})
    |(?P<word>[^\W\d][\w$]*+)
    |(?P<open>\()|(?P<close>\))|(?P<comma>,)
    |(?P<other>[^\s'"`\[(),\w]++|\w++|.)""",
    re.VERBOSE | re.DOTALL,
)

#: Text without commas, parentheses or quotes, and groups nested up to four deep.
_PLAIN = r"""[^,()'"`\[]++"""
_GROUP = rf"\((?:{_PLAIN}|{_QUOTED}|,)*+\)"
for _ in range(3):
    _GROUP = rf"\((?:{_PLAIN}|{_QUOTED}|,|{_GROUP})*+\)"
_PART = re.compile(rf"(?:{_PLAIN}|{_QUOTED}|{_GROUP})++")
#: The same for text without quotes, which is most DDL and splits twice as fast.
_UNQUOTED_GROUP = r"\((?:[^()]++|\((?:[^()]++|\((?:[^()]++|\([^()]*+\))*+\))*+\))*+\)"
_UNQUOTED_PART = re.compile(rf"(?:[^,()]++|{_UNQUOTED_GROUP})++")
_ANY_QUOTE = re.compile(r"['\"`\[]")
_BODY = re.compile(rf"\((?:{_PLAIN}|{_QUOTED}|{_GROUP}|,)*+\)")
_HEAD = re.compile(
    rf"\s*CREATE\s++(?:TEMP(?:ORARY)?\s++)?(?:VIRTUAL\s++)?TABLE\s++(?:IF\s+NOT\s+EXISTS\s++)?"
    rf"(?:{_QUOTED}|[^\s(.]++)(?:\s*+\.\s*+(?:{_QUOTED}|[^\s(]++))?\s*+(?:USING\s++\w++\s*+)?(?=\()",
    re.IGNORECASE,
)
#: Words that open a table constraint (anything else opens a column definition).
_TABLE_CONSTRAINT = re.compile(r"(?:CONSTRAINT|PRIMARY|UNIQUE|CHECK|FOREIGN)\b", re.IGNORECASE)

Item = tuple[str, str]
"""A token at the top level of a part: ``(kind, text)``. Kinds: ``word``, ``quoted``, ``group``
(the text inside a pair of parentheses), ``comma``, ``other``."""


def _has_comment(text: str) -> bool:
    return "--" in text or "/*" in text


def unquote(text: str) -> str:
    """A name as SQLite reads it: quotes removed, doubled quote characters undoubled."""
    first = text[:1]
    if first == '"' or first == "`" or first == "'":
        return text[1:-1].replace(first * 2, first)
    if first == "[":
        return text[1:-1]
    return text


def items(text: str) -> list[Item]:
    """The top-level tokens of ``text``, each parenthesized group as one ``group`` item."""
    found: list[Item] = []
    depth = 0
    start = 0
    for token in _TOKEN.finditer(text):
        kind = token.lastgroup
        if kind == "space":
            continue
        if kind == "open":
            if depth == 0:
                start = token.end()
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth == 0:
                found.append(("group", text[start : token.start()]))
            elif depth < 0:
                depth = 0
        elif depth == 0:
            found.append((str(kind), token.group()))
    if depth > 0:
        # Unbalanced: the rest is one group, as SQLite itself would have refused anything else.
        found.append(("group", text[start:]))
    return found


def split_top_level(text: str) -> list[str]:
    """``text`` split at the commas outside parentheses, quotes and comments."""
    if not _has_comment(text):
        parts = (_PART if _ANY_QUOTE.search(text) else _UNQUOTED_PART).findall(text)
        if sum(map(len, parts)) + len(parts) - 1 == len(text) or not text.strip():
            return parts
    # Comments, deeper nesting or empty parts: the tokenizer's slower, exact walk.
    parts = []
    depth = 0
    start = 0
    for token in _TOKEN.finditer(text):
        kind = token.lastgroup
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "comma" and depth == 0:
            parts.append(text[start : token.start()])
            start = token.end()
    parts.append(text[start:])
    return parts


def leading_names(text: str) -> tuple[str, ...]:
    """The first name of each comma-separated element (``a COLLATE x DESC, "b"``: a, b)."""
    if "(" not in text and not _ANY_QUOTE.search(text) and not _has_comment(text):
        # Plain names, the common case: no tokenizer needed.
        return tuple(element.split(None, 1)[0] for element in text.split(",") if element.strip())
    names = []
    for element in split_top_level(text):
        for kind, value in items(element):
            if kind in ("word", "quoted"):
                names.append(unquote(value))
            break
    return tuple(names)


def _body(sql: str) -> str | None:
    """The text inside the parentheses of a ``CREATE TABLE`` statement."""
    start = sql.find("(")
    if start < 0 or _ANY_QUOTE.search(sql, 0, start) or _has_comment(sql[:start]):
        # A quoted table name may hold a parenthesis; the statement's grammar finds the body.
        head = _HEAD.match(sql)
        if head is None:
            return None
        start = head.end()
    if not _has_comment(sql):
        # Only table options (WITHOUT ROWID, STRICT) may follow the body, and they hold no
        # parenthesis: the last one closes it.
        end = sql.rfind(")")
        return sql[start + 1 : end] if end > start else None
    for kind, value in items(sql[start:]):
        return value if kind == "group" else None
    return None


# -- CREATE TABLE ----------------------------------------------------------------------------


@dataclass
class ForeignKeyDDL:
    """A foreign key as written: its columns (the column itself for an inline one)."""

    columns: tuple[str, ...]
    referred_table: str
    referred_columns: tuple[str, ...]
    name: str | None = None
    #: ``True`` for DEFERRABLE, ``False`` for NOT DEFERRABLE, ``None`` when not said.
    deferrable: bool | None = None
    #: ``DEFERRED`` or ``IMMEDIATE`` when said.
    initially: str | None = None


@dataclass
class TableDDL:
    primary_key_name: str | None = None
    #: ``(name, columns)`` of each UNIQUE clause, in the order written.
    uniques: list[tuple[str | None, tuple[str, ...]]] = field(default_factory=list)
    #: ``(name, expression)`` of each CHECK clause, in the order written.
    checks: list[tuple[str | None, str]] = field(default_factory=list)
    foreign_keys: list[ForeignKeyDDL] = field(default_factory=list)
    #: Column name -> its COLLATE clause's collation.
    collations: dict[str, str] = field(default_factory=dict)
    #: Column name -> the expression of its GENERATED ALWAYS AS (...) clause.
    generated: dict[str, str] = field(default_factory=dict)


#: Words that mark a part of the statement holding a fact read here. A part without one says
#: nothing the pragmas do not (an unnamed UNIQUE or FOREIGN KEY clause), and is not parsed; a
#: name holding one of these words only costs a parse.
_FACT_WORDS = ("CONSTRAINT", "CHECK", "COLLATE", "DEFERRABLE", "INITIALLY")
#: ... and AS, in a table with generated columns (GENERATED ALWAYS AS, or AS alone).
_FACT_WORDS_GENERATED = (*_FACT_WORDS, "AS")


def parse_table(sql: str, generated: bool = False, uniques: bool = False) -> TableDDL:
    """What ``sql`` (a ``CREATE TABLE`` statement) says beyond SQLite's pragmas. ``generated``:
    the table has generated columns, whose expressions are wanted too; ``uniques``: unnamed
    UNIQUE clauses are wanted too (named ones always are)."""
    found = TableDDL()
    body = _body(sql)
    if body is None:
        return found
    upper = body.upper()
    hits = []
    words = _FACT_WORDS_GENERATED if generated else _FACT_WORDS
    for word in (*words, "UNIQUE") if uniques else words:
        position = upper.find(word)
        while position >= 0:
            hits.append(position)
            position = upper.find(word, position + len(word))
    if not hits:
        return found
    parts = split_top_level(body)
    # Each part's offset in the body (the parts and the commas between them are the body).
    starts = list(accumulate(map((1).__add__, map(len, parts)), initial=0))
    for index in sorted({bisect_right(starts, hit) - 1 for hit in hits}):
        part = parts[index]
        if _TABLE_CONSTRAINT.match(part.lstrip()):
            _constraints(items(part), 0, None, found)
            continue
        parsed = items(part)
        if parsed and parsed[0][0] in ("word", "quoted"):
            _constraints(parsed, 1, unquote(parsed[0][1]), found)
    return found


def _word(item: Item | None) -> str:
    return item[1].upper() if item is not None and item[0] == "word" else ""


def _constraints(parsed: list[Item], i: int, column: str | None, found: TableDDL) -> None:
    """Read the constraint clauses of a column definition (``column``, from item ``i``, after
    its name) or a table constraint (``column`` ``None``) into ``found``."""
    n = len(parsed)

    def at(k: int) -> Item | None:
        return parsed[k] if k < n else None

    def group_at(k: int) -> str | None:
        item = at(k)
        return item[1] if item is not None and item[0] == "group" else None

    name: str | None = None
    while i < n:
        word = _word(parsed[i])
        i += 1
        if word == "CONSTRAINT":
            following = at(i)
            name = unquote(following[1]) if following is not None else None
            i += 1
            continue
        if word == "PRIMARY":
            found.primary_key_name = name
            i += 1  # KEY; a table constraint's column list is left to the pragma
        elif word == "UNIQUE":
            columns = group_at(i)
            if column is not None:
                found.uniques.append((name, (column,)))
            elif columns is not None:
                found.uniques.append((name, leading_names(columns)))
                i += 1
        elif word == "CHECK":
            expression = group_at(i)
            if expression is not None:
                found.checks.append((name, expression.strip()))
                i += 1
        elif word == "FOREIGN":
            columns = group_at(i + 1)  # KEY (...)
            i += 2
            if columns is not None and _word(at(i)) == "REFERENCES":
                i = _references(parsed, i, leading_names(columns), name, found)
        elif word == "REFERENCES" and column is not None:
            i = _references(parsed, i - 1, (column,), name, found)
        elif word == "COLLATE" and column is not None:
            following = at(i)
            if following is not None:
                found.collations.setdefault(column, unquote(following[1]))
                i += 1
        elif word == "GENERATED":
            continue  # GENERATED ALWAYS AS (...): the name, if any, belongs to AS
        elif word == "AS" and column is not None:
            expression = group_at(i)
            if expression is not None:
                found.generated[column] = expression
                i += 1
        elif word == "DEFAULT":
            # Its value is one item (a literal, a word, a group); a sign and a number are two
            # items, neither of which could be read as a keyword.
            i += 1
        elif word not in ("NOT", "NULL"):
            continue
        # A constraint clause ended: a CONSTRAINT name before it was its name.
        name = None


_ACTIONS = ("SET NULL", "SET DEFAULT", "CASCADE", "RESTRICT", "NO ACTION")


def _references(
    parsed: list[Item], i: int, columns: tuple[str, ...], name: str | None, found: TableDDL
) -> int:
    """Read ``REFERENCES table [(columns)] [clauses]`` starting at item ``i`` (REFERENCES)."""
    n = len(parsed)
    table = unquote(parsed[i + 1][1]) if i + 1 < n else ""
    i += 2
    referred: tuple[str, ...] = ()
    if i < n and parsed[i][0] == "group":
        referred = leading_names(parsed[i][1])
        i += 1
    key = ForeignKeyDDL(columns, table, referred, name)
    while i < n:
        word = _word(parsed[i])
        if word == "ON":
            # ON DELETE|UPDATE action: the pragma reports the action itself.
            i += 2
            action = _word(parsed[i]) if i < n else ""
            i += 2 if action in ("SET", "NO") else 1
        elif word == "MATCH":
            i += 2
        elif word == "NOT" and _word(parsed[i + 1] if i + 1 < n else None) == "DEFERRABLE":
            key.deferrable = False
            i += 2
        elif word == "DEFERRABLE":
            key.deferrable = True
            i += 1
        elif word == "INITIALLY":
            key.initially = _word(parsed[i + 1] if i + 1 < n else None) or None
            i += 2
        else:
            break
    found.foreign_keys.append(key)
    return i


# -- CREATE INDEX ----------------------------------------------------------------------------

_INDEX_ON = re.compile(
    rf"\bON\s++(?:{_QUOTED}|[^\s(.]++)(?:\s*+\.\s*+(?:{_QUOTED}|[^\s(]++))?\s*+(?=\()",
    re.IGNORECASE,
)
_WHERE = re.compile(r"\s*WHERE\s+(.*)$", re.IGNORECASE | re.DOTALL)
_ASC = re.compile(r"\s+ASC\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class IndexDDL:
    #: Each element: a column name, or the element's text (an expression, ``"a" DESC``).
    elements: tuple[str, ...]
    where: str | None


def parse_index(sql: str) -> IndexDDL | None:
    """The elements and the WHERE predicate of a ``CREATE INDEX`` statement."""
    on = _INDEX_ON.search(sql)
    if on is None:
        return None
    group = _BODY.match(sql, on.end())
    if group is not None:
        body, rest = group.group()[1:-1], sql[group.end() :]
    else:
        parsed = items(sql[on.end() :])
        if not parsed or parsed[0][0] != "group":
            return None
        body = parsed[0][1]
        rest = sql[on.end() + len(body) + 2 :]
    elements = []
    for element in split_top_level(body):
        # ASC is the default and goes; DESC stays part of the element ("email DESC").
        element = _ASC.sub("", element.strip())
        parsed_element = items(element)
        if len(parsed_element) == 1 and parsed_element[0][0] in ("word", "quoted"):
            elements.append(unquote(parsed_element[0][1]))
        else:
            elements.append(element)
    where = _WHERE.match(rest)
    return IndexDDL(tuple(elements), where.group(1).strip() if where else None)
