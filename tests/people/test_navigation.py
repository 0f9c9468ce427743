"""Each role sees its own navigation, and the HR-only people pages refuse everybody else."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from people.models import Role, User

# Which of the navigation files each role's menu is made of (base.html includes them).
NAV_FILES = {
    Role.HR: ["hr", "everybody"],
    Role.MANAGER: ["manager", "everybody"],
    Role.ADMIN: ["hr", "admin", "everybody"],
    Role.EMPLOYEE: ["everybody"],
}


def nav_links(html: str) -> list[str]:
    """The links of the role menu (not the brand, language or sign-out), in page order."""
    menu = html.split('<ul class="navbar-nav me-auto">', 1)[1].split("</ul>", 1)[0] if "navbar-nav" in html else html
    return re.findall(r'<a class="nav-link[^"]*" href="([^"]+)"', menu)


def file_links(name: str) -> list[str]:
    return nav_links(render_to_string(f"nav/{name}.html"))


def signed_in(role: Role) -> Client:
    client = Client()
    client.force_login(User.objects.create_user(username=f"someone-{role}", role=role))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(NAV_FILES))
def test_the_home_page_shows_each_role_its_own_links(role: Role) -> None:
    html = signed_in(role).get("/").content.decode()

    shown = nav_links(html)

    assert shown == [link for name in NAV_FILES[role] for link in file_links(name)]
    assert ("/people/" in shown) == (role in (Role.HR, Role.ADMIN))


@pytest.mark.django_db
def test_hr_reads_people_in_the_menu_in_both_languages() -> None:
    client = signed_in(Role.HR)

    english = client.get("/", headers={"accept-language": "en"}).content.decode()
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get("/").content.decode()

    assert '<a class="nav-link" href="/people/">People</a>' in english
    assert '<a class="nav-link" href="/people/">' in chinese


HR_ONLY: list[tuple[str, dict[str, str]]] = [
    ("people:list", {}),
    ("people:roster_upload", {}),
    ("people:roster_template", {}),
    ("people:department_assign", {}),
    ("people:person_assign", {"username": "li.lei"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("role", [Role.MANAGER, Role.EMPLOYEE])
@pytest.mark.parametrize(("name", "kwargs"), HR_ONLY, ids=[name for name, _ in HR_ONLY])
def test_the_people_pages_are_forbidden_to_managers_and_employees(
    name: str, kwargs: dict[str, str], role: Role, method: str
) -> None:
    User.objects.create_user(username="li.lei")
    client = signed_in(role)

    response = getattr(client, method)(reverse(name, kwargs=kwargs))

    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), HR_ONLY, ids=[name for name, _ in HR_ONLY])
def test_the_people_pages_open_for_hr_and_admins_and_ask_others_to_sign_in(
    name: str, kwargs: dict[str, str], client: Client
) -> None:
    User.objects.create_user(username="li.lei")
    url = reverse(name, kwargs=kwargs)

    assert client.get(url).status_code == 302  # to the login page
    assert signed_in(Role.HR).get(url).status_code == 200
    assert signed_in(Role.ADMIN).get(url).status_code == 200
