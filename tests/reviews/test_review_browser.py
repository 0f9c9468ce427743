"""In a real browser: a manager asks a colleague, reads the answer, and rates collaboration."""

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page

from metrics.figures.models import MetricEntry
from people.models import User
from plans.periods import Period
from reviews import services
from reviews.models import Review, ReviewStatus
from tests.conftest import browser_login, browser_logout
from tests.reviews.conftest import team_load

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-1"


def sign_out(page: Page) -> None:
    browser_logout(page)


def test_a_manager_rates_collaboration_after_asking_a_colleague(page: Page, examples: Path) -> None:
    team_load(examples)
    li_lei, wang_fang = User.objects.get(username="li.lei"), User.objects.get(username="wang.fang")
    review = services.review_open(employee=li_lei, period=Period.parse("2026-Q1"), user=wang_fang)
    services.review_self_assessment_submit(review=review, text="I kept 96 % of my customers.", user=li_lei)

    browser_login(page, "wang.fang", PASSWORD)
    page.get_by_role("link", name="Team reviews").click()
    page.get_by_label("Quarter").fill("2026-Q1")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name="Open the review of 李雷").click()
    page.get_by_role("combobox", name="Colleague").select_option(label="韩梅梅 (han.mei)")
    page.get_by_role("button", name="Ask", exact=True).click()
    assert page.get_by_text("韩梅梅 (han.mei) is asked for their rating.").is_visible()
    review_url = page.url
    sign_out(page)

    browser_login(page, "han.mei", PASSWORD)
    page.get_by_role("link", name="Feedback requests").click()
    page.get_by_role("link", name="Rate 李雷 (li.lei)").click()
    page.get_by_label("内部协作评价 (0 to 10)").fill("8")
    page.get_by_label("Comment").fill("Always shares his customer notes.")
    page.get_by_role("button", name="Send my rating").click()
    assert page.get_by_text("Thank you: your rating is sent to the manager.").is_visible()
    sign_out(page)

    browser_login(page, "wang.fang", PASSWORD)
    page.goto(review_url)
    ratings = page.get_by_role("row").filter(has_text="内部协作评价")
    assert "8.00 (1 of 1 answered)" in ratings.first.inner_text()
    assert page.get_by_text("Always shares his customer notes.").is_visible()
    page.get_by_label("内部协作评价 (0 to 10)").fill("11")
    page.get_by_label("Comment for the employee").fill("Steady and helpful.")
    page.get_by_role("button", name="Submit the rating to HR").click()
    assert page.get_by_text("The rating 11 is outside its scale of 0 to 10").is_visible()

    page.get_by_label("内部协作评价 (0 to 10)").fill("8.5")
    page.get_by_label("Comment for the employee").fill("Steady and helpful.")
    page.get_by_role("button", name="Submit the rating to HR").click()
    assert page.get_by_text("Your rating is submitted to HR for approval.").is_visible()
    assert "8.5" in page.get_by_role("row").filter(has_text="内部协作评价").first.inner_text()
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.MANAGER_REVIEW
    entry = MetricEntry.objects.get(period="2026-Q1", assignment__employee=li_lei)
    assert (entry.value, entry.updated_by) == (Decimal("8.5"), wang_fang)


def test_the_review_page_fits_a_phone(page: Page, examples: Path) -> None:
    team_load(examples)
    li_lei = User.objects.get(username="li.lei")
    review = services.review_open(employee=li_lei, period=Period.parse("2026-Q1"), user=User.objects.get(username="hr"))
    page.set_viewport_size({"width": 375, "height": 800})

    browser_login(page, "li.lei", PASSWORD)
    page.goto(f"/reviews/{review.pk}/")
    page.get_by_label("Your self-assessment").fill("I kept 96 % of my customers.")
    page.get_by_role("button", name="Submit my self-assessment").click()

    assert page.get_by_text("Your self-assessment is submitted to your manager.").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
