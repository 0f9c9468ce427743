"""The one filter a page writes money with: yuan as written in China, on every page."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("2500"), "¥2,500.00"),
        (Decimal("51400.5"), "¥51,400.50"),
        (Decimal("1234567.89"), "¥1,234,567.89"),
        (Decimal("0"), "¥0.00"),
        (Decimal("0.5"), "¥0.50"),
        (Decimal("999"), "¥999.00"),
        (Decimal("0.005"), "¥0.01"),
        (3000, "¥3,000.00"),
        (Decimal("-1500"), "-¥1,500.00"),
    ],
)
def test_an_amount_is_yuan_with_thousands_in_threes_in_both_languages(
    amount: Decimal | int, text: str, language: str
) -> None:
    with translation.override(language):
        rendered = Template("{% load numbers %}{{ amount|money }}").render(Context({"amount": amount}))
    assert rendered == text


def test_no_amount_is_left_to_the_page() -> None:
    template = Template('{% load numbers %}{{ amount|money|default_if_none:"—" }}')
    assert template.render(Context({"amount": None})) == "—"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("value", "text"), [(Decimal("12.9"), "12.9%"), (Decimal("100.0"), "100.0%"), (0, "0%"), (Decimal("50.0"), "50.0%")]
)
def test_a_percentage_has_its_sign_against_the_number(value: Decimal | int, text: str, language: str) -> None:
    with translation.override(language):
        rendered = Template("{% load numbers %}{{ value|percent }}").render(Context({"value": value}))
    assert rendered == text


def test_no_percentage_is_left_to_the_page() -> None:
    template = Template('{% load numbers %}{{ value|percent|default_if_none:"—" }}')
    assert template.render(Context({"value": None})) == "—"
