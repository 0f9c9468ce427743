"""Arithmetic formulas over named inputs, e.g. ``lost / total * 100``.

Numbers, input names, ``+ - * /``, unary minus and parentheses, nothing else. The text is
parsed into a small tree and evaluated with ``Decimal``; nothing is ever passed to ``eval``.
A formula is at most ``MAX_LENGTH`` characters and nests parentheses and minus signs at most
``MAX_DEPTH`` deep, so neither parsing nor evaluating it can exhaust the stack.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

MAX_LENGTH = 500  # characters (SPEC.md section 7)
MAX_DEPTH = 50  # parentheses and minus signs inside one another

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d*)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*)|(.))")


class FormulaError(ValueError):
    pass


class FormulaDivisionByZero(FormulaError):
    pass


class FormulaTooLong(FormulaError):
    pass


class FormulaTooDeep(FormulaError):
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
        self.depth = 0  # parentheses and minus signs open around the current token

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

    def nest(self, levels: int) -> None:
        self.depth += levels
        if self.depth > MAX_DEPTH:
            raise FormulaTooDeep(f"more than {MAX_DEPTH} parentheses or minus signs inside one another")

    def unary(self) -> Node:
        minus = 0
        while self.peek() == ("op", "-"):  # a loop, not a recursion: "------x" is fine up to the depth
            self.take()
            minus += 1
        self.nest(minus)
        node = self.primary()
        self.depth -= minus
        for _ in range(minus):
            node = Negate(node)
        return node

    def primary(self) -> Node:
        kind, text = self.take()
        if kind == "number":
            return Number(Decimal(text))
        if kind == "name":
            return Name(text)
        if text == "(":
            self.nest(1)
            node = self.expression()
            if self.take() != ("op", ")"):
                raise FormulaError("missing )")
            self.depth -= 1
            return node
        raise FormulaError(f"unexpected {text!r}")


def parse(text: str) -> Node:
    if len(text) > MAX_LENGTH:
        raise FormulaTooLong(f"longer than {MAX_LENGTH} characters")
    parser = _Parser(text)
    if not parser.tokens:
        raise FormulaError("empty formula")
    node = parser.expression()
    if parser.peek() is not None:
        raise FormulaError(f"unexpected {parser.peek()[1]!r}")  # type: ignore[index]
    return node


def names(node: Node) -> set[str]:
    """The input names a formula refers to."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Name):
            found.add(item.name)
        elif isinstance(item, Negate):
            stack.append(item.operand)
        elif isinstance(item, Binary):
            stack += (item.left, item.right)
    return found


def evaluate(node: Node, values: Mapping[str, Decimal]) -> Decimal:
    # Recursive, and bounded: a parsed tree is at most MAX_LENGTH / 2 operations deep.
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


def rename(text: str, mapping: Mapping[str, str]) -> str:
    """``text`` with each input name of ``mapping`` written as its value, the rest as typed: how a
    page shows ``lost / total * 100`` as ``流失客户数 / 客户总数 * 100``. Text that cannot be read
    is returned as it is."""
    parts: list[str] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:  # pragma: no cover - the pattern matches any character
            return text
        name = match.group(2)
        if name is not None and name in mapping:
            parts.append(text[position : match.start(2)] + mapping[name])
        else:
            parts.append(match.group(0))
        position = match.end()
    return "".join(parts)
