"""The dashboard's trend in a real browser (issue 12, part 7): a month without results is a gap."""

from pathlib import Path

import pytest
from playwright.sync_api import Page

from metrics.results.closing import cycle_reopen
from people.models import Role, User
from plans.periods import Period
from tests.conftest import browser_login
from tests.metrics.results.test_cycle_pages import close, examples_loaded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_trend_chart_leaves_a_gap_for_a_month_without_results(page: Page, examples: Path) -> None:
    examples_loaded(examples)
    for period in ("2026-01", "2026-02", "2026-03"):
        close(period)
    cycle_reopen(period=Period.parse("2026-02"), reason="figures counted twice")
    User.objects.create_user(username="hr", password="secret-pass-1", role=Role.HR)

    browser_login(page, "hr", "secret-pass-1")
    page.goto("/dashboard/")
    page.wait_for_function("() => window.Chart && window.Chart.getChart('chart-trend')")
    chart = page.evaluate(
        """() => { const c = window.Chart.getChart('chart-trend');
                   return {labels: c.data.labels, data: c.data.datasets[0].data,
                           spanGaps: c.data.datasets[0].spanGaps, zero: c.options.scales.y.beginAtZero}; }"""
    )

    assert chart["labels"] == ["January 2026", "February 2026", "March 2026"]
    assert chart["data"][1] is None and chart["data"][0] == pytest.approx(107.66)
    assert chart["spanGaps"] is False and chart["zero"] is True
