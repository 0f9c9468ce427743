"""A real OpenID Connect provider on the loopback for each test that asks, and the settings that
point the product at it; people of the logins' tests: HR, and employees as the roster creates
them (no password)."""

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

import pytest
from django.core import mail
from django.test import Client
from pytest_django import Settings

from people.logins.signals import sso_login_refused
from people.logins.tokens import invitation_tokens
from people.models import Department, Role, User
from tests.people.logins.oidc_provider import Provider, provider_started

CLIENT_ID = "performance-plans"
CLIENT_SECRET = "the-clients-secret-for-tests"
CALLBACK = "http://testserver/accounts/oidc/callback/"


def sso_configure(settings: Settings, provider: Provider) -> None:
    settings.OIDC_ISSUER = provider.issuer
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET


@pytest.fixture
def provider(settings: Settings) -> Iterator[Provider]:
    """The provider, and single sign-on turned on against it (the test client's callback)."""
    with provider_started(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[CALLBACK]) as started:
        sso_configure(settings, started)
        yield started


@pytest.fixture
def refusals() -> Iterator[list[dict[str, Any]]]:
    """What ``sso_login_refused`` was sent during the test."""
    received: list[dict[str, Any]] = []

    def receive(sender: None, **kwargs: Any) -> None:
        received.append(kwargs)

    sso_login_refused.connect(receive, weak=False)
    yield received
    sso_login_refused.disconnect(receive)


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


@pytest.fixture(autouse=True)
def _invitations_emailed_here(tasks_here: None) -> None:
    """The invitations' emails are a task: here they are written in the test's thread, broker or
    not (``celery_worker`` turns that off for the test that goes through a real queue)."""
