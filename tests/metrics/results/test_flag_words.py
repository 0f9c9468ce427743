"""A flag reads in its plan's words wherever a page shows one (issue 12): the home page, the cycle
page, the follow-ups pages, the year's ranking and the calibration board write the plan's label
(重点关注), or the product's words for its own flags, never the code (``risk_watch``)."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from metrics.cycles.models import Cycle, CycleStatus
from metrics.results.models import Result
from people.models import Department, Role, User
from tests.factories import assign, plan_data, publish
from tests.test_home import page_text

CODES = ("risk_watch", "star_pick", "incomplete")
# e1: the plan's C band flag; e2: its streak's; e3: a forced close's (the product's words).
FLAGS = {"e1": ["risk_watch"], "e2": ["star_pick"], "e3": ["incomplete"]}
NAMES = {"e1": "韩梅梅", "e2": "李雷", "e3": "吴迪"}


@pytest.fixture
def flagged(db: None) -> None:
    """A plan that labels its flags, with calibration; January and the year 2026 closed."""
    data = plan_data(calibration=True)
    data["bands"][2].update({"flag": "risk_watch", "flag_label": "重点关注"})
    data["streak"].update({"flag": "star_pick", "flag_label": "明星之选"})
    version = publish(data)
    department = Department.objects.create(name="客户部")
    cycles = {period: Cycle.objects.create(period=period, status=CycleStatus.CLOSED) for period in ("2026-01", "2026")}
    for username, flags in FLAGS.items():
        person = User.objects.create_user(username=username, display_name=NAMES[username], department=department)
        assignment = assign(person, version, "2026-01")
        for period, cycle in cycles.items():
            Result.objects.create(
                cycle=cycle,
                run=1,
                period=period,
                employee=person,
                assignment=assignment,
                version=version,
                score=Decimal("50.00"),
                band="C",
                payout=Decimal(0),
                bonus=Decimal(0),
                flags=flags,
            )


def read(path: str) -> str:
    client = Client()
    client.force_login(User.objects.create_user(username="hr", role=Role.HR, display_name="孙丽"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    response = client.get(path)
    assert response.status_code == 200, path
    return page_text(response.content)


def assert_in_words(text: str, *labels: str) -> None:
    for label in labels:
        assert label in text
    for code in CODES:
        assert code not in text


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/cycles/2026-01/follow-ups/",
        "/cycles/2026-01/calibration/",
        "/cycles/2026-01/",
        "/cycles/2026-01/results/",
        "/cycles/2026/ranking/",
    ],
)
def test_a_page_of_many_people_writes_each_flag_in_the_plans_words(flagged: None, path: str) -> None:
    assert_in_words(read(path), "重点关注", "明星之选", "不完整")


def test_the_flag_filters_offer_the_plans_words(flagged: None) -> None:
    client = Client()
    client.force_login(User.objects.create_user(username="hr", role=Role.HR))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    html = client.get("/cycles/2026-01/follow-ups/").content.decode()
    assert '<option value="risk_watch">重点关注 (1)</option>' in html
    html = client.get("/cycles/2026-01/results/").content.decode()
    assert '<option value="risk_watch">重点关注</option>' in html
    assert '<option value="star_pick">明星之选</option>' in html


@pytest.mark.parametrize("username", ["e1", "e2", "e3"])
def test_one_persons_follow_up_writes_their_flag_in_the_plans_words(flagged: None, username: str) -> None:
    label = {"e1": "重点关注", "e2": "明星之选", "e3": "不完整"}[username]
    assert_in_words(read(f"/cycles/2026-01/follow-ups/{username}/"), label)


def test_the_dashboard_shows_no_flag_code(flagged: None) -> None:
    assert_in_words(read("/dashboard/?period=2026-01"))
