"""The team grid on a phone (issue 12, part 8): the name column stays put while the figures scroll."""

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.conftest import browser_login
from tests.metrics.figures.test_grid_browser import PASSWORD, setup_team

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_at_375_px_the_name_column_stays_while_the_grid_scrolls_sideways(page: Page, examples: Path) -> None:
    setup_team(examples)
    page.set_viewport_size({"width": 375, "height": 800})
    browser_login(page, "wang.fang", PASSWORD)
    page.goto("/figures/2026-01/")

    name = page.locator(".figures-grid tbody th[scope=row]").first
    before = name.bounding_box()
    scrolled = page.evaluate(
        """() => { const box = document.querySelector('.figures-grid').closest('.table-responsive');
                   box.scrollLeft = 300; return box.scrollLeft; }"""
    )
    after = name.bounding_box()

    assert scrolled > 0  # the grid is wider than the phone and did scroll
    assert before is not None and after is not None
    assert after["x"] == pytest.approx(before["x"], abs=1)
