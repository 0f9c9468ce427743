"""A real OpenID Connect provider on the loopback for each test that asks, and the settings that
point the product at it."""

from collections.abc import Iterator
from typing import Any

import pytest
from pytest_django import Settings

from people.logins.signals import sso_login_refused
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
