"""Checking one value of a plan file (SPEC.md section 7): every problem collected, none raised.

Pure code, for ``plans.plan_file``: a text has its length and, for a code, its characters; a
number goes through ``plans.numbers``. The builder's forms hold texts to the same limits.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from plans import formula as formulas
from plans.numbers import NumberError, number_check

# SPEC.md section 7: the lengths of texts.
CODE_MAX_LENGTH = 50
NAME_MAX_LENGTH = 200
SHORT_MAX_LENGTH = 32  # a unit, a band's label, a flag
FORMULA_MAX_LENGTH = formulas.MAX_LENGTH

PLAN_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,49}\Z")
CODE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,49}\Z")  # never a "." or ",": codes are CSV columns
FLAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,31}\Z")
INPUT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,49}\Z")  # a name in a formula, a column's suffix


def short(text: str, length: int = 40) -> str:
    return text if len(text) <= length else f"{text[: length - 1]}…"


def shown(value: object) -> str:
    """A value of the file in a message, cut short: the file may hold anything."""
    try:
        return short(json.dumps(value, default=str, ensure_ascii=False))
    except (ValueError, RecursionError):  # pragma: no cover - loads refuses what cannot be dumped
        return "…"


class Checker:
    """Collects every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}" if where else message)

    def keys(self, where: str, data: Mapping[str, Any], allowed: set[str]) -> None:
        for key in data:
            if key not in allowed:
                self.error(where, _("unknown key “%(key)s”") % {"key": short(str(key))})

    def text(
        self, where: str, data: Mapping[str, Any], key: str, *, required: bool = True,
        max_length: int = NAME_MAX_LENGTH, pattern: re.Pattern[str] | None = None,
    ) -> str:  # fmt: skip
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.error(where, _("“%(key)s” is required") % {"key": key})
            return ""
        if not isinstance(value, str):
            self.error(where, _("“%(key)s” must be text") % {"key": key})
            return ""
        value = value.strip()
        if not value and required:
            self.error(where, _("“%(key)s” is required") % {"key": key})
        elif len(value) > max_length:
            self.error(
                where,
                _("“%(key)s” is %(length)s characters long: at most %(max)s") % {
                    "key": key, "length": len(value), "max": max_length
                },
            )  # fmt: skip
        elif any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
            self.error(where, _("“%(key)s” holds a control character") % {"key": key})
        elif pattern is not None and not pattern.fullmatch(value):
            self.error(where, _code_rule(key, value, pattern))
        else:
            return value
        return ""

    def number(
        self, where: str, data: Mapping[str, Any], key: str, *, required: bool = False, minimum: Decimal | None = None,
        positive: bool = False,
    ) -> Decimal | None:  # fmt: skip
        value = data.get(key)
        if value is None:
            if required:
                self.error(where, _("“%(key)s” is required") % {"key": key})
            return None
        number = as_decimal(value)
        if number is None:
            self.error(where, _("“%(key)s” must be a number, not %(value)s") % {"key": key, "value": shown(value)})
            return None
        try:
            number = number_check(number)
        except NumberError as error:
            self.error(where, f"“{key}”: {error.message}")
            return None
        if positive and number <= 0:
            self.error(where, _("“%(key)s” must be greater than 0") % {"key": key})
        elif minimum is not None and number < minimum:
            self.error(where, _("“%(key)s” must be at least %(minimum)s") % {"key": key, "minimum": minimum})
        return number

    def objects(self, key: str, items: list[Any], allowed: set[str]) -> Iterator[tuple[str, dict[str, Any]]]:
        """Each object of the list ``key`` with its place, its keys checked; what is not one is reported."""
        for index, item in enumerate(items):
            where = f"{key}[{index}]"
            if not isinstance(item, dict):
                self.error(where, _("must be an object"))
                continue
            self.keys(where, item, allowed)
            yield where, item

    def items(self, where: str, data: Mapping[str, Any], key: str, *, required: bool = True) -> list[Any]:
        value = data.get(key)
        if value is None:
            if required:
                self.error(where, _("“%(key)s” is required") % {"key": key})
            return []
        if not isinstance(value, list):
            self.error(where, _("“%(key)s” must be a list") % {"key": key})
            return []
        return value


def _code_rule(key: str, value: str, pattern: re.Pattern[str]) -> str:
    if pattern is INPUT_NAME:
        rule = _("a letter, then letters, digits and “_”, at most %(max)s") % {"max": CODE_MAX_LENGTH}
    else:
        length = SHORT_MAX_LENGTH if pattern is FLAG else CODE_MAX_LENGTH
        rule = _("letters, digits, “-” and “_”, at most %(max)s") % {"max": length}
    return _("%(key)s “%(value)s” may hold only %(rule)s") % {"key": key, "value": short(value), "rule": rule}


def as_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    return number if number.is_finite() else None
