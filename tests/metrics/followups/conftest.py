"""The shared examples with 2026-01 to 2026-03 closed: in March li.lei (李雷) is a promotion
candidate and han.mei (韩梅梅) has a warning, both under wang.fang in 客户部; HR is 孙丽 (hr)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from metrics.followups.models import FollowUpDecision
from metrics.followups.services import follow_up_decide
from people.models import Role, User
from plans.periods import Period
from tests.metrics.results.test_cycle_pages import client_for, close, examples_loaded, person

MARCH = Period.parse("2026-03")
PASSWORD = "secret-pass-1"


def march_closed(examples: Path) -> None:
    examples_loaded(examples)
    for month in ("2026-01", "2026-02", "2026-03"):
        close(month)
    User.objects.create_user(username="hr", display_name="孙丽", role=Role.HR, password=PASSWORD)
    for username in ("li.lei", "han.mei", "wang.fang"):
        user = User.objects.get(username=username)
        user.set_password(PASSWORD)
        user.save()


@pytest.fixture
def march(db: None, examples: Path) -> dict[str, User]:
    march_closed(examples)
    return {user.username: user for user in User.objects.all()}


def decide(people: dict[str, User], username: str, choice: str, note: str = "") -> FollowUpDecision:
    return follow_up_decide(
        employee=people[username], period=MARCH, choice=choice, note=note, user=people["hr"]
    ).decision


def chinese(user: User) -> Client:
    client = client_for(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    return client


__all__ = ["MARCH", "PASSWORD", "chinese", "client_for", "decide", "march_closed", "person"]
