"""The error pages (400, 403, 404, 500): styled as every page, in the reader's language, a way home.

400, 403 and 404 keep the menu (Django renders them with the request); 500 is rendered with no
context at all (what failed may be the database a context processor reads), so it may show no
menu, but it still has the styles, the page's language and the link home.
"""

import re

import pytest
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.test import Client
from django.urls import path
from django.utils import translation
from pytest_django import Settings

import config.urls
from people.models import Role, User


def broken(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug")


def unreadable(request: HttpRequest) -> HttpResponse:
    raise BadRequest("no")


# The product's pages and two that fail, for `pytest.mark.urls(__name__)`.
urlpatterns = [path("broken/", broken), path("unreadable/", unreadable), *config.urls.urlpatterns]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

TEXTS = {
    ("400", "en"): ("This request cannot be read", "Back to the home page"),
    ("400", "zh-hans"): ("无法读取此请求", "返回首页"),
    ("403", "en"): ("You cannot open this page", "Back to the home page"),
    ("403", "zh-hans"): ("您无权打开此页面", "返回首页"),
    ("404", "en"): ("Page not found", "Back to the home page"),
    ("404", "zh-hans"): ("页面不存在", "返回首页"),
    ("500", "en"): ("Something went wrong", "Back to the home page"),
    ("500", "zh-hans"): ("出错了", "返回首页"),
}
ADDRESSES = {"400": "/unreadable/", "403": "/people/", "404": "/no-such-page/", "500": "/broken/"}


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture(autouse=True)
def _production_errors(settings: Settings) -> None:
    settings.DEBUG = False


def signed_in(role: Role, language: str) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.create_user(username=f"someone-{role}", role=role, display_name="李雷"))
    client.cookies["django_language"] = language
    return client


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("status", ["400", "403", "404", "500"])
def test_an_error_page_says_what_happened_in_the_readers_language_with_its_styles_and_a_way_home(
    status: str, language: str
) -> None:
    response = signed_in(Role.EMPLOYEE, language).get(ADDRESSES[status])

    assert response.status_code == int(status)
    html = response.content.decode()
    heading, home = TEXTS[(status, language)]
    assert f'<h1 class="h3" id="error-heading">{heading}</h1>' in html
    assert f'<html lang="{language}">' in html
    assert re.search(rf'<a class="btn btn-primary" href="/">{home}</a>', html)
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html and "/static/css/app.css" in html
    other = "zh-hans" if language == "en" else "en"
    assert TEXTS[(status, other)][0] not in text_of(html)


@pytest.mark.parametrize("status", ["400", "403", "404"])
def test_an_error_page_keeps_the_readers_menu(status: str) -> None:
    html = signed_in(Role.EMPLOYEE, "en").get(ADDRESSES[status]).content.decode()

    assert 'id="menu-main"' in html
    assert '<a class="nav-link" href="/scores/">My scores</a>' in html
    assert "Log out" in html


def test_the_500_page_needs_nothing_but_its_template() -> None:
    """Rendered as Django's server_error renders it: no request, no context processor."""
    with translation.override("zh-hans"):
        html = loader.get_template("500.html").render()

    assert "出错了" in html and '<html lang="zh-hans">' in html
    assert "/static/css/app.css" in html and 'href="/"' in html
    assert 'id="menu-main"' not in html  # nobody is known to be signed in


def test_an_anonymous_reader_of_a_missing_page_gets_the_page_too() -> None:
    response = Client().get("/no-such-page/", headers={"accept-language": "en"})

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
