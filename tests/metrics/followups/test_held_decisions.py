"""HR's follow-up decisions of a period held for calibration wait for its release, as its results
do: the employee's home page and My scores show none of them until HR releases the period."""

import pytest
from django.test import Client

from metrics.followups.models import Decision
from metrics.followups.services import follow_up_decide
from metrics.results.calibration import period_release
from plans.periods import Period
from tests.metrics.results.calibration_data import calibrated_month, user
from tests.reviews.conftest import page_text

pytestmark = pytest.mark.django_db

JANUARY = Period.parse("2026-01")
NOTE = "请在二月提高客户满意度"


def _pages(username: str) -> str:
    client = Client()
    client.force_login(user(username))
    client.cookies["django_language"] = "zh-hans"
    return page_text(client.get("/").content) + " " + page_text(client.get("/scores/").content)


def test_a_held_periods_decision_is_hidden_from_the_employee_until_release() -> None:
    calibrated_month()
    follow_up_decide(
        employee=user("zhang.san"), period=JANUARY, choice=Decision.FORMAL_WARNING, note=NOTE, user=user("hr")
    )

    text = _pages("zhang.san")

    assert NOTE not in text
    assert "正式警告" not in text

    period_release(period=JANUARY, user=user("hr"))
    text = _pages("zhang.san")

    assert NOTE in text
    assert "正式警告" in text
