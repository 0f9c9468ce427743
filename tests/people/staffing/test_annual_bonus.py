"""The annual bonus (SPEC.md section 10): an optional roster column after quarterly_bonus, and a
field of the assign pages; what the year's bonus is paid at 100 %."""

from decimal import Decimal

import pytest
from django.test import Client

from people.models import Department, Role, User
from people.staffing.assignment_preview import assignment_preview
from people.staffing.roster import roster_import
from plans.models import Assignment, PlanVersion
from plans.tabular import TableError
from tests.factories import UserFactory, assign, csv_table, publish
from tests.test_home import page_text

HEADER = "employee,name,department,manager,plan,start,monthly_bonus,quarterly_bonus"


@pytest.fixture
def plan(db: None) -> PlanVersion:
    return publish()


@pytest.fixture
def hr_client(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_user(username="hr", role=Role.HR))
    return client


def test_the_roster_reads_an_annual_bonus_after_the_quarterly_one(plan: PlanVersion) -> None:
    roster_import(
        table=csv_table(
            f"{HEADER},annual_bonus\nli.lei,李雷,客户部,wang.fang,customer-manager,2026-01,2000,6000,24000.50\n"
        )
    )

    assert Assignment.objects.get(employee__username="li.lei").annual_bonus == Decimal("24000.50")


def test_without_the_column_a_new_assignment_has_no_annual_bonus(plan: PlanVersion) -> None:
    roster_import(table=csv_table(f"{HEADER}\nli.lei,李雷,客户部,wang.fang,customer-manager,2026-01,2000,6000\n"))

    assert Assignment.objects.get(employee__username="li.lei").annual_bonus == Decimal(0)


def test_an_empty_annual_bonus_keeps_the_one_there_and_a_new_one_changes_it(plan: PlanVersion) -> None:
    row = "li.lei,李雷,客户部,wang.fang,customer-manager,2026-01,2000,6000"
    roster_import(table=csv_table(f"{HEADER},annual_bonus\n{row},24000\n"))
    roster_import(table=csv_table(f"{HEADER},annual_bonus\n{row},\n"))
    assert Assignment.objects.get(employee__username="li.lei").annual_bonus == Decimal(24000)

    outcome = roster_import(table=csv_table(f"{HEADER},annual_bonus\n{row},30000\n"))

    assert outcome.assignments_updated == 1
    assert Assignment.objects.get(employee__username="li.lei").annual_bonus == Decimal(30000)


def test_a_bad_annual_bonus_is_refused_naming_its_row_and_column(plan: PlanVersion) -> None:
    with pytest.raises(TableError) as error:
        roster_import(
            table=csv_table(
                f"{HEADER},annual_bonus\nli.lei,李雷,客户部,wang.fang,customer-manager,2026-01,2000,6000,12.345\n"
            )
        )

    assert any(message.startswith("Row 2, annual_bonus:") for message in error.value.messages)
    assert not User.objects.filter(username="li.lei").exists()


def test_hr_gives_an_annual_bonus_on_the_person_page(hr_client: Client, plan: PlanVersion) -> None:
    UserFactory.create(username="li.lei", display_name="李雷")

    response = hr_client.post(
        "/people/li.lei/assign/",
        {
            "plan": plan.template.pk,
            "start": "2026-02",
            "monthly_bonus": "2100",
            "quarterly_bonus": "6300",
            "annual_bonus": "25,000",
        },
        follow=True,
    )

    assert "Plan assigned." in page_text(response.content)
    assert Assignment.objects.get(employee__username="li.lei").annual_bonus == Decimal(25000)
    page = page_text(hr_client.get("/people/li.lei/assign/").content)
    assert "Annual bonus" in page and "¥25,000.00" in page


def test_a_departments_preview_shows_the_annual_bonus_old_and_new(plan: PlanVersion) -> None:
    department = Department.objects.create(name="客户部")
    li = UserFactory.create(username="li.lei", department=department)
    assign(li, plan, start="2026-01", monthly_bonus="2000", quarterly_bonus="6000")

    preview = assignment_preview(
        employees=[li],
        version=plan,
        start="2026-01",
        monthly_bonus=Decimal(2000),
        quarterly_bonus=Decimal(6000),
        annual_bonus=Decimal(24000),
        overwrite_amounts=True,
    )

    (line,) = preview.lines
    assert (line.amounts, line.old_annual, line.annual) == ("changed", Decimal(0), Decimal(24000))


def test_the_people_list_shows_each_person_s_annual_bonus(hr_client: Client, plan: PlanVersion) -> None:
    li = UserFactory.create(username="li.lei", display_name="李雷")
    assign(li, plan, start="2026-01", annual_bonus="24000")

    text = page_text(hr_client.get("/people/").content)

    assert "Annual bonus" in text and "¥24,000.00" in text
