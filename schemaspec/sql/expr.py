"""Grouping parentheses in canonical SQL text: only those that change the meaning stay.

PostgreSQL gives a check ``a > 0 AND b > 0`` back as ``((a > 0) AND (b > 0))``: it wraps every
operator. A small precedence parser reads canonical text (see :mod:`schemaspec.sql.text`) into a
tree and prints it again with the parentheses that operator precedence requires, so both
spellings meet. Anything it does not understand (``CASE``, casts, subqueries) is left exactly as
it was: an unparsed expression still compares, just without this normalisation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>\d+(?:\.\d+)?(?:e[+-]?\d+)?)"
    r"|(?P<word>[a-z_][\w$]*(?:\.[a-z_][\w$]*)*)"
    r"|(?P<op>>=|<=|<>|!=|\|\||[=<>+\-*/%(),\[\]]))",
)

# Binding power of binary operators, lowest first (PostgreSQL's order of precedence).
_BINARY = {
    "or": 1,
    "and": 2,
    "=": 5,
    "<>": 5,
    "!=": 5,
    "<": 5,
    ">": 5,
    "<=": 5,
    ">=": 5,
    "like": 5,
    "ilike": 5,
    "||": 6,
    "+": 7,
    "-": 7,
    "*": 8,
    "/": 8,
    "%": 8,
}
_NOT = 3
_IS = 4
_COMPARISON = 5
_UNARY = 9
_ATOM = 10
_WORD_OPERATORS = frozenset({"and", "or", "not", "is", "in", "like", "ilike", "between"})
_BARE_NAME = re.compile(r"[a-z_][\w$]*(?:\.[a-z_][\w$]*)*")


class _Unparsable(Exception):
    pass


@dataclass(frozen=True)
class _Node:
    """A printed sub-expression, the binding power of its outermost operator and, where one
    exists without a ``NOT``, its negation (``a>1`` is ``a<=1``; see ``push_not``)."""

    text: str
    power: int
    negated: _Node | None = None


# The comparison each comparison operator is the negation of.
_INVERSE = {"=": "<>", "<>": "=", "!=": "=", "<": ">=", ">=": "<", ">": "<=", "<=": ">"}
# Keywords that start something this parser does not read (CASE, a subquery, COLLATE).
_UNREADABLE = frozenset({"case", "when", "then", "else", "end", "select", "distinct", "collate"})
# What may follow a column name: a keyword written where an operand must be is a column's name
# (``"select" > 0``, whose quotes canonical text drops), when one of these follows it.
_AFTER_NAME = frozenset(
    {*_BINARY, ")", ",", "]", "is", "in", "like", "ilike", "between", "and", "or", None}
)


def minimal_parentheses(text: str, *, push_not: bool = False) -> str:
    """``text`` with only the grouping parentheses operator precedence needs.

    ``push_not`` moves every ``NOT`` down to what it negates, as MariaDB stores a check: it
    gives ``NOT (a > 1 AND b IS NULL)`` back as ``a <= 1 OR b IS NOT NULL`` (De Morgan; a
    comparison, IN, LIKE, BETWEEN and IS NULL are inverted; ``NOT NOT x`` is ``x``; a bare
    column ``NOT a`` is ``a = 0``). The rewrite keeps the meaning, NULLs included.
    """
    try:
        tokens = _tokens(text)
        parser = _Parser(tokens, push_not=push_not)
        node = parser.expression(0)
        if parser.position != len(tokens):
            raise _Unparsable
    except _Unparsable:
        return text
    return node.text


def _tokens(text: str) -> list[str]:
    tokens = []
    position = 0
    text = text.strip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise _Unparsable
        tokens.append(match.group().strip())
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, tokens: list[str], *, push_not: bool = False) -> None:
        self.tokens = tokens
        self.position = 0
        self.push_not = push_not

    def peek(self, offset: int = 0) -> str | None:
        index = self.position + offset
        return self.tokens[index] if index < len(self.tokens) else None

    def take(self, expected: str | None = None) -> str:
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise _Unparsable
        self.position += 1
        return token

    def expression(self, min_power: int) -> _Node:
        left = self.prefix()
        while True:
            token = self.peek()
            if token is None:
                return left
            if token == "not" and self.peek(1) in ("in", "like", "ilike", "between"):
                if min_power >= _COMPARISON:
                    return left
                self.take()
                left = self.comparison(left, negated=True)
            elif token in ("in", "between"):
                if min_power >= _COMPARISON:
                    return left
                left = self.comparison(left, negated=False)
            elif token == "is":
                if min_power >= _IS:
                    return left
                self.take()
                negated = self.peek() == "not"
                if negated:
                    self.take()
                operand = self.take()
                if operand not in ("null", "true", "false"):
                    raise _Unparsable
                subject = f"{self.wrap(left, _IS)} is "
                left = _Node(
                    f"{subject}{'not ' if negated else ''}{operand}",
                    _IS,
                    _Node(f"{subject}{'' if negated else 'not '}{operand}", _IS),
                )
            elif token in _BINARY:
                power = _BINARY[token]
                if power <= min_power:
                    return left
                self.take()
                right = self.expression(power)
                negation = self.negation(left, token, right, power) if self.push_not else None
                left = _Node(self.binary(left, token, right, power), power, negation)
            else:
                return left

    def comparison(self, left: _Node, *, negated: bool) -> _Node:
        keyword = self.take()
        subject = self.wrap(left, _COMPARISON)

        def node(rest: str) -> _Node:
            # x NOT IN (...) is the negation of x IN (...), and the other way round.
            positive = _Node(f"{subject} {keyword}{rest}", _COMPARISON)
            negative = _Node(f"{subject} not {keyword}{rest}", _COMPARISON, positive)
            return (
                _Node(negative.text, _COMPARISON, positive)
                if negated
                else _Node(positive.text, _COMPARISON, negative)
            )

        if keyword == "in":
            self.take("(")
            return node(f"({','.join(self.items(')'))})")
        if keyword == "between":
            # PostgreSQL stores BETWEEN expanded, so it is expanded here for every database:
            # x BETWEEN a AND b is x >= a AND x <= b; NOT BETWEEN is x < a OR x > b.
            low = self.expression(_COMPARISON)
            self.take("and")
            high = self.expression(_COMPARISON)
            value = self.wrap(left, _COMPARISON + 1)
            bounds = [self.wrap(low, _COMPARISON + 1), self.wrap(high, _COMPARISON + 1)]
            outside = _Node(f"{value}<{bounds[0]} or {value}>{bounds[1]}", _BINARY["or"])
            inside = _Node(f"{value}>={bounds[0]} and {value}<={bounds[1]}", _BINARY["and"])
            if negated:
                return _Node(outside.text, outside.power, inside)
            return _Node(inside.text, inside.power, outside)
        right = self.expression(_COMPARISON)
        return node(f" {self.wrap(right, _COMPARISON + 1)}")

    def binary(self, left: _Node, operator: str, right: _Node, power: int) -> str:
        # Left-associative: an equal-power left operand needs no parentheses, a right one does,
        # except under AND and OR, which group either way (PostgreSQL nests them to the right).
        left_text = self.wrap(left, power)
        right_text = self.wrap(right, power if operator in ("and", "or") else power + 1)
        if operator in _WORD_OPERATORS:
            return f"{left_text} {operator} {right_text}"
        return f"{left_text}{operator}{right_text}"

    def negation(self, left: _Node, operator: str, right: _Node, power: int) -> _Node | None:
        """``NOT (left operator right)`` without the NOT, where that exists."""
        if operator in _INVERSE:
            return _Node(self.binary(left, _INVERSE[operator], right, power), power)
        if operator in ("like", "ilike"):
            text = f"{self.wrap(left, power)} not {operator} {self.wrap(right, power + 1)}"
            return _Node(text, power, _Node(self.binary(left, operator, right, power), power))
        if operator in ("and", "or"):
            # De Morgan: NOT (a AND b) is NOT a OR NOT b.
            other = "or" if operator == "and" else "and"
            left_not, right_not = self.negate(left), self.negate(right)
            return _Node(self.binary(left_not, other, right_not, _BINARY[other]), _BINARY[other])
        return None

    def negate(self, node: _Node) -> _Node:
        """``NOT node``: its negation where it has one (when pushing NOTs down), else NOT."""
        if self.push_not and node.negated is not None:
            # ...whose own negation is the node again: NOT NOT x is x.
            negated = node.negated
            return _Node(negated.text, negated.power, negated.negated or node)
        if self.push_not and node.power == _ATOM and _BARE_NAME.fullmatch(node.text):
            # MariaDB stores NOT of a plain (numeric) column as a comparison with zero.
            return _Node(f"{node.text}=0", _COMPARISON, _Node(f"{node.text}<>0", _COMPARISON))
        return _Node(f"not {self.wrap(node, _NOT)}", _NOT, node)

    @staticmethod
    def wrap(node: _Node, power: int) -> str:
        return f"({node.text})" if node.power < power else node.text

    def prefix(self) -> _Node:
        token = self.take()
        if token == "(":
            inner = self.expression(0)
            self.take(")")
            return inner
        if token == "not" and (self.peek() in ("-", "+") or self.peek() not in _AFTER_NAME):
            return self.negate(self.expression(_NOT))
        if token in ("-", "+"):
            operand = self.expression(_UNARY)
            return _Node(f"{token}{self.wrap(operand, _UNARY)}", _UNARY)
        if token[0] == "'" or token[0].isdigit():
            return _Node(token, _ATOM)
        if not re.match(r"[a-z_]", token):
            raise _Unparsable
        if token in _WORD_OPERATORS or token in _UNREADABLE:
            if self.peek() in _AFTER_NAME:
                # A column named like a keyword: "select" > 0, quotes dropped.
                return _Node(token, _ATOM)
            raise _Unparsable
        if token == "array" and self.peek() == "[":
            self.take()
            return _Node(f"array[{','.join(self.items(']'))}]", _ATOM)
        if self.peek() == "(":
            self.take()
            if self.peek() == "*":
                self.take()
                self.take(")")
                return _Node(f"{token}(*)", _ATOM)
            if token == "substring":
                return _Node(f"substring({','.join(self.substring_arguments())})", _ATOM)
            return _Node(f"{token}({','.join(self.items(')'))})", _ATOM)
        return _Node(token, _ATOM)

    def substring_arguments(self) -> list[str]:
        """``SUBSTRING(x FROM a FOR b)`` as ``SUBSTRING(x, a, b)``: the SQL standard's spelling
        of the same call. PostgreSQL gives ``substring()`` back in the standard's words and
        MariaDB as ``substr(x,a,b)``, whichever was written; ``FOR b`` alone starts at 1."""
        if self.peek() == ")":
            return self.items(")")
        subject = self.expression(0).text
        if self.peek() not in ("from", "for"):
            self.take(",")
            return [subject, *self.items(")")]
        start = "1"
        if self.peek() == "from":
            self.take()
            start = self.expression(0).text
        arguments = [subject, start]
        if self.peek() == "for":
            self.take()
            arguments.append(self.expression(0).text)
        self.take(")")
        return arguments

    def items(self, closing: str) -> list[str]:
        items: list[str] = []
        if self.peek() == closing:
            self.take()
            return items
        while True:
            items.append(self.expression(0).text)
            token = self.take()
            if token == closing:
                return items
            if token != ",":
                raise _Unparsable
