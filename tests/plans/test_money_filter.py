"""The one filter a page writes money with."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("amount", "text"),
    [(Decimal("51400.00"), "51400.00"), (Decimal("2500"), "2500.00"), (Decimal("0.5"), "0.50"), (3000, "3000.00")],
)
def test_an_amount_is_written_with_its_two_decimals(language: str, amount: Decimal | int, text: str) -> None:
    with translation.override(language):
        rendered = Template("{% load numbers %}{{ amount|money }}").render(Context({"amount": amount}))
    assert rendered == text


def test_no_amount_is_left_to_the_page() -> None:
    template = Template('{% load numbers %}{{ amount|money|default_if_none:"—" }}')
    assert template.render(Context({"amount": None})) == "—"
