"""The main menu in a real browser: HR's (and an admin's, the longest) English menu keeps to one line
on a 1280 px screen, its More dropdown and the person's menu open, and a phone folds it behind the
toggler."""

import pytest
from playwright.sync_api import Page, expect

from people.models import Role, User
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-1"


def one_line(page: Page) -> dict[str, float]:
    """Where the menu's parts sit: the top of each link of the bar, each part's box, the room left
    between the last link and the language switch."""
    where: dict[str, float] = page.evaluate(
        """() => {
            const box = (element) => element.getBoundingClientRect();
            const links = [...document.querySelectorAll('#menu-main > li > .nav-link')];
            const parts = [document.querySelector('.navbar-brand'), ...links,
                           document.querySelector('#language-select'), document.querySelector('#menu-user')];
            return {
                tops: [...new Set(links.map((link) => Math.round(box(link).top)))].length,
                spare: box(document.querySelector('#language-select')).left - box(links[links.length - 1]).right,
                links: links.length,
                highest: Math.min(...parts.map((part) => box(part).top)),
                lowest: Math.max(...parts.map((part) => box(part).bottom)),
                tallest: Math.max(...parts.map((part) => box(part).height)),
                navbar: box(document.querySelector('nav.navbar')).height,
                right: Math.max(...parts.map((part) => box(part).right)),
            };
        }"""
    )
    return where


@pytest.mark.parametrize("role", [Role.HR, Role.ADMIN])
def test_the_english_menu_keeps_to_one_line_at_1280_px_and_its_dropdowns_open(page: Page, role: Role) -> None:
    User.objects.create_user(username="sun.li", password=PASSWORD, role=role, display_name="Sun Li")
    page.set_viewport_size({"width": 1280, "height": 800})
    browser_login(page, "sun.li", PASSWORD)

    expect(page.locator(".navbar-toggler")).to_be_hidden()
    where = one_line(page)
    print(
        f"\n{role}: {where['links']} links in the bar, navbar {where['navbar']:.0f} px high, menu ends at {where['right']:.0f} px of 1280, {where['spare']:.0f} px to spare"
    )
    assert where["links"] == 7  # People … Dashboards, More
    assert where["tops"] == 1  # every link of the bar on the same line
    assert where["lowest"] - where["highest"] <= where["tallest"] + 2  # and the brand, language and name with them
    assert where["right"] <= 1280

    page.get_by_role("button", name="More").click()
    more = page.locator('[aria-labelledby="menu-more"]')
    expect(more).to_be_visible()
    names = ["Access log", "API tokens", "Webhooks"] + (["Lockouts"] if role == Role.ADMIN else [])
    for name in names:
        expect(more.get_by_role("link", name=name)).to_be_visible()
    more.get_by_role("link", name="API tokens").click()
    page.wait_for_url("**/api/tokens/")
    expect(page.get_by_role("button", name="More")).to_have_class("nav-link dropdown-toggle active")

    page.get_by_role("button", name="Sun Li").click()
    own = page.locator('[aria-labelledby="menu-user"]')
    for name in ["My scores", "My reviews", "Feedback requests", "Change password"]:
        expect(own.get_by_role("link", name=name)).to_be_visible()
    own.get_by_role("link", name="My scores").click()
    page.wait_for_url("**/scores/")
    page.get_by_role("link", name="Dashboards").click()
    page.wait_for_url("**/dashboard/")
    expect(page.get_by_role("link", name="Dashboards")).to_have_attribute("aria-current", "page")


def test_a_phone_folds_the_menu_behind_the_toggler(page: Page) -> None:
    User.objects.create_user(username="sun.li", password=PASSWORD, role=Role.HR, display_name="Sun Li")
    page.set_viewport_size({"width": 375, "height": 800})
    browser_login(page, "sun.li", PASSWORD)

    people = page.locator("#menu-main").get_by_role("link", name="People")
    expect(people).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    expect(people).to_be_visible()
    page.get_by_role("button", name="More").click()
    expect(page.get_by_role("link", name="Webhooks")).to_be_visible()
    people.click()
    page.wait_for_url("**/people/")


def test_signing_out_is_in_the_persons_menu(page: Page) -> None:
    User.objects.create_user(username="li.lei", password=PASSWORD, role=Role.EMPLOYEE, display_name="Li Lei")
    browser_login(page, "li.lei", PASSWORD)

    expect(page.locator("#menu-main").get_by_role("link", name="My scores")).to_be_visible()
    page.get_by_role("button", name="Li Lei").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
