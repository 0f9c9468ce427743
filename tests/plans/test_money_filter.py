"""The one filter a page writes money with."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize(
    ("amount", "text"),
    [(Decimal("51400.00"), "51400.00"), (Decimal("2500"), "2500.00"), (Decimal("0.5"), "0.50"), (3000, "3000.00")],
)
def test_an_amount_is_written_with_its_two_decimals(amount: Decimal | int, text: str) -> None:
    with translation.override("en"):
        rendered = Template("{% load numbers %}{{ amount|money }}").render(Context({"amount": amount}))
    assert rendered == text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("2500"), "¥2,500.00"),
        (Decimal("51400.5"), "¥51,400.50"),
        (Decimal("1234567.89"), "¥1,234,567.89"),
        (Decimal("0"), "¥0.00"),
        (Decimal("999"), "¥999.00"),
        (Decimal("-1500"), "-¥1,500.00"),
    ],
)
def test_a_chinese_page_writes_yuan_with_thousands_in_threes(amount: Decimal, text: str) -> None:
    with translation.override("zh-hans"):
        rendered = Template("{% load numbers %}{{ amount|money }}").render(Context({"amount": amount}))
    assert rendered == text


def test_no_amount_is_left_to_the_page() -> None:
    template = Template('{% load numbers %}{{ amount|money|default_if_none:"—" }}')
    assert template.render(Context({"amount": None})) == "—"
