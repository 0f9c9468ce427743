"""How a page writes money and percentages: ``{% load numbers %}`` then ``{{ amount|money }}``,
``{{ rate|percent }}`` (the functions of ``plans.formats``, one place for every page)."""

from decimal import Decimal

from django import template

from plans.formats import money_text, percent_text

register = template.Library()


@register.filter
def money(value: Decimal | int | None) -> str | None:
    """``¥2,500.00`` in both languages; None stays None (for ``default_if_none``)."""
    return None if value is None else money_text(value)


@register.filter
def percent(value: Decimal | float | int | str | None) -> str | None:
    """``12.9%``, the sign against the number; None stays None (for ``default_if_none``)."""
    return None if value is None else percent_text(value)
