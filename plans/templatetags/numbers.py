"""How a page writes money: ``{% load numbers %}`` then ``{{ amount|money }}``.

The one place a page turns a bonus amount into text, so that the format changes here for every
page at once: on a Chinese page as amounts of yuan are written in China (``¥2,500.00``: the
sign, thousands in groups of three), elsewhere the locale's number with its two decimals, as
Django writes a Decimal.
"""

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils import formats, translation

from plans.numbers import MONEY_PLACES

register = template.Library()

CENT = Decimal(1).scaleb(-MONEY_PLACES)


@register.filter
def money(value: Decimal | int | None) -> str | None:
    """An amount with its two decimals in the page's language; None stays None (for ``default_if_none``)."""
    if value is None:
        return None
    amount = Decimal(value)
    if translation.get_language() == "zh-hans":
        # Django's Chinese number format groups digits by four with no separator, which nobody
        # uses for an amount of money.
        amount = amount.quantize(CENT, rounding=ROUND_HALF_UP)
        return f"{'-' if amount < 0 else ''}¥{abs(amount):,.{MONEY_PLACES}f}"
    return formats.number_format(amount, decimal_pos=MONEY_PLACES)
