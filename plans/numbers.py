"""What a number is: the one reader of every value that enters (SPEC.md section 7).

The grid, uploads, the roster, the plan builder, plan files and the commands all call it, so a
figure typed with a Chinese input method (``１２．５``), a spreadsheet's ``1,234.5`` or ``5%``
and a plan file's ``0.1234567`` are read, or refused, the same way everywhere. Nothing is
rounded: a value with more decimals than allowed is refused, so what is accepted is stored and
read back exactly (the columns hold 6 decimals and values below 10^9 with room to spare).

Pure code: standard library and gettext only.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import overload

from django.utils.translation import gettext as _

from plans.errors import ApplicationError

LIMIT = Decimal(10) ** 9  # absolute values must stay below
PLACES = 6  # decimals of a figure or a plan parameter
MONEY_PLACES = 2

# Digits with optional thousands separators in groups of three, a fraction, an exponent.
_NUMBER = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][+-]?\d+)?|[+-]?\.\d+(?:[eE][+-]?\d+)?")
# Minus signs people paste from documents; NFKC leaves these alone.
_MINUS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-", "\ufe63": "-"})
_LIMIT_TEXT = "1,000,000,000"


class NumberError(ApplicationError):
    """A value that is not an acceptable number; ``message`` says why, translated."""


def number_parse(
    text: str,
    *,
    places: int = PLACES,
    percent: bool = False,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
) -> Decimal:
    """A number as a person typed it; raises ``NumberError`` when it is not one we accept.

    ``percent``: a trailing ``%`` is accepted (the value is the number before the sign), as it is
    for an indicator measured in %.
    """
    cleaned = unicodedata.normalize("NFKC", text).translate(_MINUS).strip()
    if not cleaned:
        raise NumberError(_("a number is needed here"))
    if cleaned.endswith("%"):
        if not percent:
            raise NumberError(
                _("“%(value)s”: a percentage is accepted only for a value measured in %%; give the number alone")
                % {"value": text.strip()}
            )
        cleaned = cleaned[:-1].rstrip()
    if not _NUMBER.fullmatch(cleaned):
        raise NumberError(_("“%(value)s” is not a number") % {"value": text.strip()})
    try:
        value = Decimal(cleaned.replace(",", ""))
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only valid literals
        raise NumberError(_("“%(value)s” is not a number") % {"value": text.strip()}) from error
    return _checked(value, shown=text.strip(), places=places, minimum=minimum, maximum=maximum)


def number_check(
    value: Decimal | int,
    *,
    places: int = PLACES,
    minimum: Decimal | None = None,
    maximum: Decimal | None = None,
) -> Decimal:
    """The same limits for a value that already is a number (a JSON value, a formula's result)."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise NumberError(_("“%(value)s” is not a number") % {"value": value})
    number = Decimal(value)
    if not number.is_finite():
        raise NumberError(_("“%(value)s” is not a number") % {"value": value})
    return _checked(number, shown=None, places=places, minimum=minimum, maximum=maximum)


def money_parse(text: str) -> Decimal:
    """A bonus amount: at least 0, at most 2 decimals."""
    return number_parse(text, places=MONEY_PLACES, minimum=Decimal(0))


# Three ways out of a Decimal, each for a reader that needs it: text for a message, a Decimal for a
# page or a form to show (Django localizes it), an int or float for ``json.dumps`` (it writes no Decimal).


def number_text(value: Decimal) -> str:
    """A number as plain text, without exponent or trailing zeros: ``1234.5``, ``-3``, ``0.000001``."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


@overload
def number_tidy(value: Decimal | str) -> Decimal: ...
@overload
def number_tidy(value: None) -> None: ...
@overload
def number_tidy(value: Decimal | str | None) -> Decimal | None: ...
def number_tidy(value: Decimal | str | None) -> Decimal | None:
    """A stored number without its six trailing decimals: 30, 1.2."""
    if value is None:
        return None
    number = Decimal(value)
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


def number_json(value: Decimal) -> int | float:
    """A number of a plan file as JSON writes it: 30, 1.2 (15 digits at most, which a float gives back as they were)."""
    tidy = number_tidy(value)
    return int(tidy) if tidy == tidy.to_integral_value() else float(tidy)


def _checked(
    value: Decimal, *, shown: str | None, places: int, minimum: Decimal | None, maximum: Decimal | None
) -> Decimal:
    label = shown if shown is not None else number_text(value) if value.is_finite() else str(value)
    if abs(value) >= LIMIT:
        raise NumberError(
            _("“%(value)s” is too large: a number must lie between −%(limit)s and %(limit)s")
            % {"value": _short(label), "limit": _LIMIT_TEXT}
        )
    exponent = value.normalize().as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    if -exponent > places:
        message = (
            _("“%(value)s” has more than %(places)s decimals: give at most %(places)s, nothing is rounded")
            if places
            else _("“%(value)s” must be a whole number")
        )
        raise NumberError(message % {"value": _short(label), "places": places})
    if minimum is not None and value < minimum:
        raise NumberError(
            _("“%(value)s” is below the minimum of %(minimum)s") % {"value": label, "minimum": number_text(minimum)}
        )
    if maximum is not None and value > maximum:
        raise NumberError(
            _("“%(value)s” is above the maximum of %(maximum)s") % {"value": label, "maximum": number_text(maximum)}
        )
    if value == 0:
        return Decimal(0)  # not -0, nor 0E-6
    return number_tidy(value)  # 1.50 and 1.5 are the same amount: one form of it


def _short(text: str) -> str:
    return text if len(text) <= 40 else f"{text[:37]}…"
