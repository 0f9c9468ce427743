"""`screenshots`: pictures of the main pages over the demo data, in Chinese and in English, for the README.

The pages are served by `runserver` in a child process against a throwaway SQLite database
loaded with `load_demo` (as of today: its periods are those of ``demo_calendar``), so the
developer's own database is never touched. Each language gets a fresh demo, since some pictures
change it (a close, an upload): Chinese into ``docs/screenshots/``, English into
``docs/screenshots/en/``. Each picture is one entry of ``shots``: add a page by adding a line.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from people.management.commands.load_demo import EMPLOYEES, PASSWORD, DemoCalendar, demo_calendar
from people.staffing.roster import ROSTER_COLUMNS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
WIDE, NARROW = 1280, 375
SERVER_START_SECONDS = 60
# Each language: the browser's locale (the pages follow it), the folder under --output.
LANGUAGES = {"zh-hans": ("zh-CN", ""), "en": ("en-US", "en")}


class Skip(Exception):
    """A page that is not there (yet): the picture is skipped with a note, the others are taken."""


def _open_plan_draft(page: Any) -> None:
    """Open the demo plan's draft: the builder, where HR edits goals, indicators and bands."""
    edit = page.locator("form[action$='/edit/'] [type=submit]")
    if not edit.count():
        raise Skip("no button opens a draft of the plan")
    edit.first.click()
    page.wait_for_url("**/draft/")


def _upload_bad_roster(page: Any) -> None:
    """Upload a roster with one bad row, to show how the page lists it."""
    person = EMPLOYEES[0]
    text = ",".join(ROSTER_COLUMNS) + "\n"
    text += f"{person.username},{person.name},{person.department},{person.manager},customer-manager,2026-13,2000,6000\n"
    page.locator("input[type=file]").set_input_files(
        {"name": "roster.csv", "mimeType": "text/csv", "buffer": text.encode()}
    )
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _open_first_review(page: Any) -> None:
    """Open the first quarterly review of the manager's team: the review page of that employee."""
    start = page.locator("main form[action$='/reviews/open/'] button[type=submit]")
    if not start.count():
        raise Skip("nobody in the team can have a review opened")
    start.first.click()
    page.wait_for_url("**/reviews/*/")


def _open_quarter_reviews(page: Any) -> None:
    """HR opens the quarter's reviews of everyone: the page then says how many were opened."""
    start = page.locator("main form[action$='/reviews/open-all/'] button[type=submit]")
    if not start.count():
        raise Skip("no form opens a quarter's reviews")
    start.first.click()
    page.wait_for_load_state()


def _close_the_complete(page: Any) -> None:
    """Close, from the cycle page, whoever has every figure of the month in: the month closed in part."""
    choice = page.locator("#close-part input[name=complete]")
    if not choice.count():
        raise Skip("no choice closes only the complete")
    choice.first.check()
    page.locator("#close-part button[type=submit]").click()
    page.wait_for_selector("#summary-results", timeout=60_000)  # the page, reloaded once the close is done


def _preview_department(page: Any) -> None:
    """Preview assigning the first department its plan again: who keeps their own amounts."""
    department = page.locator("select[name=department] option:not([value=''])")
    plan = page.locator("select[name=plan] option:not([value=''])")
    if not department.count() or not plan.count():
        raise Skip("no department or no published plan to assign")
    page.locator("select[name=department]").select_option(department.first.get_attribute("value"))
    page.locator("select[name=plan]").select_option(plan.first.get_attribute("value"))
    page.locator("input[name=monthly_bonus]").fill("1800")
    page.locator("input[name=quarterly_bonus]").fill("5400")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_selector("#assign-preview, .invalid-feedback")


def _upload_several_months(page: Any, calendar: DemoCalendar) -> None:
    """Upload and apply a file of two months of one report's figures: the list of where they are."""
    person = EMPLOYEES[0]
    text = "employee,period,satisfaction\n"
    text += f"{person.username},{calendar.last},9\n{person.username},{calendar.current},9.2\n"
    page.locator("input[type=file]").set_input_files(
        {"name": "figures.csv", "mimeType": "text/csv", "buffer": text.encode()}
    )
    page.locator("main form[enctype] button[type=submit]").click()
    page.wait_for_load_state()
    apply = page.locator("button[name=apply]")
    if not apply.count():
        raise Skip("the demo file changes nothing or is refused")
    apply.click()
    page.wait_for_url("**/figures/upload/applied/**")


def _wait_for_charts(page: Any) -> None:
    """The dashboard draws its charts with Chart.js after load: wait until they are drawn and still."""
    page.wait_for_function("window.Chart && window.Chart.getChart(document.getElementById('chart-bands'))")
    page.wait_for_timeout(1500)  # Chart.js animates for a second


@dataclass(frozen=True)
class Shot:
    name: str  # the file name, without .png
    path: str
    username: str = "hr"
    width: int = WIDE
    prepare: Callable[[Any], None] | None = None  # what to do on the page before the picture


def shots(calendar: DemoCalendar) -> list[Shot]:
    """The pictures, over the demo loaded for ``calendar``'s day."""
    manager = EMPLOYEES[0].manager
    closed_month = calendar.closed_months[-1]
    quarter = calendar.open_quarter
    return [
        Shot("home", "/"),
        Shot("people-list", "/people/"),
        Shot("password-reset", "/accounts/password/reset/"),
        Shot("password-change", "/accounts/password/change/"),
        Shot("roster-upload-error", "/people/roster/", prepare=_upload_bad_roster),
        Shot("department-assign", "/people/assign/"),
        Shot("department-assign-preview", "/people/assign/", prepare=_preview_department),
        Shot("plans", "/plans/"),
        Shot("plan-builder", "/plans/customer-manager/", prepare=_open_plan_draft),
        Shot("home-manager", "/", username=manager),
        Shot("people-list-mobile", "/people/", width=NARROW),
        Shot("department-assign-mobile", "/people/assign/", width=NARROW),
        Shot("figures-grid", f"/figures/{calendar.last}/", username=manager),
        Shot("figures-grid-mobile", f"/figures/{calendar.last}/", username=manager, width=NARROW),
        Shot(
            "figures-upload-applied",
            "/figures/upload/",
            username=manager,
            prepare=lambda page: _upload_several_months(page, calendar),
        ),
        Shot("cycle-summary", f"/cycles/{closed_month}/"),
        Shot("cycle-missing", f"/cycles/{quarter}/"),
        Shot("cycle-parts", f"/cycles/{calendar.last}/", prepare=_close_the_complete),
        Shot("cycle-results", f"/cycles/{closed_month}/results/"),
        Shot("cycle-quarter-results", f"/cycles/{calendar.quarter}/results/"),
        Shot("review", f"/reviews/team/?period={quarter}", username=manager, prepare=_open_first_review),
        Shot("reviews-opened", f"/reviews/hr/?period={quarter}", prepare=_open_quarter_reviews),
        Shot("team-reviews-grid", f"/reviews/team/{quarter}/", username=manager),
        Shot("scorecard", f"/scores/{EMPLOYEES[0].username}/"),
        Shot("follow-ups", f"/cycles/{closed_month}/follow-ups/"),
        Shot("scorecard-mobile", "/scores/", username=EMPLOYEES[0].username, width=NARROW),
        Shot("dashboard", "/dashboard/", username="admin", prepare=_wait_for_charts),
        Shot("access-log", "/accounts/audit/"),
        Shot("lockouts", "/accounts/lockouts/", username="admin"),
    ]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Command(BaseCommand):
    help = (
        "Take screenshots of the main pages over the demo data, in Chinese into docs/screenshots/ "
        "and in English into docs/screenshots/en/."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, default=Path(settings.BASE_DIR) / "docs" / "screenshots")
        parser.add_argument(
            "--language", choices=sorted(LANGUAGES), action="append", default=[], help="Only this language."
        )

    def handle(self, *args: Any, output: Path, language: list[str], **options: Any) -> None:
        if not Path(CHROMIUM).exists():
            raise CommandError(f"Chromium is not at {CHROMIUM}: apt-get install chromium")
        if (
            shutil.which("fc-list")
            and not subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False).stdout.strip()
        ):
            self.stderr.write(
                "No Chinese font is installed: the pictures will show boxes (apt-get install fonts-noto-cjk)."
            )
        calendar = demo_calendar(timezone.localdate())
        for code in language or list(LANGUAGES):
            locale, folder = LANGUAGES[code]
            self._language(calendar, locale, output / folder if folder else output)

    def _language(self, calendar: DemoCalendar, locale: str, output: Path) -> None:
        """Every picture in one language, over a fresh demo of its own."""
        output.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="screenshots-") as folder:
            env = self._environment(Path(folder) / "demo.sqlite3")
            self._manage(env, "migrate", "--noinput")
            self._manage(env, "load_demo", "--today", calendar.today.isoformat())
            port = _free_port()
            server = subprocess.Popen(
                [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
                cwd=settings.BASE_DIR,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                base_url = f"http://127.0.0.1:{port}"
                self._wait_for(base_url, server)
                self._take(base_url, output, shots(calendar), locale)
            finally:
                server.terminate()
                server.wait(timeout=30)

    def _environment(self, database: Path) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.local",
            DATABASE_URL=f"sqlite:///{database}",
            DEBUG="true",  # runserver serves the static files only then
        )
        env.pop("CELERY_BROKER_URL", None)  # closing the demo month runs in-process
        return env

    def _manage(self, env: dict[str, str], *command: str) -> None:
        done = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
        )
        if done.returncode:
            raise CommandError(f"manage.py {' '.join(command)} failed:\n{done.stdout}{done.stderr}")

    def _wait_for(self, base_url: str, server: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError("runserver stopped before it served a page")
            try:
                urllib.request.urlopen(f"{base_url}/accounts/login/", timeout=2).close()
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        raise CommandError(f"runserver did not answer within {SERVER_START_SECONDS} s")

    def _take(self, base_url: str, output: Path, pictures: list[Shot], locale: str) -> None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for shot in pictures:
                    self._shot(browser, base_url, shot, output, locale)
            finally:
                browser.close()

    def _shot(self, browser: Any, base_url: str, shot: Shot, output: Path, locale: str) -> None:
        context = browser.new_context(base_url=base_url, locale=locale, viewport={"width": shot.width, "height": 800})
        try:
            page = context.new_page()
            page.goto("/accounts/login/")
            page.locator("input[name=username]").fill(shot.username)
            page.locator("input[name=password]").fill(PASSWORD)
            page.locator("main form button[type=submit]").click()
            page.wait_for_url(f"{base_url}/")
            response = page.goto(shot.path)
            if response is None or response.status == 404:
                self.stdout.write(f"{shot.name}: {shot.path} answers 404 (not built yet), skipped.")
                return
            if shot.prepare:
                try:
                    shot.prepare(page)
                except Skip as skip:
                    self.stdout.write(f"{shot.name}: {skip}, skipped.")
                    return
            path = output / f"{shot.name}.png"
            page.screenshot(path=str(path), full_page=True)
            self.stdout.write(f"{shot.name}: {path}")
        finally:
            context.close()
