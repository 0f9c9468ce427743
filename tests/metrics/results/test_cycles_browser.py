"""In a real browser: HR closes January, the employee reads their score, the admin the dashboard."""

from pathlib import Path

import pytest
from celery.worker.worker import WorkController
from playwright.sync_api import Page, expect

from people.models import Role, User
from tests.conftest import browser_login, browser_logout
from tests.metrics.results.test_examples import load_examples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-1"


def sign_out(page: Page) -> None:
    browser_logout(page)


def test_hr_closes_january_from_the_cycle_page_then_li_lei_and_the_admin_read_the_scores(
    page: Page, examples: Path, celery_worker: WorkController
) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    load_examples(examples)
    User.objects.create_user(username="hr", password=PASSWORD, role=Role.HR, display_name="孙丽")
    User.objects.create_user(username="boss", password=PASSWORD, role=Role.ADMIN)
    li_lei = User.objects.get(username="li.lei")
    li_lei.set_password(PASSWORD)
    li_lei.save()

    browser_login(page, "hr", PASSWORD)
    page.get_by_role("link", name="Cycles").click()
    page.get_by_role("link", name="January 2026").click()
    expect(page.get_by_text("Every figure is in.")).to_be_visible()
    page.get_by_role("button", name="Close January 2026").click()

    # The worker scores the month while the page polls; once closed the summary shows.
    expect(page.locator("#cycle-status")).to_have_text("Closed", timeout=30_000)
    expect(page.locator("#summary-results")).to_have_text("1")
    expect(page.locator("#summary-bonus")).to_have_text("¥2,000.00")
    expect(page.get_by_role("row").filter(has_text="Closed").filter(has_text="孙丽")).to_be_visible()
    sign_out(page)

    browser_login(page, "li.lei", PASSWORD)
    page.get_by_role("link", name="My scores").click()
    january = page.get_by_role("region", name="January 2026")
    expect(january.locator(".score")).to_have_text("107.66")
    expect(january.get_by_role("row").filter(has_text="客户流失率")).to_contain_text("36.00")
    sign_out(page)

    browser_login(page, "boss", PASSWORD)
    page.get_by_role("link", name="Dashboards").click()
    band_a = page.locator("#table-bands tbody tr").first
    expect(band_a).to_have_text("January 2026 A 1 ¥2,000.00", use_inner_text=True)
    expect(page.locator("#chart-bands")).to_be_visible()
    # Chart.js, served from its npm package, drew the bands chart.
    page.wait_for_function("window.Chart && window.Chart.getChart(document.getElementById('chart-bands'))")
    assert page.evaluate("window.Chart.getChart(document.getElementById('chart-bands')).data.datasets[0].data") == [1]
    assert errors == []
