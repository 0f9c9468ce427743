"""Arithmetic formulas over named inputs, e.g. ``lost / total * 100``.

Numbers, input names, ``+ - * /``, unary minus and parentheses, nothing else. The text is
parsed into a small tree and evaluated with ``Decimal``; nothing is ever passed to ``eval``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*)|(.))")


class FormulaError(ValueError):
    pass


class FormulaDivisionByZero(FormulaError):
    pass


@dataclass(frozen=True)
class Number:
    value: Decimal


@dataclass(frozen=True)
class Name:
    name: str


@dataclass(frozen=True)
class Negate:
    operand: Node


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


Node = Number | Name | Negate | Binary


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # pragma: no cover - the pattern matches any character
            raise FormulaError(text)
        number, name, other = match.groups()
        if number is not None:
            tokens.append(("number", number))
        elif name is not None:
            tokens.append(("name", name))
        elif other in "+-*/()":
            tokens.append(("op", other))
        else:
            raise FormulaError(f"unexpected character {other!r}")
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise FormulaError("unexpected end of formula")
        self.index += 1
        return token

    def expression(self) -> Node:
        node = self.term()
        while (token := self.peek()) and token in (("op", "+"), ("op", "-")):
            self.take()
            node = Binary(token[1], node, self.term())
        return node

    def term(self) -> Node:
        node = self.unary()
        while (token := self.peek()) and token in (("op", "*"), ("op", "/")):
            self.take()
            node = Binary(token[1], node, self.unary())
        return node

    def unary(self) -> Node:
        if self.peek() == ("op", "-"):
            self.take()
            return Negate(self.unary())
        return self.primary()

    def primary(self) -> Node:
        kind, text = self.take()
        if kind == "number":
            return Number(Decimal(text))
        if kind == "name":
            return Name(text)
        if text == "(":
            node = self.expression()
            if self.take() != ("op", ")"):
                raise FormulaError("missing )")
            return node
        raise FormulaError(f"unexpected {text!r}")


def parse(text: str) -> Node:
    parser = _Parser(text)
    if not parser.tokens:
        raise FormulaError("empty formula")
    node = parser.expression()
    if parser.peek() is not None:
        raise FormulaError(f"unexpected {parser.peek()[1]!r}")  # type: ignore[index]
    return node


def names(node: Node) -> set[str]:
    """The input names a formula refers to."""
    if isinstance(node, Name):
        return {node.name}
    if isinstance(node, Negate):
        return names(node.operand)
    if isinstance(node, Binary):
        return names(node.left) | names(node.right)
    return set()


def evaluate(node: Node, values: Mapping[str, Decimal]) -> Decimal:
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Name):
        return values[node.name]
    if isinstance(node, Negate):
        return -evaluate(node.operand, values)
    left = evaluate(node.left, values)
    right = evaluate(node.right, values)
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    if right == 0:
        raise FormulaDivisionByZero("division by zero")
    return left / right
