"""The home page in a real browser: sign in, read the scores, switch the language."""

from pathlib import Path

import pytest
from playwright.sync_api import Page

from metrics.results.closing import cycle_close_request
from metrics.results.tasks import cycle_close_task
from people.models import Role, User
from plans.periods import Period
from tests.conftest import browser_login
from tests.metrics.results.test_examples import load_examples

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def close_task_run(cycle_id: int, run: int) -> None:
    """The close task, run here and now instead of by a worker."""
    cycle_close_task.apply(args=(cycle_id, run))


def test_hr_signs_in_and_reads_the_closed_months_scores_in_both_languages(page: Page, examples: Path) -> None:
    load_examples(examples)
    cycle_close_request(period=Period.parse("2026-01"), enqueue=close_task_run)
    User.objects.create_user(username="hr", password="secret-pass-1", role=Role.HR, display_name="孙丽")

    browser_login(page, "hr", "secret-pass-1")
    row = page.get_by_role("row").filter(has_text="li.lei")
    assert "107.66" in row.inner_text() and "¥2,000.00" in row.inner_text()
    assert page.get_by_text("客户管理员绩效方案").first.is_visible()

    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "107.66" in page.get_by_role("row").filter(has_text="li.lei").inner_text()
