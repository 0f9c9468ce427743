"""Each role sees its own navigation, and the HR-only people pages refuse everybody else."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from people.models import Role, User

# The links of each role's menu bar, in order, and those under the person's name (with "Change
# password"): HR and admins have their own pages in a bar that fits one line, employees theirs.
MENU = {
    Role.HR: ["/people/", "/figures/", "/plans/", "/cycles/", "/reviews/hr/", "/dashboard/"],
    Role.ADMIN: ["/people/", "/figures/", "/plans/", "/cycles/", "/reviews/hr/", "/dashboard/"],
    Role.MANAGER: ["/figures/", "/reviews/team/"],
    Role.EMPLOYEE: ["/scores/", "/reviews/", "/reviews/feedback/"],
}
MORE = {
    Role.HR: ["/accounts/audit/", "/api/tokens/", "/webhooks/"],
    Role.ADMIN: ["/accounts/audit/", "/api/tokens/", "/webhooks/", "/accounts/lockouts/"],
    Role.MANAGER: [],
    Role.EMPLOYEE: [],
}
OWN = {
    Role.HR: ["/scores/", "/reviews/", "/reviews/feedback/", "/accounts/password/change/"],
    Role.ADMIN: ["/scores/", "/reviews/", "/reviews/feedback/", "/accounts/password/change/"],
    Role.MANAGER: ["/scores/", "/reviews/", "/reviews/feedback/", "/accounts/password/change/"],
    Role.EMPLOYEE: ["/accounts/password/change/"],
}


def menu_part(html: str, start: str) -> str:
    """The HTML of one list of the menu, from its opening tag to its own closing tag."""
    part = html.split(start, 1)[1]
    depth, index = 1, 0
    for tag in re.finditer(r"<(/?)ul\b", part):
        depth += -1 if tag[1] else 1
        if depth == 0:
            index = tag.start()
            break
    return part[:index]


def nav_links(html: str) -> list[str]:
    """The links of the role menu bar (not the brand, a dropdown's items or the person's menu)."""
    return re.findall(r'<a class="nav-link[^"]*" href="([^"]+)"', menu_part(html, 'id="menu-main">'))


def dropdown_links(html: str, labelled_by: str) -> list[str]:
    items = menu_part(html, f'aria-labelledby="{labelled_by}">')
    return re.findall(r'<a class="dropdown-item[^"]*" href="([^"]+)"', items)


def signed_in(role: Role) -> Client:
    client = Client()
    client.force_login(User.objects.create_user(username=f"someone-{role}", role=role))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(MENU))
def test_the_home_page_shows_each_role_its_own_links(role: Role) -> None:
    html = signed_in(role).get("/").content.decode()

    assert nav_links(html) == MENU[role]
    assert ('id="menu-more"' in html) == bool(MORE[role])
    if MORE[role]:
        assert dropdown_links(html, "menu-more") == MORE[role]
    assert dropdown_links(html, "menu-user") == OWN[role]
    assert "Log out" in menu_part(html, 'aria-labelledby="menu-user">')


@pytest.mark.django_db
def test_hr_reads_people_in_the_menu_in_both_languages() -> None:
    client = signed_in(Role.HR)

    english = client.get("/", headers={"accept-language": "en"}).content.decode()
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get("/").content.decode()

    assert '<a class="nav-link" href="/people/">People</a>' in english
    assert '<a class="nav-link" href="/people/">人员</a>' in chinese
    assert '<a class="nav-link" href="/dashboard/">看板</a>' in chinese


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "address", "current"),
    [
        (Role.HR, "/people/", "/people/"),
        (Role.HR, "/people/roster/", "/people/"),  # a page under People is in People
        (Role.HR, "/dashboard/", "/dashboard/"),
        (Role.HR, "/reviews/hr/", "/reviews/hr/"),
        (Role.HR, "/reviews/feedback/", "/reviews/feedback/"),  # HR's own, under their name
        (Role.HR, "/api/tokens/", "/api/tokens/"),  # in More, which is marked too
        (Role.EMPLOYEE, "/reviews/", "/reviews/"),
        (Role.EMPLOYEE, "/reviews/feedback/", "/reviews/feedback/"),  # not My reviews as well
        (Role.EMPLOYEE, "/accounts/password/change/", "/accounts/password/change/"),
    ],
)
def test_the_menu_marks_the_page_being_read_and_only_it(role: Role, address: str, current: str) -> None:
    menu = signed_in(role).get(address).content.decode().split("</nav>", 1)[0]  # the page's own tabs aside

    marked = re.findall(r'<a class="(?:nav-link|dropdown-item) active" href="([^"]+)" aria-current="page"', menu)
    assert marked == [current]
    assert menu.count('aria-current="page"') == 1
    assert ('<button class="nav-link dropdown-toggle active"' in menu) == (current == "/api/tokens/")


@pytest.mark.django_db
def test_the_home_page_marks_no_menu_link() -> None:
    html = signed_in(Role.HR).get("/").content.decode()

    assert " active" not in menu_part(html, 'id="menu-main">')


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
