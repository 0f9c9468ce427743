"""A quarter held for calibration on its review page: the employee reads that its results wait
for HR's release (not that they were not assessed), in both languages; once released, the month
shows as closed."""

import pytest

from metrics.results.calibration import period_release
from plans.periods import Period
from reviews import services
from reviews.models import Review
from tests.metrics.results.calibration_data import calibrated_month, user
from tests.reviews.conftest import client_for, page_text

pytestmark = pytest.mark.django_db


def _review_text(language: str) -> str:
    review = Review.objects.filter(employee=user("li.lei")).first() or services.review_open(
        employee=user("li.lei"), period=Period.parse("2026-Q1"), user=user("hr")
    )
    client = client_for(user("li.lei"))
    client.cookies["django_language"] = language
    return page_text(client.get(f"/reviews/{review.pk}/").content)


def test_a_held_month_says_it_awaits_hrs_release_in_chinese_then_closed_once_released() -> None:
    calibrated_month()

    text = _review_text("zh-hans")

    assert "2026年1月 待人力资源发布" in text
    assert "未考核" not in text and "107.66" not in text

    period_release(period=Period.parse("2026-01"), user=user("hr"))
    text = _review_text("zh-hans")

    assert "待人力资源发布" not in text
    assert "107.66" in text


def test_a_held_month_says_it_awaits_hrs_release_in_english() -> None:
    calibrated_month()

    text = _review_text("en")

    assert "January 2026 Awaiting release by HR" in text
    assert "Not assessed" not in text
