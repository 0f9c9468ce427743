"""Under the Content-Security-Policy, in Chromium: every page of each role, and the pages still work.

Over the demo company (``load_demo``), in Chinese, each role signs in and opens every page it can
reach by following the links of the pages it sees (the menu included), plus the pages of the
README's screenshots. The browser reports whatever the policy blocks (an inline script or style,
another origin) as a ``securitypolicyviolation`` event and a console error: any of those, any
script error and any page answering an error fails the test. Then the pages whose scripts matter
are used as HR or a manager would: the figures grid saves, the cycle's progress bar moves while
the month closes, the dashboard's charts draw.
"""

from __future__ import annotations

import io
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import parse_qsl, urljoin, urlsplit

import pytest
from celery.worker.worker import WorkController
from django.core.management import call_command
from django.urls import Resolver404, resolve
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Response, expect
from playwright.sync_api import Error as PlaywrightError
from pytest_django import Settings
from pytest_django.live_server_helper import LiveServer

from metrics.figures.models import MetricEntry
from metrics.figures.services import metrics_import
from people.management.commands.load_demo import (
    EMPLOYEES,
    FIGURE_COLUMNS,
    MANAGERS,
    MISSING,
    PASSWORD,
    DemoCalendar,
    demo_calendar,
    figures_text,
)
from people.management.commands.screenshots import shots
from people.models import User
from plans.tabular import table_read
from reviews.opening import reviews_open_many
from tests.conftest import browser_logout

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("celery_worker")]  # load_demo closes a month

MANAGER = MANAGERS[0].username
EMPLOYEE = EMPLOYEES[0].username
ROLES = ["hr", "admin", MANAGER, EMPLOYEE]
# Each URL pattern is opened this many times at most (two people's scorecards, not thirty).
PER_ROUTE = 2
MAX_PAGES = 120
# Django's admin is not the product's: the administrator opens its index, a list and a form.
ADMIN_PAGES = ["/admin/", "/admin/people/user/", "/admin/people/user/add/"]

# Runs before each document's own scripts: the policy's violations go to the test.
WATCH_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", function (event) {
  window.cspViolation([event.violatedDirective, event.blockedURI, event.sourceFile + ":" + event.lineNumber].join(" "));
});
"""
# Records each width the cycle's progress bar is given, across the reload at the end of a close.
WATCH_PROGRESS = """
document.addEventListener("DOMContentLoaded", function () {
  const fill = document.querySelector("#cycle-progress .progress-bar");
  if (!fill) {
    return;
  }
  const record = function () {
    const widths = JSON.parse(sessionStorage.getItem("progress-widths") || "[]");
    widths.push(fill.style.width);
    sessionStorage.setItem("progress-widths", JSON.stringify(widths));
  };
  record();
  new MutationObserver(record).observe(fill, { attributes: true, attributeFilter: ["style"] });
});
"""


@dataclass
class Complaints:
    """What the browser said went wrong, page by page."""

    page: str = ""
    found: list[str] = field(default_factory=list)

    def add(self, what: str) -> None:
        self.found.append(f"{self.page}: {what}")


def console_complaint(complaints: Complaints, message: ConsoleMessage) -> None:
    # A file that failed to load is said by response_complaint, with its address.
    if message.type in ("error", "warning") and not message.text.startswith("Failed to load resource"):
        complaints.add(f"console {message.type}: {message.text}")


def response_complaint(complaints: Complaints, response: Response) -> None:
    # The product has no icon: the browser's own request for one is no page's fault.
    if response.status >= 400 and urlsplit(response.url).path != "/favicon.ico":
        complaints.add(f"{response.url} answered {response.status}")


@pytest.fixture
def demo(settings: Settings) -> DemoCalendar:
    """The demo company as of today, with the open quarter's reviews open (the review pages and
    grids have rows)."""
    settings.CLOSE_WAIT_SECONDS = 60
    calendar = demo_calendar(timezone.localdate())
    call_command("load_demo", "--today", calendar.today.isoformat(), stdout=io.StringIO())
    reviews_open_many(period=calendar.open_quarter, user=User.objects.get(username="hr"))
    return calendar


def fill_the_missing(calendar: DemoCalendar) -> None:
    """Enter the figures the demo leaves out of the month before the current one (the rest is the same)."""
    full = demo_calendar(calendar.last.shift(2).first_day())  # a day on which that month is complete
    complete = figures_text(full)[calendar.last].splitlines()
    lines = [complete[0], *(line for line in complete[1:] if line.split(",")[0] in MISSING)]
    assert lines[0] == ",".join(FIGURE_COLUMNS) and len(lines) == len(MISSING) + 1
    metrics_import(table=table_read("\n".join(lines) + "\n"))


@pytest.fixture
def chinese(browser: Browser, live_server: LiveServer) -> Iterator[tuple[BrowserContext, Complaints]]:
    """A browser in Chinese on the live server that collects the policy's violations and script errors."""
    complaints = Complaints()
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.expose_function("cspViolation", lambda text: complaints.add(f"policy violation: {text}"))
    context.add_init_script(WATCH_VIOLATIONS)
    context.add_init_script(WATCH_PROGRESS)
    context.on("console", lambda message: console_complaint(complaints, message))
    context.on("response", lambda response: response_complaint(complaints, response))
    context.on("weberror", lambda error: complaints.add(f"script error: {error.error}"))
    yield context, complaints
    context.close()


def sign_in(page: Page, username: str, complaints: Complaints) -> None:
    complaints.page = f"signing in as {username}"
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")


def route(url: str) -> str | None:
    """The URL pattern a link opens (and the names of its query), or None for another site or no page."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.path.startswith(("/admin/", "/static/")):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    return match.route + "?" + "&".join(sorted({name for name, _value in parse_qsl(parts.query)}))


def page_links(page: Page, base: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "links => links.map(link => link.href)")
    return [href.split("#")[0] for href in hrefs if href.startswith(base)]


def page_open(page: Page, url: str, complaints: Complaints) -> bool:
    """Open a page and let its scripts run; False for a download (an export), which is no page."""
    complaints.page = url
    try:
        response = page.goto(url, wait_until="networkidle")
    except PlaywrightError as error:
        if "Download is starting" in str(error):
            return False
        raise
    assert response is not None
    policy = response.headers.get("content-security-policy", "")
    # The API's docs (Swagger UI) alone may have inline styles, never inline scripts.
    allowed = "style-src 'self' 'unsafe-inline'" if urlsplit(url).path == "/api/docs/" else ""
    if "default-src 'self'" not in policy or "unsafe" in policy.replace(allowed, "") or "script-src" in policy:
        complaints.add(f"the page's policy is {policy!r}")
    return True


def crawl(page: Page, base: str, seeds: list[str], complaints: Complaints) -> Counter[str]:
    """Every page reachable from the seeds by links, each URL pattern at most PER_ROUTE times."""
    opened: Counter[str] = Counter()
    queue = deque(urljoin(base, seed) for seed in seeds)
    seen = set(queue)
    while queue and sum(opened.values()) < MAX_PAGES:
        url = queue.popleft()
        pattern = route(url)
        if pattern is None or opened[pattern] >= PER_ROUTE or not page_open(page, url, complaints):
            continue
        opened[pattern] += 1
        for link in page_links(page, base):
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return opened


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("username", ROLES)
def test_every_page_of_each_role_keeps_to_the_policy(
    username: str, demo: DemoCalendar, chinese: tuple[BrowserContext, Complaints], live_server: LiveServer
) -> None:
    context, complaints = chinese
    page = context.new_page()
    sign_in(page, username, complaints)
    seeds = ["/", *(shot.path for shot in shots(demo) if shot.username == username)]

    opened = crawl(page, live_server.url, seeds, complaints)
    if username == "admin":
        for path in ADMIN_PAGES:
            page_open(page, urljoin(live_server.url, path), complaints)
            expect(page.locator("#content")).to_be_visible()

    assert complaints.found == []
    # The pages of each role's menu were all reached (a crawl that stopped at the home page fails).
    expected = {
        "hr": ["people/", "plans/", "cycles/", "cycles/<period:period>/results/", "dashboard/", "reviews/hr/"],
        "admin": ["people/", "plans/", "cycles/", "dashboard/"],
        MANAGER: ["figures/", "figures/<month:period>/", "reviews/team/", "scores/<str:username>/"],
        EMPLOYEE: ["scores/", "reviews/"],
    }[username]
    reached = {pattern.split("?")[0] for pattern in opened}
    assert sorted(set(expected) - reached) == [], sorted(reached)
    assert len(reached) >= len(expected) + 2


@pytest.mark.django_db(transaction=True)
def test_the_grid_saves_the_month_closes_with_its_bar_and_the_dashboard_draws_under_the_policy(
    demo: DemoCalendar, chinese: tuple[BrowserContext, Complaints], settings: Settings, celery_worker: WorkController
) -> None:
    settings.CLOSE_CHUNK_SIZE = 1  # thirty parts: the bar has steps to show
    context, complaints = chinese
    page = context.new_page()
    month = str(demo.last)
    fill_the_missing(demo)
    closed_before = len(demo.closed)

    # The manager corrects a figure of last month in the grid (its script sends the changed cells).
    sign_in(page, MANAGER, complaints)
    complaints.page = "the figures grid"
    page.goto(f"/figures/{month}/")
    satisfaction = page.locator(f'tr[data-employee="{EMPLOYEE}"] input[data-column="satisfaction"]')
    satisfaction.fill("9.7")
    page.get_by_role("button", name="全部保存").click()
    expect(page.get_by_role("alert").filter(has_text="已保存")).to_contain_text("修改 1 项")
    entry = MetricEntry.objects.get(
        period=month, assignment__employee__username=EMPLOYEE, indicator__code="satisfaction"
    )
    assert entry.value == Decimal("9.7")
    browser_logout(page)

    # HR closes last month: the page polls the close and its bar follows it to the end.
    sign_in(page, "hr", complaints)
    complaints.page = "the cycle page"
    page.goto(f"/cycles/{month}/")
    page.locator("form[action$='/close/']:not(#close-part) button[type=submit]").click()
    expect(page.locator("#cycle-status")).to_have_text("已关闭", timeout=60_000)
    widths: list[str] = page.evaluate("JSON.parse(sessionStorage.getItem('progress-widths') || '[]')")
    assert widths[-1] == "100%", widths
    assert len(set(widths)) >= 2, widths
    browser_logout(page)

    # The administrator's dashboard: Chart.js draws the bands of every closed period.
    sign_in(page, "admin", complaints)
    complaints.page = "the dashboard"
    page.goto("/dashboard/")
    page.wait_for_function("window.Chart && window.Chart.getChart(document.getElementById('chart-bands'))")
    periods = page.evaluate("window.Chart.getChart(document.getElementById('chart-bands')).data.labels")
    assert len(periods) == closed_before + 1, periods

    assert complaints.found == []
