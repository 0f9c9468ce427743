"""Where an applied upload lands: the grid of the file's month, or the list of what it touched."""

import html
import re
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from metrics.figures.uploads import upload_periods
from people.models import Role, User
from plans.models import PlanVersion
from plans.periods import Period
from tests.factories import UserFactory
from tests.metrics.figures import test_grid
from tests.metrics.figures.test_grid import grid_cells
from tests.test_home import page_text
from tests.typed import Response

team, wang = test_grid.team, test_grid.wang  # the grid's fixtures


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    """A request in Chinese leaves its language active in this thread: the next tests are in English."""
    yield
    translation.deactivate()


HEADER = "employee,period,churn.lost,churn.total,satisfaction,new_customers,feedback.ok,feedback.total,collaboration\n"


def applied(client: Client, text: str) -> Response:
    """Upload a file, then apply its preview, following where the Apply goes."""
    preview = client.post("/figures/upload/", {"file": SimpleUploadedFile("figures.csv", text.encode())})
    found = re.search(r'name="token" value="([^"]+)"', preview.content.decode())
    assert found is not None, page_text(preview.content)
    return client.post("/figures/upload/", {"apply": "1", "token": found[1]}, follow=True)


def links(response: Response) -> list[tuple[str, str]]:
    """The list of periods: (where each links, what it says)."""
    block = response.content.decode().split('id="upload-periods"')[1].split("</ul>")[0]
    return [(html.unescape(href), text.strip()) for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>', block)]


def test_aprils_file_lands_on_aprils_grid_with_its_values(wang: Client) -> None:
    response = applied(wang, HEADER + "li.lei,2026-04,2,50,8.6,4,46,48,\n")

    assert response.redirect_chain[-1][0] == "/figures/2026-04/"
    cells = grid_cells(response.content)
    assert (cells[("li.lei", "satisfaction")]["value"], cells[("li.lei", "churn.lost")]["value"]) == ("8.6", "2")
    assert "figures.csv saved: 4 new values, 0 changed." in page_text(response.content)


def test_a_file_of_several_months_and_a_quarter_lists_them_each_a_link(wang: Client) -> None:
    wang.cookies["django_language"] = "zh-hans"
    text = HEADER + (
        "li.lei,2026-04,,,9,,,,\nli.lei,2026-03,,,8.5,,,,\nhan.mei,2026-03,,,7,,,,\nli.lei,2026-Q1,,,,,,,8\n"
    )

    response = applied(wang, text)

    # In calendar order: the first quarter after its last month, March.
    assert response.redirect_chain[-1][0] == "/figures/upload/applied/?periods=2026-03%2C2026-Q1%2C2026-04"
    assert links(response) == [
        ("/figures/2026-03/", "2026年3月"),
        ("/reviews/team/?period=2026-Q1", "2026年第1季度"),  # a quarter's ratings: the team's reviews
        ("/figures/2026-04/", "2026年4月"),
    ]
    text_shown = page_text(response.content)
    assert "figures.csv 已保存" in text_shown
    assert "文件包含 3 个期间的数据" in text_shown
    # Each link leads to that period's figures.
    march = grid_cells(wang.get("/figures/2026-03/").content)
    assert (march[("li.lei", "satisfaction")]["value"], march[("han.mei", "satisfaction")]["value"]) == ("8.5", "7")
    assert wang.get("/reviews/team/?period=2026-Q1").status_code == 200


def test_a_quarters_ratings_alone_land_where_the_quarter_is_shown(wang: Client) -> None:
    response = applied(wang, HEADER + "li.lei,2026-Q1,,,,,,,8\n")

    assert response.redirect_chain[-1][0] == "/reviews/team/?period=2026-Q1"


def test_for_hr_a_quarter_links_to_its_cycle_page(client: Client, team: PlanVersion) -> None:
    client.force_login(UserFactory.create(username="hr", role=Role.HR))

    response = applied(client, HEADER + "other.person,2026-02,,,9,,,,\nli.lei,2026-Q1,,,,,,,8\n")

    assert links(response) == [("/figures/2026-02/", "February 2026"), ("/cycles/2026-Q1/", "Q1 2026")]
    assert "quarterly ratings: the quarter's cycle page" in html.unescape(page_text(response.content))


def test_the_list_reads_only_periods_and_only_for_those_who_enter_figures(wang: Client, team: PlanVersion) -> None:
    page = wang.get("/figures/upload/applied/?periods=2026-03,2026-13")
    assert "No period to show." in page_text(page.content)

    employee = Client()
    employee.force_login(User.objects.get(username="li.lei"))
    assert employee.get("/figures/upload/applied/?periods=2026-03").status_code == 403


def test_the_periods_of_a_file_are_in_calendar_order_a_quarter_after_its_months() -> None:
    periods = upload_periods({"2026-Q1", "2026-04", "2026-03", "2025-12", "2025-Q4"})

    assert [str(period) for period in periods] == ["2025-12", "2025-Q4", "2026-03", "2026-Q1", "2026-04"]
    assert periods[0] == Period.parse("2025-12")


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_file_of_one_month_goes_to_its_grid_in_either_language(wang: Client, language: str) -> None:
    wang.cookies["django_language"] = language

    response = applied(wang, HEADER + "han.mei,2026-03,,,7,,,,\n")

    assert response.redirect_chain[-1][0] == "/figures/2026-03/"
