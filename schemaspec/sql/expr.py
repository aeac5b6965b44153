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


class _Unparsable(Exception):
    pass


@dataclass(frozen=True)
class _Node:
    """A printed sub-expression and the binding power of its outermost operator."""

    text: str
    power: int


def minimal_parentheses(text: str) -> str:
    """``text`` with only the grouping parentheses operator precedence needs."""
    try:
        tokens = _tokens(text)
        parser = _Parser(tokens)
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
    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.position = 0

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
                text = f"{self.wrap(left, _IS)} is {'not ' if negated else ''}{operand}"
                left = _Node(text, _IS)
            elif token in _BINARY:
                power = _BINARY[token]
                if power <= min_power:
                    return left
                self.take()
                right = self.expression(power)
                left = _Node(self.binary(left, token, right, power), power)
            else:
                return left

    def comparison(self, left: _Node, *, negated: bool) -> _Node:
        keyword = self.take()
        prefix = f"{self.wrap(left, _COMPARISON)} {'not ' if negated else ''}{keyword}"
        if keyword == "in":
            self.take("(")
            items = self.items(")")
            return _Node(f"{prefix}({','.join(items)})", _COMPARISON)
        if keyword == "between":
            # PostgreSQL stores BETWEEN expanded, so it is expanded here for every database:
            # x BETWEEN a AND b is x >= a AND x <= b; NOT BETWEEN is x < a OR x > b.
            low = self.expression(_COMPARISON)
            self.take("and")
            high = self.expression(_COMPARISON)
            subject = self.wrap(left, _COMPARISON + 1)
            bounds = [self.wrap(low, _COMPARISON + 1), self.wrap(high, _COMPARISON + 1)]
            if negated:
                return _Node(f"{subject}<{bounds[0]} or {subject}>{bounds[1]}", _BINARY["or"])
            return _Node(f"{subject}>={bounds[0]} and {subject}<={bounds[1]}", _BINARY["and"])
        right = self.expression(_COMPARISON)
        return _Node(f"{prefix} {self.wrap(right, _COMPARISON + 1)}", _COMPARISON)

    def binary(self, left: _Node, operator: str, right: _Node, power: int) -> str:
        # Left-associative: an equal-power left operand needs no parentheses, a right one does,
        # except under AND and OR, which group either way (PostgreSQL nests them to the right).
        left_text = self.wrap(left, power)
        right_text = self.wrap(right, power if operator in ("and", "or") else power + 1)
        if operator in _WORD_OPERATORS:
            return f"{left_text} {operator} {right_text}"
        return f"{left_text}{operator}{right_text}"

    @staticmethod
    def wrap(node: _Node, power: int) -> str:
        return f"({node.text})" if node.power < power else node.text

    def prefix(self) -> _Node:
        token = self.take()
        if token == "(":
            inner = self.expression(0)
            self.take(")")
            return inner
        if token == "not":
            operand = self.expression(_NOT)
            return _Node(f"not {self.wrap(operand, _NOT)}", _NOT)
        if token in ("-", "+"):
            operand = self.expression(_UNARY)
            return _Node(f"{token}{self.wrap(operand, _UNARY)}", _UNARY)
        if token[0] == "'" or token[0].isdigit():
            return _Node(token, _ATOM)
        if token in _WORD_OPERATORS or not re.match(r"[a-z_]", token):
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
            return _Node(f"{token}({','.join(self.items(')'))})", _ATOM)
        if token in ("case", "when", "then", "else", "end", "select", "distinct", "collate"):
            raise _Unparsable
        return _Node(token, _ATOM)

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
