"""Single sign-on through a real OpenID Connect provider on the loopback: discovery, the code flow
with PKCE, the ID token's checks, and who may come in (the roster decides; nobody is created)."""

import html
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.test import Client

from people.models import User
from tests.factories import UserFactory
from tests.people.logins.conftest import CALLBACK, CLIENT_ID
from tests.people.logins.oidc_provider import Account, Provider, rsa_key
from tests.typed import Response

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]


def sso_start(client: Client, next_url: str = "") -> str:
    """The login page's company button: the address of the provider's sign-in page."""
    response = client.get("/accounts/oidc/login/", {"next": next_url} if next_url else {})
    assert response.status_code == 302
    return str(response["Location"])


def provider_sign_in(authorize_url: str, username: str, password: str) -> str:
    """What a browser does at the provider: its sign-in page, its form posted; the callback address."""
    page = requests.get(authorize_url, timeout=10)
    assert page.status_code == 200 and "公司统一身份认证" in page.text, page.text
    form = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert form is not None
    action = html.unescape(form[1])
    answer = requests.post(
        urljoin(authorize_url, action),
        data={"username": username, "password": password},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302, answer.text
    return str(answer.headers["Location"])


def sso_sign_in(client: Client, username: str, password: str, *, next_url: str = "") -> Response:
    """Through the company button, the provider's own sign-in form, and back to the callback."""
    callback = urlsplit(provider_sign_in(sso_start(client, next_url), username, password))
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == CALLBACK
    return client.get(f"{callback.path}?{callback.query}")


def signed_in(client: Client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value is not None else None


def login_page_after(client: Client, response: Response) -> str:
    """The login page that a refusal sends back to, as the person reads it."""
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    return client.get(response["Location"]).content.decode()


def test_discovery_sends_the_browser_to_the_providers_page_with_pkce_state_and_nonce(
    client: Client, provider: Provider
) -> None:
    authorize = urlsplit(sso_start(client))
    query = {name: values[0] for name, values in parse_qs(authorize.query).items()}

    assert f"{authorize.scheme}://{authorize.netloc}{authorize.path}" == f"{provider.issuer}/authorize"
    assert query["response_type"] == "code" and query["client_id"] == CLIENT_ID
    assert query["redirect_uri"] == CALLBACK
    assert set(query["scope"].split()) == {"openid", "email", "profile"}
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert query["state"] and query["nonce"]
    assert provider.discovery_requests == 1
    sso_start(client)  # the document is kept; each start has its own state
    assert provider.discovery_requests == 1


def test_a_person_signs_in_through_the_provider_and_lands_on_the_page_asked_for(
    client: Client, provider: Provider
) -> None:
    # Imported through the roster: no password here, and none needed.
    person = UserFactory.create(username="li.lei", display_name="李雷")
    person.set_unusable_password()
    person.save()
    provider.add(Account("li.lei", "company-pass-1"))

    response = sso_sign_in(client, "li.lei", "company-pass-1", next_url="/scores/")

    assert response.status_code == 302 and response["Location"] == "/scores/"
    assert signed_in(client) == person.pk
    assert provider.tokens_issued == 1
    home = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "李雷" in home and "退出" in home
    person.refresh_from_db()
    assert person.last_login is not None
    assert User.objects.count() == 1


def test_a_next_page_on_another_site_is_ignored(client: Client, provider: Provider) -> None:
    UserFactory.create(username="li.lei")
    provider.add(Account("li.lei", "company-pass-1"))

    response = sso_sign_in(client, "li.lei", "company-pass-1", next_url="https://evil.example.com/")

    assert response.status_code == 302 and response["Location"] == "/"


def test_a_person_is_found_by_their_email_when_the_user_names_differ(client: Client, provider: Provider) -> None:
    person = UserFactory.create(username="li.lei", email="li.lei@example.com")
    provider.add(Account("lilei", "company-pass-1", email="Li.Lei@example.com"))

    sso_sign_in(client, "lilei", "company-pass-1")

    assert signed_in(client) == person.pk


def test_a_token_signed_by_another_key_is_refused(
    client: Client, provider: Provider, refusals: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    UserFactory.create(username="li.lei")
    provider.add(Account("li.lei", "company-pass-1"))
    provider.signing_key = rsa_key()  # same key id as the JWKS's, another key

    response = sso_sign_in(client, "li.lei", "company-pass-1")

    assert signed_in(client) is None
    assert "The company sign-in could not be verified" in login_page_after(client, response)
    assert [r["reason"] for r in refusals] == ["token"]
    assert "BadSignatureError" in caplog.text


def test_a_token_for_another_audience_is_refused(
    client: Client, provider: Provider, refusals: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    UserFactory.create(username="li.lei")
    provider.add(Account("li.lei", "company-pass-1", claims={"azp": CLIENT_ID}))
    provider.audience = "another-application"

    response = sso_sign_in(client, "li.lei", "company-pass-1")

    assert signed_in(client) is None
    assert "The company sign-in could not be verified" in login_page_after(client, response)
    assert [r["reason"] for r in refusals] == ["token"]
    assert "'aud'" in caplog.text


def test_an_expired_token_is_refused(client: Client, provider: Provider, refusals: list[dict[str, Any]]) -> None:
    UserFactory.create(username="li.lei")
    provider.add(Account("li.lei", "company-pass-1", claims={"exp": 1_000_000_000}))

    sso_sign_in(client, "li.lei", "company-pass-1")

    assert signed_in(client) is None
    assert [r["reason"] for r in refusals] == ["token"]


def test_an_unknown_person_is_refused_in_both_languages_and_nobody_is_created(
    client: Client, provider: Provider, refusals: list[dict[str, Any]]
) -> None:
    UserFactory.create(username="li.lei")
    provider.add(Account("zhang.san", "company-pass-1", email="zhang.san@example.com"))

    response = sso_sign_in(client, "zhang.san", "company-pass-1")

    assert signed_in(client) is None and User.objects.count() == 1
    page = login_page_after(client, response)
    assert "Nobody here has the company account zhang.san" in page and "HR" in page
    assert [(r["reason"], r["username"]) for r in refusals] == [("unknown", "zhang.san")]
    assert refusals[0]["request"].path == "/accounts/oidc/callback/"

    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = sso_sign_in(chinese, "zhang.san", "company-pass-1")
    page = login_page_after(chinese, response)
    assert "系统中没有公司账号 zhang.san 对应的人员" in page
    assert "使用公司账号登录" in page and "用户名" in page  # both ways in, again


def test_an_email_two_people_share_finds_neither(
    client: Client, provider: Provider, refusals: list[dict[str, Any]]
) -> None:
    UserFactory.create(username="li.lei", email="team@example.com")
    UserFactory.create(username="han.mei", email="Team@example.com")
    provider.add(Account("lilei", "company-pass-1", email="team@example.com"))

    response = sso_sign_in(client, "lilei", "company-pass-1")

    assert signed_in(client) is None
    assert "Several people here have the email team@example.com" in login_page_after(client, response)
    assert [(r["reason"], r["username"]) for r in refusals] == [("ambiguous", "lilei")]


def test_an_unverified_email_finds_nobody(client: Client, provider: Provider, refusals: list[dict[str, Any]]) -> None:
    UserFactory.create(username="li.lei", email="li.lei@example.com")
    provider.add(Account("lilei", "company-pass-1", email="li.lei@example.com", claims={"email_verified": False}))

    sso_sign_in(client, "lilei", "company-pass-1")

    assert signed_in(client) is None
    assert [r["reason"] for r in refusals] == ["unknown"]


def test_an_inactive_person_is_refused(client: Client, provider: Provider, refusals: list[dict[str, Any]]) -> None:
    UserFactory.create(username="li.lei", display_name="李雷", is_active=False)
    provider.add(Account("li.lei", "company-pass-1"))

    response = sso_sign_in(client, "li.lei", "company-pass-1")

    assert signed_in(client) is None
    assert "The account of 李雷 is deactivated" in login_page_after(client, response)
    assert [(r["reason"], r["username"]) for r in refusals] == [("inactive", "li.lei")]


def test_a_discovery_document_naming_another_issuer_is_refused(
    client: Client, provider: Provider, refusals: list[dict[str, Any]]
) -> None:
    provider.issuer_claimed = "https://sso.elsewhere.example.com/realms/company"

    response = client.get("/accounts/oidc/login/")

    assert "The company sign-in could not be verified" in login_page_after(client, response)
    assert [r["reason"] for r in refusals] == ["token"]


def test_an_unreachable_provider_is_said_so(client: Client, provider: Provider, refusals: list[dict[str, Any]]) -> None:
    provider.stop()

    response = client.get("/accounts/oidc/login/", {"next": "/scores/"})

    assert response["Location"] == "/accounts/login/?next=%2Fscores%2F"
    assert "cannot be reached" in login_page_after(client, response)
    assert [r["reason"] for r in refusals] == ["unreachable"]


def test_a_callback_that_this_browser_did_not_start_is_refused(
    client: Client, provider: Provider, refusals: list[dict[str, Any]]
) -> None:
    UserFactory.create(username="li.lei")
    provider.add(Account("li.lei", "company-pass-1"))
    callback = urlsplit(provider_sign_in(sso_start(Client()), "li.lei", "company-pass-1"))

    response = client.get(f"{callback.path}?{callback.query}")  # another browser's code and state

    assert signed_in(client) is None
    assert "started in another browser" in login_page_after(client, response)
    assert [r["reason"] for r in refusals] == ["state"]


def test_a_sign_in_the_provider_turned_down_is_said_so(
    client: Client, provider: Provider, refusals: list[dict[str, Any]]
) -> None:
    state = parse_qs(urlsplit(sso_start(client)).query)["state"][0]

    response = client.get("/accounts/oidc/callback/", {"error": "access_denied", "state": state})

    assert "did not sign you in" in login_page_after(client, response)
    assert [r["reason"] for r in refusals] == ["provider"]


def test_the_login_page_offers_both_ways_in(client: Client, provider: Provider) -> None:
    page = client.get("/accounts/login/?next=/scores/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "使用公司账号登录" in page and 'href="/accounts/oidc/login/?next=/scores/"' in page
    assert "用户名" in page and "密码" in page


def test_without_its_settings_nothing_of_it_shows(client: Client) -> None:
    page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "公司账号" not in page and "oidc" not in page
    assert "用户名" in page
    assert client.get("/accounts/oidc/login/").status_code == 404
    assert client.get("/accounts/oidc/callback/?code=x&state=y").status_code == 404


@pytest.mark.parametrize(
    ("environment", "refusal"),
    [
        ({"OIDC_ISSUER": "https://sso.example.com/realms/company", "OIDC_CLIENT_ID": "perf"}, "set OIDC_CLIENT_SECRET"),
        ({"OIDC_CLIENT_SECRET": "s3cret"}, "set OIDC_ISSUER, OIDC_CLIENT_ID"),
        (
            {
                "OIDC_ISSUER": "http://sso.example.com/realms/company",
                "OIDC_CLIENT_ID": "perf",
                "OIDC_CLIENT_SECRET": "s",
            },
            "must be an https:// address",
        ),
    ],
)
def test_settings_that_cannot_work_refuse_to_start(environment: dict[str, str], refusal: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", "import config.settings.base"],
        cwd=ROOT,
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0 and refusal in result.stderr, result.stderr
