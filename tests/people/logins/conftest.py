"""People of the logins' tests: HR, and employees as the roster creates them (no password)."""

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.test import Client

from people.logins.tokens import invitation_tokens
from people.models import Department, Role, User


def page_text(content: bytes) -> str:
    """The page as a reader sees it: no tags, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", content.decode()).split())


def newcomer(username: str, *, name: str = "", email: str = "", language: str = "", **fields: Any) -> User:
    """Someone the roster created: no usable password."""
    user = User(username=username, display_name=name, email=email, language=language, **fields)
    user.set_unusable_password()
    user.save()
    return user


def link_path(body: object) -> str:
    """The path of the one link of an email's body."""
    found = re.search(r"https?://\S+", str(body))
    assert found is not None, body
    return urlparse(found[0]).path


@pytest.fixture
def hr(db: None) -> User:
    return User.objects.create_user(
        username="hr", password="a-long-pass-1", role=Role.HR, display_name="孙丽", email="hr@example.com"
    )


@pytest.fixture
def hr_client(hr: User) -> Client:
    client = Client()
    client.force_login(hr)
    return client


@pytest.fixture
def team(db: None) -> list[User]:
    sales = Department.objects.create(name="客户一部")
    return [
        newcomer("li.lei", name="李雷", email="li.lei@example.com", language="zh-hans", department=sales),
        newcomer("han.mei", name="韩梅梅", email="han.mei@example.com", language="en", department=sales),
        newcomer("wu.di", name="吴迪", department=sales),  # no address
    ]


@pytest.fixture
def days_pass(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[float], None]]:
    """Move the invitation tokens' clock forward (Django's generator reads its time from ``_now``)."""
    real_now = invitation_tokens._now
    offset = [timedelta(0)]
    monkeypatch.setattr(invitation_tokens, "_now", lambda: real_now() + offset[0])

    def move(days: float) -> None:
        offset[0] += timedelta(days=days)

    yield move


@pytest.fixture(autouse=True)
def _outbox_empty() -> None:
    mail.outbox.clear()
