"""Fixtures shared by the whole suite.

Tests marked ``postgres`` or ``redis`` need those services. Where they are missing the tests are
skipped, except when ``REQUIRE_SERVICES`` is set (``.ci/run`` sets it): then they fail.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from pytest_django import DjangoDbBlocker
from pytest_django.live_server_helper import LiveServer

if TYPE_CHECKING:
    from celery.worker.worker import WorkController
    from playwright.sync_api import Browser, Page

# Beside the clone; `make mutation` names them, its copy of the tests being one folder deeper.
EXAMPLES = Path(os.environ.get("SHARED_EXAMPLES") or Path(__file__).resolve().parents[2] / "shared" / "examples")
# The seed plan ships with the product (the template library): the same file as the shared example.
SEED_PLAN = Path(__file__).resolve().parent.parent / "plans" / "templates_library" / "customer-manager.zh-hans.json"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _redis_reachable() -> bool:
    url = urlparse(settings.CELERY_BROKER_URL)
    if url.scheme not in ("redis", "rediss"):
        return False
    try:
        socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), timeout=2).close()
    except OSError:
        return False
    return True


def _unavailable(item: pytest.Item) -> str:
    if item.get_closest_marker("browser") and not Path(CHROMIUM).exists():
        return f"needs Chromium at {CHROMIUM} (apt-get install chromium)"
    if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL"
    if item.get_closest_marker("redis") and not _redis_reachable():
        return "needs Redis: set CELERY_BROKER_URL to a reachable redis:// URL"
    return ""


# The tests that start real worker processes, Redis servers or Chromium run one after the other
# in one pytest-xdist process (`make test` runs `-n 2 --dist loadgroup`), beside the rest: they
# wait on timeouts and on each other's CPU, and the worker tests share one queue per process.
SERIAL = ("browser", "redis")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if any(item.get_closest_marker(name) for name in SERIAL):
            item.add_marker(pytest.mark.xdist_group("serial"))


@pytest.fixture(autouse=True)
def _language_reset() -> Iterator[None]:
    """Each test starts in the site's language: a request in Chinese leaves Chinese active in the
    thread it ran in, and the next test would read its messages in it."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _cache_clear() -> None:
    """Each test starts with an empty cache: a rolled-back test's ids come back in the next one."""
    cache.clear()


@pytest.fixture(autouse=True)
def _require_services(request: pytest.FixtureRequest) -> None:
    reason = _unavailable(request.node)
    if reason:
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail(f"REQUIRE_SERVICES is set but this test {reason}")
        pytest.skip(reason)


@pytest.fixture
def examples() -> Path:
    if not EXAMPLES.is_dir():
        message = f"needs the shared examples at {EXAMPLES} (../shared beside the clone)"
        if os.environ.get("REQUIRE_SERVICES"):
            pytest.fail(message)
        pytest.skip(message)
    return EXAMPLES


@pytest.fixture(scope="session")
def _worker_thread(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[WorkController]:
    """One Celery worker in a thread of the test process, for the whole session.

    On the in-memory transport where no broker is configured, on Redis where one is: either
    way tasks go through a real queue instead of running eagerly.
    """
    from celery.contrib.testing.worker import start_worker

    from config.celery_app import app

    app.control.purge()
    with (
        django_db_blocker.unblock(),
        start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30) as worker,
    ):
        yield worker


@pytest.fixture
def celery_worker(_worker_thread: WorkController, transactional_db: None) -> Iterator[WorkController]:
    """Tasks go to the session's worker during this test (instead of running eagerly)."""
    from config.celery_app import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield _worker_thread
    finally:
        app.conf.task_always_eager = eager


@pytest.fixture
def tasks_here() -> Iterator[None]:
    """Tasks run in the test's thread, as with no broker, even where CELERY_BROKER_URL names one
    (CI): for tests that read what a task did right after the call that enqueued it."""
    from config.celery_app import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = eager


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright (``playwright install`` cannot download here)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the test's ORM calls are still
    # plain synchronous calls, made between its steps. Only while the browser is open.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A fresh browser tab on the live server, in English unless the test switches."""
    context = browser.new_context(base_url=live_server.url, locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    context.close()


def browser_login(page: Page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")


def screenshots_taken(page: Page, name: str, *, username: str) -> None:
    """With ``SCREENSHOT_DIR`` set (``make screenshots`` sets it to docs/screenshots): the page as it
    stands (in Chinese) into the folder, and in English into its ``en/``, as the command's own pictures.

    ``username`` is the person signed in: their language is English for the second picture (the
    page reloaded), then what it was (reloaded again), so the test goes on where it was."""
    folder = os.environ.get("SCREENSHOT_DIR")
    if not folder:
        return
    from people.models import User

    Path(folder, "en").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)
    person = User.objects.get(username=username)
    User.objects.filter(pk=person.pk).update(language="en")
    page.reload()
    page.wait_for_load_state()
    page.screenshot(path=str(Path(folder) / "en" / f"{name}.png"), full_page=True)
    User.objects.filter(pk=person.pk).update(language=person.language)
    page.reload()
    page.wait_for_load_state()


def browser_menu(page: Page, name: str) -> None:
    """Follow a link of the main menu, opening first the dropdown that holds it (More, or the
    person's own menu under their name), as a person does."""
    for toggle in ("menu-more", "menu-user"):
        menu = page.locator(f'[aria-labelledby="{toggle}"]')
        items = menu.get_by_role("link", name=name, exact=True, include_hidden=True)
        if items.count():
            items = menu.get_by_role("link", name=name, exact=True)
            page.locator(f"#{toggle}").click()
            items.click()
            return
    page.get_by_role("navigation", name="Main").get_by_role("link", name=name, exact=True).click()


def browser_logout(page: Page) -> None:
    """Sign out from the person's own menu, in any language."""
    page.locator("#menu-user").click()
    page.locator('[aria-labelledby="menu-user"] button[type="submit"]').click()
    page.wait_for_url("**/accounts/login/")
