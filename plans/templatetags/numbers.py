"""How a page writes money: ``{% load numbers %}`` then ``{{ amount|money }}``.

The one place a page turns a bonus amount into text, so that the format (today the locale's
number with its two decimals, as Django writes a Decimal) changes here for every page at once.
"""

from decimal import Decimal

from django import template
from django.utils import formats

from plans.numbers import MONEY_PLACES

register = template.Library()


@register.filter
def money(value: Decimal | int | None) -> str | None:
    """An amount with its two decimals in the page's locale; None stays None (for ``default_if_none``)."""
    if value is None:
        return None
    return formats.number_format(Decimal(value), decimal_pos=MONEY_PLACES)
