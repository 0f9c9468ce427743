"""No input gets a 500, and a refusal changes nothing (issue 10, item 8).

Generated text, numbers and files go into every form field, query parameter and upload of every
page, as each role. The pages and their fields are found, not listed: every URL pattern of the
project is visited with the world's real ids, and the fields of each page's forms are read from its
HTML, so a new page or field is covered without changing this test.
"""

import html
import json
import re
from pathlib import Path
from typing import TypedDict

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.cycles.models import Cycle
from metrics.figures.models import MetricEntry
from metrics.results.models import Result
from people.models import Department, Role, User
from plans.models import Assignment, Band, Goal, Indicator, PlanTemplate, PlanVersion
from plans.services import draft_open
from reviews.models import Review
from tests.reviews.conftest import team_load

# Values people type, paste or send on purpose: limits, other scripts, other number forms, markup.
NASTY = [
    "",
    " ",
    "\u3000",
    "0",
    "-1",
    "1e999",
    "-1e999",
    "NaN",
    "Infinity",
    "1E+3",
    "999999999.999999",
    "1000000000",
    "0.1234567",
    "１２．５",
    "－３",
    "8,6",
    "1_000",
    "1.2.3",
    "5%",
    "²",
    "٣",
    "2026-13",
    "9999-12",
    "0000-01",
    "2026-Q5",
    "2026-01",
    "2026-Q1",
    "a/b",
    "../../etc/passwd",
    "li.lei",
    "wang.fang",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    '{"a": [',
    "[" * 200,
    "x" * 300,
    "9" * 40,
    "客户经理" * 60,
    "\x00",
    "a\x00b",
    "\ud7ff",
    "🙂",
    "=1+1",
]
values = st.one_of(st.sampled_from(NASTY), st.text(max_size=40), st.integers().map(str), st.decimals().map(str))
FILES = [
    b"",
    b"\x00\x01\x02",
    b"PK\x03\x04junk",
    "employee,period,satisfaction\nli.lei,2026-01,１２\n".encode("gb18030"),
    b"employee,period,satisfaction\nli.lei,2026-01,1e999\n",
    b'employee,period\nli.lei,"2026-01\n',
    "employee,name,department,manager,plan,start,monthly_bonus,quarterly_bonus\n"
    "li.lei,李雷,客户部,li.lei,customer-manager,2026-01,-1,x\n".encode("utf-16"),
    b'{"code": "x", "indicators": [' + b"[" * 5000 + b"]}",
    b'{"code": "customer-manager", "name": "x", "indicators": [{"target": NaN}]}',
]
files = st.one_of(st.sampled_from(FILES), st.binary(max_size=200))
# The figures grid posts its changed cells as one JSON list.
grid_changes = st.lists(
    st.fixed_dictionaries(
        {
            "employee": st.sampled_from(["li.lei", "han.mei", "wu.di", "nobody", ""]),
            "column": st.sampled_from(["satisfaction", "churn.lost", "churn.total", "collaboration", "x", ""]),
            "value": values,
            "loaded": values,
        }
    ),
    max_size=4,
).map(json.dumps)
QUERY_NAMES = ["period", "month", "manager", "employee", "department", "plan", "page", "band", "flag", "q", "next"]
_FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*\bname=\"([^\"]+)\"[^>]*>", re.S)
_FILE_FIELD = re.compile(
    r"<input\b[^>]*type=\"file\"[^>]*name=\"([^\"]+)\"|<input\b[^>]*name=\"([^\"]+)\"[^>]*type=\"file\""
)
SKIPPED = ("admin/", "accounts/logout/", "i18n/")


class World(TypedDict):
    clients: dict[str, Client]
    urls: list[str]


@pytest.fixture
def world(db: None, examples: Path) -> World:
    team_load(examples)
    User.objects.create_user(username="boss", display_name="管理员", role=Role.ADMIN, is_staff=True, is_superuser=True)
    Department.objects.get_or_create(name="客户部")
    version = PlanVersion.objects.order_by("pk").first()
    assert version is not None
    draft_open(template=version.template)
    li = User.objects.get(username="li.lei")
    Review.objects.create(employee=li, period="2026-Q1")
    return {
        "clients": {name: _client(name) for name in ("hr", "wang.fang", "li.lei", "boss")},
        "urls": _urls(),
    }


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _urls() -> list[str]:
    """Every page of the project, its parameters filled with ids of the world."""
    code = PlanTemplate.objects.values_list("code", flat=True).first()
    assert code is not None
    samples = {
        "period": ["2026-01", "2026-02", "2026-Q1"],
        "username": ["li.lei", "wang.fang", "wu.di"],
        "employee": ["li.lei", "wu.di"],
        "code": [code],
        "number": ["1"],
        "key": ["customer-manager"],
        "pk": [
            str(pk)
            for model in (Review, Indicator, Goal, Band)
            for pk in model.objects.order_by("-pk").values_list("pk", flat=True)[:1]
        ],
    }
    urls: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if route.startswith(SKIPPED):
                continue
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
                continue
            names = re.findall(r"<(?:\w+:)?(\w+)>", route)
            for index in range(max(len(samples.get(name, [""])) for name in names) if names else 1):
                url = route
                for name in names:
                    choices = samples.get(name, ["x"])
                    url = re.sub(rf"<(?:\w+:)?{name}>", choices[index % len(choices)], url, count=1)
                urls.append("/" + url.lstrip("^").rstrip("$"))

    walk(get_resolver().url_patterns, "")
    return sorted(set(urls))


def _fingerprint() -> list[object]:
    """What a refusal must leave as it was."""
    return [
        list(MetricEntry.objects.order_by("pk").values_list("pk", "value", "inputs")),
        list(
            Assignment.objects.order_by("pk").values_list("pk", "version", "start", "monthly_bonus", "quarterly_bonus")
        ),
        list(
            User.objects.order_by("pk").values_list("pk", "username", "display_name", "role", "manager", "department")
        ),
        list(PlanVersion.objects.order_by("pk").values_list("pk", "status", "name")),
        list(Indicator.objects.order_by("pk").values_list("pk", "code", "target", "weight", "tiers")),
        list(Band.objects.order_by("pk").values_list("pk", "min", "label", "payout")),
        list(Cycle.objects.order_by("pk").values_list("pk", "status", "run")),
        list(Result.objects.order_by("pk").values_list("pk", "score", "superseded_at")),
        list(Review.objects.order_by("pk").values_list("pk", "status")),
    ]


def _forms(client: Client, url: str) -> list[tuple[str, list[str], list[str]]]:
    """The page's post forms: where each posts to, its fields and its file fields."""
    page = client.get(url)
    forms: list[tuple[str, list[str], list[str]]] = [
        (url, [], [])
    ]  # the page itself, posted to with nothing but generated query names
    if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
        return forms
    for attributes, body in re.findall(r"<form\b([^>]*)>(.*?)</form>", page.content.decode(), re.S | re.I):
        if 'method="post"' not in attributes.lower():
            continue
        action = re.search(r'action="([^"]*)"', attributes)
        target = html.unescape(action[1]) if action and action[1] else url
        if target.lstrip("/").startswith(SKIPPED):
            continue  # logging out or switching language is no input to check
        uploads = sorted({a or b for a, b in _FILE_FIELD.findall(body)})
        names = sorted(set(_FIELD.findall(body)) - {"csrfmiddlewaretoken"} - set(uploads))
        forms.append((target, names, uploads))
    return forms


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_no_generated_input_is_a_500_and_a_refusal_changes_nothing(world: World, data: st.DataObject) -> None:
    clients = world["clients"]
    role = data.draw(st.sampled_from(sorted(clients)), label="role")
    url = data.draw(st.sampled_from(world["urls"]), label="url")
    client = clients[role]
    query = data.draw(st.dictionaries(st.sampled_from(QUERY_NAMES), values, max_size=3), label="query")
    with transaction.atomic():
        response = client.get(url, query)
        assert response.status_code < 500, (role, url, query)
        target, names, uploads = data.draw(st.sampled_from(_forms(client, url)), label="form")
        fields = {name: st.one_of(grid_changes, values) if name == "changes" else values for name in names}
        post: dict[str, str | SimpleUploadedFile] = data.draw(st.fixed_dictionaries({}, optional=fields), label="post")
        for name in uploads:
            post[name] = SimpleUploadedFile(
                data.draw(st.sampled_from(["team.csv", "team.xlsx", "plan.json", "x"]), label="file name"),
                data.draw(files, label="file"),
            )
        before = _fingerprint()
        response = client.post(target, post)
        assert response.status_code < 500, (role, target, post)
        if response.status_code != 302:
            assert _fingerprint() == before, (role, target, post, response.status_code)
        transaction.set_rollback(True)
