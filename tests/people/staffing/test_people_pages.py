"""HR's people pages: the list with its filters, and the roster upload."""

import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from people.models import Department, Role, User
from people.staffing.roster import ROSTER_COLUMNS, roster_import
from plans.models import Assignment
from tests.factories import csv_table, plan_data, publish
from tests.test_home import page_text
from tests.typed import Response

HEADER = ",".join(ROSTER_COLUMNS) + "\n"
ROSTER = HEADER + (
    "li.lei,李雷,客户一部,wang.fang,customer-manager,2026-01,2000,6000\n"
    "han.mei,韩梅梅,客户一部,wang.fang,customer-manager,2026-02,2500.50,7500\n"
    "lin.feng,林峰,客户二部,zhao.lei,service-desk,2026-01,1800,5400\n"
    "wang.fang,王芳,客户一部,,,,,\n"
    "zhao.lei,赵磊,客户二部,,,,,\n"
)


@pytest.fixture
def hr_client(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_user(username="hr", role=Role.HR, display_name="孙丽"))
    return client


@pytest.fixture
def company(db: None) -> None:
    publish()
    publish(plan_data(code="service-desk", name="客服绩效方案"))
    roster_import(table=csv_table(ROSTER))


def rows(response: Response) -> list[str]:
    """The people table's body rows as text."""
    body = response.content.decode().split("<tbody>")[1].split("</tbody>")[0]
    return [page_text(row.encode()) for row in body.split("</tr>") if row.strip()]


def username(row: str) -> str:
    """The username in a row of the people table."""
    found = re.search(r" (\S+) ", row)
    assert found is not None
    return found[1]


def upload(name: str, data: bytes) -> dict[str, SimpleUploadedFile]:
    return {"file": SimpleUploadedFile(name, data)}


# --- The list ----------------------------------------------------------------------------------


def test_the_list_shows_each_person_with_their_plan_and_bonuses(hr_client: Client, company: None) -> None:
    response = hr_client.get("/people/")

    han = next(row for row in rows(response) if "han.mei" in row)
    no_email = "No email address: cannot be invited"
    assert (
        han
        == f"韩梅梅 han.mei 客户一部 王芳 Employee 客户管理员绩效方案 1 February 2026 ¥2,500.50 ¥7,500.00 ¥0.00 {no_email} Assign"
    )
    wang = next(row for row in rows(response) if "wang.fang" in row)
    assert wang == f"王芳 wang.fang 客户一部 — Manager — — — — — — {no_email} Assign"
    assert "6 people" in page_text(response.content)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"department": "客户二部"}, ["lin.feng", "zhao.lei"]),
        ({"manager": "wang.fang"}, ["han.mei", "li.lei"]),
        ({"plan": "service-desk"}, ["lin.feng"]),
        ({"plan": "-"}, ["hr", "wang.fang", "zhao.lei"]),
        ({"department": "客户一部", "plan": "customer-manager"}, ["han.mei", "li.lei"]),
    ],
)
def test_the_list_filters_by_department_manager_and_plan(
    hr_client: Client, company: None, query: dict[str, str], expected: list[str]
) -> None:
    params: dict[str, str | int] = dict(query)
    if "department" in params:
        params["department"] = Department.objects.get(name=params["department"]).pk
    response = hr_client.get("/people/", params)

    assert sorted(username(row) for row in rows(response)) == expected


def test_the_plan_filter_follows_the_latest_assignment(hr_client: Client, company: None) -> None:
    li = User.objects.get(username="li.lei")
    Assignment.objects.create(
        employee=li, version=Assignment.objects.get(employee__username="lin.feng").version, start="2026-05"
    )

    names = [row.split()[1] for row in rows(hr_client.get("/people/", {"plan": "service-desk"}))]

    assert names == ["li.lei", "lin.feng"]


def test_the_filters_are_labelled_and_keep_their_values(hr_client: Client, company: None) -> None:
    department = Department.objects.get(name="客户二部")

    query: dict[str, str | int] = {"department": department.pk, "manager": "zhao.lei"}
    html = hr_client.get("/people/", query).content.decode()

    for field in ("department", "manager", "plan"):
        assert f'<label class="form-label" for="id_{field}">' in html
    for field in ("department", "plan"):
        assert f'<select name="{field}" class="form-select" id="id_{field}">' in html
    assert f'<option value="{department.pk}" selected>客户二部</option>' in html
    # The manager is typed: a select of every manager would grow with the company.
    assert re.search(r'<input type="text" name="manager" value="zhao.lei"[^>]*id="id_manager"', html)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"manager": "nobody"}, "Nobody called “nobody” manages anyone."),
        ({"manager": "li.lei"}, "Nobody called “li.lei” manages anyone."),
        ({"manager": "²"}, "Nobody called “²” manages anyone."),
        ({"department": "abc"}, "Select a valid choice."),
        ({"department": "99999999999999999999999"}, "Select a valid choice."),
        ({"plan": "nope"}, "Select a valid choice. nope is not one of the available choices."),
    ],
)
def test_a_filter_that_matches_nothing_says_why_and_lists_nobody(
    hr_client: Client, company: None, query: dict[str, str], message: str
) -> None:
    response = hr_client.get("/people/", query)

    text = page_text(response.content)
    assert response.status_code == 200
    assert message in text
    assert "0 people" in text and "Nobody matches these filters." in text


def test_the_list_is_paginated_and_keeps_the_filters(hr_client: Client, company: None) -> None:
    department = Department.objects.get(name="客户一部")
    User.objects.bulk_create(User(username=f"p{n:02d}", department=department) for n in range(30))

    first = hr_client.get("/people/", {"department": department.pk})
    second = hr_client.get("/people/", {"department": department.pk, "page": 2})

    assert len(rows(first)) == 25 and len(rows(second)) == 8
    assert f'href="?department={department.pk}&amp;page=2"' in first.content.decode()
    assert "Page 2 of 2" in page_text(second.content)


def test_the_lists_query_count_does_not_grow_with_the_people(hr_client: Client, company: None) -> None:
    assignment = Assignment.objects.first()
    assert assignment is not None
    version = assignment.version
    department = Department.objects.get(name="客户一部")
    boss = User.objects.get(username="wang.fang")

    def queries_with(count: int) -> int:
        """The list's queries once ``count`` more people, each on a plan, are there."""
        added = User.objects.count()
        people = User.objects.bulk_create(
            User(username=f"extra{added + n:03d}", display_name=f"员工{n}", department=department, manager=boss)
            for n in range(count)
        )
        Assignment.objects.bulk_create(Assignment(employee=p, version=version, start="2026-03") for p in people)
        with CaptureQueriesContext(connection) as context:
            response = hr_client.get("/people/", {"manager": boss.username})
        assert response.status_code == 200 and len(rows(response)) == min(User.objects.filter(manager=boss).count(), 25)
        return len(context.captured_queries)

    assert queries_with(5) == queries_with(45)  # 7 people on the page, then 25 of 52


# --- The roster upload -------------------------------------------------------------------------


def test_hr_uploads_a_csv_roster_and_reads_what_changed(hr_client: Client, db: None) -> None:
    publish()

    response = hr_client.post(
        "/people/roster/",
        upload(
            "roster.csv",
            ROSTER.replace(",service-desk,", ",,").replace(",2026-01,1800,5400", ",,,").encode("utf-8-sig"),
        ),
        follow=True,
    )

    assert response.redirect_chain == [("/people/", 302)]
    assert "Roster imported. People: 5 new, 0 updated. Assignments: 2 new, 0 updated." in page_text(response.content)
    manager = User.objects.get(username="han.mei").manager
    assert manager is not None
    assert manager.username == "wang.fang"


def test_hr_uploads_an_excel_roster(hr_client: Client, db: None) -> None:
    publish()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(ROSTER_COLUMNS)
    sheet.append(["li.lei", "李雷", "客户一部", "wang.fang", "customer-manager", "2026-01", 2000, 6000])
    data = io.BytesIO()
    workbook.save(data)

    response = hr_client.post("/people/roster/", upload("roster.xlsx", data.getvalue()), follow=True)

    assert "People: 2 new, 0 updated. Assignments: 1 new, 0 updated." in page_text(response.content)
    assert Assignment.objects.get().employee.display_name == "李雷"


def test_every_bad_row_is_listed_with_its_number_and_nothing_is_saved(hr_client: Client, db: None) -> None:
    publish()
    text = HEADER + (
        "li.lei,李雷,客户一部,wang.fang,customer-manager,2026-01,2000,6000\n"
        "han.mei,韩梅梅,客户一部,wang.fang,no-such-plan,2026-02,2000,6000\n"
        "lucy,露西,客户一部,wang.fang,customer-manager,2026-14,2000,6000\n"
    )

    response = hr_client.post("/people/roster/", upload("roster.csv", text.encode()))

    assert response.status_code == 200
    shown = page_text(response.content)
    assert "The roster was not imported, nothing was saved: 2 problems to fix." in shown
    assert "Row 3, plan: no published plan has the code “no-such-plan”" in shown
    assert "Row 4, start: “2026-14” is not a month like 2026-01" in shown
    assert User.objects.count() == 1  # HR only


def test_a_file_of_another_kind_is_refused_next_to_the_field(hr_client: Client, db: None) -> None:
    response = hr_client.post("/people/roster/", upload("roster.pdf", b"%PDF"))

    assert response.context["form"].errors["file"] == ["Choose a .csv or .xlsx file."]


def test_a_broken_workbook_says_so(hr_client: Client, db: None) -> None:
    response = hr_client.post("/people/roster/", upload("roster.xlsx", b"not a workbook"))

    assert "The file is not an Excel workbook (.xlsx)" in page_text(response.content)


def test_the_upload_page_has_a_labelled_file_field_and_the_template_link(hr_client: Client, db: None) -> None:
    html = hr_client.get("/people/roster/").content.decode()

    assert re.search(r'<label\s+for="id_file"[^>]*>\s*Roster file', html)
    assert 'accept=".csv,.xlsx"' in html
    assert 'href="/people/roster/template.csv"' in html


def test_the_roster_template_is_a_csv_with_the_header(hr_client: Client, db: None) -> None:
    response = hr_client.get("/people/roster/template.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="roster.csv"' in response["Content-Disposition"]
    assert csv_table(response.content.decode("utf-8")).header == ROSTER_COLUMNS
