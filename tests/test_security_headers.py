"""The headers production sends: the Content-Security-Policy, HSTS and the others, no ``Server``.

The policy itself is checked on a real page with the production settings' values; then gunicorn
is started the way the Procfile starts it, on a loopback port, and its answer read byte for byte.
"""

import http.client
import importlib.util
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from django.test import Client
from pytest_django import Settings

from people.models import Role, User
from tests.test_production import ROOT, SECRET, procfile

POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# What production.py and the headers depend on, taken from it into the test's settings.
HEADER_SETTINGS = [
    "MIDDLEWARE",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "CONTENT_SECURITY_POLICY",
    "CONTENT_SECURITY_POLICY_REPORT_ONLY",
]


def policy_parse(header: str) -> dict[str, str]:
    """A policy's directives by name (django-csp writes them in no set order)."""
    policy = {}
    for directive in header.split(";"):
        name, _space, value = directive.strip().partition(" ")
        if name:
            policy[name] = value
    return policy


def deployment_environment(**extra: str) -> dict[str, str]:
    """This process's environment less any deployment setting, plus the production essentials."""
    clean = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("SECURE_", "CSRF_", "CSP_", "DJANGO_", "STATIC_", "DATABASE_URL"))
    }
    return {**clean, "SECRET_KEY": SECRET, "ALLOWED_HOSTS": "testserver,127.0.0.1", **extra}


def settings_module_load(name: str, monkeypatch: pytest.MonkeyPatch, **env: str) -> ModuleType:
    """A settings file executed afresh under the given environment (base.py's values included)."""
    for variable in list(os.environ):
        if variable.startswith(("SECURE_", "CSRF_", "CSP_")):
            monkeypatch.delenv(variable)
    for variable, value in {"SECRET_KEY": SECRET, "ALLOWED_HOSTS": "testserver", **env}.items():
        monkeypatch.setenv(variable, value)
    base = importlib.util.spec_from_file_location("config.settings.base", ROOT / "config" / "settings" / "base.py")
    spec = importlib.util.spec_from_file_location(
        f"settings_under_test_{name}", ROOT / "config" / "settings" / f"{name}.py"
    )
    assert base is not None and base.loader is not None and spec is not None and spec.loader is not None
    fresh_base = importlib.util.module_from_spec(base)
    base.loader.exec_module(fresh_base)
    monkeypatch.setitem(sys.modules, "config.settings.base", fresh_base)  # what production.py imports
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def production_headers_apply(settings: Settings, module: ModuleType) -> None:
    """The test's settings take the module's values of the headers (Django's defaults where it has none)."""
    for name in HEADER_SETTINGS:
        if hasattr(module, name):
            setattr(settings, name, getattr(module, name))
        elif name.startswith("CONTENT_SECURITY_POLICY"):
            setattr(settings, name, None)  # django-csp sends nothing for a policy that is None


@pytest.fixture
def hr_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_user(username="hr", role=Role.HR, display_name="孙丽"))
    return client


@pytest.mark.django_db
def test_a_page_with_the_production_settings_sends_the_policy_and_the_security_headers(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, hr_client: Client
) -> None:
    production_headers_apply(settings, settings_module_load("production", monkeypatch))

    response = hr_client.get("/people/", headers={"x-forwarded-proto": "https"})

    assert response.status_code == 200 and "孙丽" in response.content.decode()
    assert policy_parse(response["Content-Security-Policy"]) == POLICY
    assert "Content-Security-Policy-Report-Only" not in response
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    # Plain HTTP is sent to HTTPS first.
    plain = hr_client.get("/people/")
    assert plain.status_code == 301 and plain["Location"] == "https://testserver/people/"


@pytest.mark.django_db
def test_csp_report_only_sends_the_same_policy_to_be_reported_not_enforced(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, hr_client: Client
) -> None:
    production_headers_apply(settings, settings_module_load("production", monkeypatch, CSP_REPORT_ONLY="true"))

    response = hr_client.get("/people/", headers={"x-forwarded-proto": "https"})

    assert "Content-Security-Policy" not in response
    assert policy_parse(response["Content-Security-Policy-Report-Only"]) == POLICY


def test_the_test_settings_the_browser_tests_use_enforce_the_same_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    module = settings_module_load("test", monkeypatch)
    assert "csp.middleware.CSPMiddleware" in module.MIDDLEWARE
    assert module.CONTENT_SECURITY_POLICY["DIRECTIVES"] == {name: value.split() for name, value in POLICY.items()}
    assert not hasattr(module, "CONTENT_SECURITY_POLICY_REPORT_ONLY")


# Markup the policy refuses: a <script> with code in it (a src or a JSON data block is fine), an
# on...= handler, a style attribute or element, a javascript: link.
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>|\son[a-z]+=|\sstyle=[\"']|<style|javascript:",
    re.IGNORECASE,
)


def test_no_template_or_python_that_writes_html_has_inline_script_or_style() -> None:
    sources = [*ROOT.glob("templates/**/*.html")]
    for room in ("config", "people", "plans", "metrics", "reviews"):
        sources += [path for path in (ROOT / room).rglob("*") if path.suffix in (".html", ".py")]
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if INLINE.search(line)
    ]
    assert len(sources) > 50
    assert found == []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def gunicorn(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[int]:
    """The Procfile's web command, with the production settings, on a loopback port."""
    port = free_port()
    web = procfile()["web"]
    command = [str(Path(sys.executable).parent / web[0]), *web[1:]]
    env = deployment_environment(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}",  # the answers read below need none
        STATIC_ROOT=str(tmp_path / "static"),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        GUNICORN_ACCESS_LOG="",
        **getattr(request, "param", {}),
    )
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=2).close()
                break
            except OSError:
                assert server.poll() is None, server.communicate()[1].decode()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def answer(port: int, path: str, **headers: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Host": "127.0.0.1", **headers})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def header_names(response: http.client.HTTPResponse) -> set[str]:
    return {name.lower() for name, _value in response.getheaders()}


def test_gunicorn_as_the_procfile_starts_it_sends_no_server_header_and_every_security_header(gunicorn: int) -> None:
    # The proxy in front says the request came over HTTPS: the home page sends a stranger to sign in.
    response = answer(gunicorn, "/", **{"X-Forwarded-Proto": "https"})

    assert response.status == 302 and response.getheader("Location") == "/accounts/login/?next=/"
    assert "server" not in header_names(response), response.getheaders()
    assert response.getheader("Date")  # gunicorn's other default headers are still there
    assert policy_parse(response.getheader("Content-Security-Policy") or "") == POLICY
    assert response.getheader("Strict-Transport-Security") == "max-age=31536000; includeSubDomains; preload"
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Referrer-Policy") == "same-origin"
    assert response.getheader("X-Frame-Options") == "DENY"

    # Plain HTTP is redirected, still without saying which server answers.
    plain = answer(gunicorn, "/people/")
    assert plain.status == 301 and plain.getheader("Location") == "https://127.0.0.1/people/"
    assert "server" not in header_names(plain)


@pytest.mark.parametrize("gunicorn", [{"CSP_REPORT_ONLY": "true"}], indirect=True)
def test_gunicorn_with_csp_report_only_sends_the_policy_as_a_report(gunicorn: int) -> None:
    response = answer(gunicorn, "/", **{"X-Forwarded-Proto": "https"})

    assert "content-security-policy" not in header_names(response)
    assert policy_parse(response.getheader("Content-Security-Policy-Report-Only") or "") == POLICY
