"""Each page a value enters through, with what people really type and send (SPEC.md section 7):
full-width digits from a Chinese input method, a file saved by Excel on a Chinese Windows
(GB18030), a value past the limits (1e12), NaN, an empty cell. One test a path: the value is
read the same everywhere, and a refusal says where and saves nothing."""

import json
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from metrics.figures.models import MetricEntry
from people.models import Role, User
from plans.models import Assignment
from tests.factories import UserFactory, assign, publish
from tests.typed import Response

HEADER = "employee,period,satisfaction,new_customers\r\n"


def page_text(response: Response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def satisfaction() -> Decimal | None:
    entry = MetricEntry.objects.filter(indicator__code="satisfaction", period="2026-02").first()
    return entry.value if entry else None


@pytest.fixture
def wang(db: None) -> Client:
    version = publish()
    manager = UserFactory.create(username="wang.fang", role=Role.MANAGER)
    assign(UserFactory.create(username="li.lei", display_name="李雷", manager=manager), version, "2026-01")
    client = Client()
    client.force_login(manager)
    return client


def grid_save(client: Client, value: str) -> Response:
    change = {"employee": "li.lei", "column": "satisfaction", "value": value, "loaded": ""}
    return client.post("/figures/2026-02/", {"changes": json.dumps([change])})


@pytest.mark.parametrize(
    ("typed", "message"),
    [("1e12", "“1e12” is too large"), ("NaN", "“NaN” is not a number"), ("8,6", "“8,6” is not a number")],
)
def test_the_grid_reads_full_width_digits_and_refuses_the_rest_in_the_cell(
    wang: Client, typed: str, message: str
) -> None:
    assert grid_save(wang, "９．５").status_code == 302
    assert satisfaction() == Decimal("9.5")

    response = grid_save(wang, typed)

    assert message in page_text(response)
    assert satisfaction() == Decimal("9.5")


def test_an_upload_saved_by_excel_on_a_chinese_windows_reads_and_an_empty_cell_keeps_the_value(wang: Client) -> None:
    grid_save(wang, "8")
    content = (HEADER + "li.lei,2026-02,９．５,\r\n").encode("gb18030")

    preview = wang.post("/figures/upload/", {"file": SimpleUploadedFile("团队数据.csv", content)})
    found = re.search(r'name="token" value="([^"]+)"', preview.content.decode())
    assert found is not None
    wang.post("/figures/upload/", {"apply": "1", "token": found[1]})

    assert satisfaction() == Decimal("9.5")
    assert not MetricEntry.objects.filter(indicator__code="new_customers").exists()  # the empty cell


@pytest.mark.parametrize(("cell", "message"), [("1e12", "is too large"), ("NaN", "is not a number")])
def test_an_upload_with_a_value_past_the_limits_names_its_row_and_saves_nothing(
    wang: Client, cell: str, message: str
) -> None:
    content = (HEADER + f"li.lei,2026-02,{cell},3\r\n").encode("gb18030")

    response = wang.post("/figures/upload/", {"file": SimpleUploadedFile("团队数据.csv", content)})

    assert f"Row 2, satisfaction: “{cell}” {message}" in page_text(response)
    assert not MetricEntry.objects.exists()


@pytest.fixture
def hr(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_user(username="hr", role=Role.HR))
    return client


def test_the_roster_page_reads_a_gb18030_file_with_full_width_amounts(hr: Client) -> None:
    publish()
    content = (
        "employee,name,department,manager,plan,start,monthly_bonus,quarterly_bonus\r\n"
        "li.lei,李雷,客户部,,customer-manager,2026-01,２０００．５,\r\n"
    ).encode("gb18030")

    hr.post("/people/roster/", {"file": SimpleUploadedFile("花名册.csv", content)})

    li = User.objects.get(username="li.lei")
    assignment = Assignment.objects.get(employee=li)
    assert (li.display_name, assignment.monthly_bonus, assignment.quarterly_bonus) == (
        "李雷",
        Decimal("2000.5"),
        Decimal(0),
    )


@pytest.mark.parametrize(("typed", "message"), [("1e12", "is too large"), ("NaN", "is not a number")])
def test_the_assign_page_reads_full_width_amounts_and_refuses_the_rest_on_the_field(
    hr: Client, typed: str, message: str
) -> None:
    plan = publish()
    UserFactory.create(username="li.lei")
    post = {"plan": plan.template.pk, "start": "2026-02", "quarterly_bonus": "0"}

    hr.post("/people/li.lei/assign/", {**post, "monthly_bonus": "２１００．５"})
    assert Assignment.objects.get().monthly_bonus == Decimal("2100.5")

    response = hr.post("/people/li.lei/assign/", {**post, "monthly_bonus": typed})

    assert f"“{typed}” {message}" in page_text(response)
    assert Assignment.objects.get().monthly_bonus == Decimal("2100.5")
