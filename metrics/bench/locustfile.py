"""The load of `bench_load`: managers saving their team's figures grid, admins opening the
dashboard, a closed month's cycle page and its results (what HR hands to payroll).

Run by `python manage.py bench_load`, which makes the data and passes it in the environment:

- ``BENCH_LOAD_MONTH``: the open month of the grid, e.g. ``2000-04``;
- ``BENCH_LOAD_CLOSED``: a closed month, whose cycle page and results page the admins open;
- ``BENCH_LOAD_DEPARTMENTS``: the departments' ids, comma-separated (the results page's filter);
- ``BENCH_LOAD_MANAGERS``: the managers' user names, comma-separated (one per simulated manager);
- ``BENCH_LOAD_ADMIN``: the admin's user name; ``BENCH_LOAD_PASSWORD``: everybody's password;
- ``BENCH_LOAD_ADMINS``: how many of the simulated users are admins (the rest are managers);
- ``BENCH_LOAD_MAX_REQUESTS``: the run stops by itself after this many requests (besides ``-t``);
- ``BENCH_LOAD_THINK``: ``MIN,MAX`` seconds a user waits between two requests.

Each user logs in once and lands on the home page, as a browser follows the login's redirect; a
manager then loads the grid, changes a few typed cells (a value taken from another row of the
same column, so it is always valid) and saves it, and now and then opens the home page again; an
admin opens the dashboard, the home page, the closed month's cycle page and, most often, its
results page: a page of 50 among the first hundred, in one of the orders the page offers, a
third of the time for one department. The default think time (0.5 to 1.5 s) is short: 20 users make a heavy morning.
"""

import html
import itertools
import json
import os
import random
import re
from typing import Any
from urllib.parse import urlencode

import gevent
from locust import HttpUser, between, events, task
from locust.env import Environment

MONTH = os.environ.get("BENCH_LOAD_MONTH", "2000-04")
CLOSED = os.environ.get("BENCH_LOAD_CLOSED", "2000-03")
DEPARTMENTS = [pk for pk in os.environ.get("BENCH_LOAD_DEPARTMENTS", "").split(",") if pk]
RESULT_SORTS = ("employee", "-score", "score", "-bonus", "department", "name")
RESULT_PAGES = 100
PASSWORD = os.environ.get("BENCH_LOAD_PASSWORD", "")
MANAGERS = [name for name in os.environ.get("BENCH_LOAD_MANAGERS", "").split(",") if name]
ADMIN = os.environ.get("BENCH_LOAD_ADMIN", "")
ADMINS = int(os.environ.get("BENCH_LOAD_ADMINS", "2"))
MAX_REQUESTS = int(os.environ.get("BENCH_LOAD_MAX_REQUESTS", "0"))
THINK = [float(seconds) for seconds in os.environ.get("BENCH_LOAD_THINK", "0.5,1.5").split(",")]
CELLS_PER_SAVE = 5

_INPUT = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'(\w[\w-]*)="([^"]*)"')
_ROW = re.compile(r'<tr data-employee="([^"]*)">(.*?)</tr>', re.DOTALL)
_managers = itertools.cycle(MANAGERS or [""])
_requests = itertools.count(1)


def form_fields(page: str) -> dict[str, str]:
    """Every named input of a page (hidden or not), name -> value, as a browser would post it."""
    fields = {}
    for tag in _INPUT.findall(page):
        attributes = {key: html.unescape(value) for key, value in _ATTRIBUTE.findall(tag)}
        if "name" in attributes and "disabled" not in tag:
            fields[attributes["name"]] = attributes.get("value", "")
    return fields


def grid_cells(page: str) -> dict[tuple[str, str], str]:
    """The grid's typed cells, (employee, column) -> the value loaded, from its rows' markup."""
    cells = {}
    for employee, row in _ROW.findall(page):
        for tag in _INPUT.findall(row):
            attributes = {key: html.unescape(value) for key, value in _ATTRIBUTE.findall(tag)}
            if "data-column" in attributes and "disabled" not in tag:
                cells[(html.unescape(employee), attributes["data-column"])] = attributes.get("data-loaded", "")
    return cells


def grid_edit(cells: dict[tuple[str, str], str], rng: random.Random, count: int = CELLS_PER_SAVE) -> str:
    """The ``changes`` a save posts (JSON, as grid.js builds it): ``count`` cells changed to
    another row's value of the same column.

    Only whole figures, not a formula's inputs (``churn.lost``), so that every change is valid;
    each change carries the value it was loaded with, as the page sends it.
    """
    by_column: dict[str, list[str]] = {}
    for (_employee, column), value in cells.items():
        if "." not in column and value:
            by_column.setdefault(column, []).append(value)
    candidates = [key for key in cells if "." not in key[1]]
    changes = []
    for employee, column in rng.sample(candidates, min(count, len(candidates))):
        values = [v for v in by_column.get(column, []) if v != cells[(employee, column)]]
        if values:
            changes.append(
                {
                    "employee": employee,
                    "column": column,
                    "value": rng.choice(values),
                    "loaded": cells[(employee, column)],
                }
            )
    return json.dumps(changes)


class _LoggedIn(HttpUser):
    abstract = True
    wait_time = between(THINK[0], THINK[-1])
    username = ""

    def on_start(self) -> None:
        page = self.client.get("/accounts/login/", name="GET /accounts/login/").text
        token = form_fields(page).get("csrfmiddlewaretoken", "")
        landing = self.post_redirected(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="POST /accounts/login/",
            failure=f"{self.username} could not log in",
        )
        if landing:  # the home page, where a browser lands after signing in
            self.page(landing, name="GET / (home)")

    def post_redirected(self, url: str, data: dict[str, str], *, name: str, failure: str) -> str:
        """Post a form that redirects when it is taken: any other answer is a failure, said with
        ``failure`` and the status. The redirect's address, "" on a failure."""
        with self.client.post(url, data=data, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 302:
                response.failure(f"{failure} ({response.status_code})")
                return ""
            return str(response.headers.get("Location", ""))

    def page(self, url: str, *, name: str) -> None:
        """Open a page: anything but a 200 is a failure."""
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{name} answered {response.status_code}")


class Manager(_LoggedIn):
    weight = 1

    def on_start(self) -> None:
        self.username = next(_managers)
        self.rng = random.Random(self.username)
        super().on_start()

    @task(5)
    def save_grid(self) -> None:
        url = f"/figures/{MONTH}/"
        with self.client.get(url, name="GET /figures/[month]/", catch_response=True) as response:
            start = response.text.find('id="figures-grid"')
            form = response.text[start : response.text.find("</form>", start)] if start >= 0 else ""
            cells = grid_cells(form)
            if response.status_code != 200 or not cells:
                response.failure(f"no grid for {self.username} ({response.status_code})")
                return
        # Saved (or nothing changed) redirects to the grid; a refusal renders it again.
        self.post_redirected(
            url,
            {
                "csrfmiddlewaretoken": form_fields(form).get("csrfmiddlewaretoken", ""),
                "changes": grid_edit(cells, self.rng),
            },
            name="POST /figures/[month]/",
            failure="the grid was not saved",
        )

    @task(1)
    def home(self) -> None:
        self.page("/", name="GET / (home)")


class Admin(_LoggedIn):
    fixed_count = ADMINS
    username = ADMIN

    def on_start(self) -> None:
        self.rng = random.Random(f"admin-{id(self)}")
        super().on_start()

    @task(2)
    def dashboard(self) -> None:
        self.page("/dashboard/", name="GET /dashboard/")

    @task(1)
    def home(self) -> None:
        self.page("/", name="GET / (home)")

    @task(2)
    def cycle(self) -> None:
        self.page(f"/cycles/{CLOSED}/", name="GET /cycles/[month]/")

    @task(5)
    def results(self) -> None:
        query = {"sort": self.rng.choice(RESULT_SORTS), "page": str(self.rng.randint(1, RESULT_PAGES))}
        if DEPARTMENTS and self.rng.random() < 1 / 3:
            query["department"] = self.rng.choice(DEPARTMENTS)
        self.page(f"/cycles/{CLOSED}/results/?{urlencode(query)}", name="GET /cycles/[month]/results/")


_environment: Environment | None = None


def _keep_environment(environment: Environment, **kwargs: Any) -> None:
    global _environment
    _environment = environment


def _stop_after_enough(**kwargs: Any) -> None:
    """Bounded in requests as well as in time: quit once ``BENCH_LOAD_MAX_REQUESTS`` are done."""
    if MAX_REQUESTS and next(_requests) == MAX_REQUESTS and _environment and _environment.runner:
        gevent.spawn(_environment.runner.quit)


events.init.add_listener(_keep_environment)  # type: ignore[no-untyped-call]  # locust is untyped here
events.request.add_listener(_stop_after_enough)  # type: ignore[no-untyped-call]
