"""Assigning plans to a person or a whole department: the roster's rules, from a page."""

import re
from collections.abc import Iterable
from decimal import Decimal

import pytest
from django.test import Client

from metrics.cycles.models import Cycle, CycleStatus
from metrics.figures.services import metrics_import
from people.models import Department, Role, User
from people.staffing.assignments import AssignmentOutcome, AssignmentRefused, assignment_set
from people.staffing.roster import roster_import
from plans.models import Assignment, PlanVersion, VersionStatus
from plans.tabular import TableError
from tests.factories import DepartmentFactory, UserFactory, assign, csv_table, plan_data, publish
from tests.test_home import page_text
from tests.typed import Response

OTHER_PLAN = plan_data(code="service-desk", name="客服绩效方案")


@pytest.fixture
def plan(db: None) -> PlanVersion:
    return publish()


@pytest.fixture
def other_plan(db: None) -> PlanVersion:
    return publish(OTHER_PLAN)


@pytest.fixture
def hr_client(db: None) -> Client:
    client = Client()
    client.force_login(User.objects.create_user(username="hr", role=Role.HR))
    return client


def set_plan(
    employees: Iterable[User],
    version: PlanVersion,
    start: str = "2026-02",
    monthly: str = "2000",
    quarterly: str = "6000",
) -> AssignmentOutcome:
    return assignment_set(
        employees=employees,
        version=version,
        start=start,
        monthly_bonus=Decimal(monthly),
        quarterly_bonus=Decimal(quarterly),
    )


def test_it_assigns_a_person_from_a_month_with_their_bonuses(plan: PlanVersion) -> None:
    li = UserFactory.create(username="li.lei")

    outcome = set_plan([li], plan, start="2026-03", monthly="2500.50", quarterly="7000")

    assignment = Assignment.objects.get(employee=li)
    assert (assignment.version, assignment.start, assignment.monthly_bonus, assignment.quarterly_bonus) == (
        plan,
        "2026-03",
        Decimal("2500.50"),
        Decimal("7000"),
    )
    assert (outcome.created, outcome.updated, outcome.unchanged) == (1, 0, 0)


def test_the_same_first_month_updates_the_assignment_instead_of_adding_one(
    plan: PlanVersion, other_plan: PlanVersion
) -> None:
    li = UserFactory.create(username="li.lei")
    set_plan([li], plan)

    outcome = set_plan([li], other_plan, monthly="3000")

    assignment = Assignment.objects.get(employee=li)
    assert (assignment.version, assignment.monthly_bonus) == (other_plan, Decimal("3000"))
    assert (outcome.created, outcome.updated) == (0, 1)
    assert set_plan([li], other_plan, monthly="3000").unchanged == 1


def test_a_new_first_month_keeps_the_earlier_assignment(plan: PlanVersion, other_plan: PlanVersion) -> None:
    li = UserFactory.create(username="li.lei")
    set_plan([li], plan, start="2026-01")

    set_plan([li], other_plan, start="2026-04")

    assert list(Assignment.objects.filter(employee=li).values_list("start", "version")) == [
        ("2026-01", plan.pk),
        ("2026-04", other_plan.pk),
    ]


def test_a_new_assignment_cannot_start_in_a_closed_month_and_it_is_said_once(plan: PlanVersion) -> None:
    Cycle.objects.create(period="2026-02", status=CycleStatus.CLOSED)
    people = [UserFactory.create(), UserFactory.create()]

    with pytest.raises(AssignmentRefused) as refused:
        set_plan(people, plan, start="2026-01")

    assert refused.value.messages == ["February 2026 is closed: a new assignment must start in an open month"]
    assert not Assignment.objects.exists()


def test_changing_the_plan_of_an_assignment_with_figures_needs_a_new_first_month(
    plan: PlanVersion, other_plan: PlanVersion
) -> None:
    roster_import(
        table=csv_table(
            "employee,name,department,manager,plan,start,monthly_bonus,quarterly_bonus\n"
            "li.lei,李雷,客户部,wang.fang,customer-manager,2026-01,2000,6000\n"
        )
    )
    metrics_import(table=csv_table("employee,period,satisfaction\nli.lei,2026-01,8.6\n"))
    li = User.objects.get(username="li.lei")

    with pytest.raises(AssignmentRefused) as refused:
        set_plan([li], other_plan, start="2026-01")

    assert refused.value.messages == [
        "li.lei already has figures on plan “customer-manager” from 2026-01: give a new first month to change the plan"
    ]
    set_plan([li], other_plan, start="2026-02")
    assert Assignment.objects.filter(employee=li).count() == 2


def test_a_refusal_for_one_person_assigns_nobody(plan: PlanVersion, other_plan: PlanVersion) -> None:
    li, han = UserFactory.create(username="li.lei"), UserFactory.create(username="han.mei")
    assign(li, plan, start="2026-01")
    metrics_import(table=csv_table("employee,period,satisfaction\nli.lei,2026-01,8.6\n"))

    with pytest.raises(AssignmentRefused):
        set_plan([han, li], other_plan, start="2026-01")

    assert not Assignment.objects.filter(employee=han).exists()


def test_a_draft_version_and_a_bad_month_are_refused(plan: PlanVersion) -> None:
    draft = PlanVersion.objects.create(template=plan.template, number=9, name="draft", status=VersionStatus.DRAFT)

    with pytest.raises(AssignmentRefused) as refused:
        set_plan([UserFactory.create()], draft, start="2026-13")

    assert refused.value.messages == [
        "Only a published plan can be assigned.",
        "“2026-13” is not a month like 2026-01",
    ]


def test_the_roster_and_the_pages_refuse_the_same_closed_month(plan: PlanVersion) -> None:
    """One rule for both: the roster says it per row, the page once."""
    Cycle.objects.create(period="2026-01", status=CycleStatus.CLOSED)
    with pytest.raises(TableError) as roster_error:
        roster_import(
            table=csv_table(
                "employee,name,department,manager,plan,start,monthly_bonus,quarterly_bonus\n"
                "li.lei,李雷,客户部,,customer-manager,2026-01,2000,6000\n"
            )
        )
    with pytest.raises(AssignmentRefused) as page_error:
        set_plan([UserFactory.create(username="li.lei")], plan, start="2026-01")

    assert roster_error.value.messages == ["Row 2, start: " + page_error.value.messages[0]]


# --- The pages ---------------------------------------------------------------------------------


def test_hr_assigns_a_person_from_the_page(hr_client: Client, plan: PlanVersion) -> None:
    UserFactory.create(username="li.lei", display_name="李雷")

    page = hr_client.get("/people/li.lei/assign/")
    assert "Assign a plan to 李雷" in page_text(page.content)

    response = hr_client.post(
        "/people/li.lei/assign/",
        {"plan": plan.template.pk, "start": "2026-02", "monthly_bonus": "2100", "quarterly_bonus": "6300"},
        follow=True,
    )

    assert "Plan assigned. New assignments: 1, changed: 0, unchanged: 0." in page_text(response.content)
    assignment = Assignment.objects.get(employee__username="li.lei")
    assert (assignment.start, assignment.monthly_bonus) == ("2026-02", Decimal("2100"))


def test_the_person_page_starts_from_the_first_open_month_and_the_current_bonuses(
    hr_client: Client, plan: PlanVersion
) -> None:
    li = UserFactory.create(username="li.lei")
    assign(li, plan, start="2026-01", monthly_bonus="2500", quarterly_bonus="7500")
    Cycle.objects.create(period="2026-01", status=CycleStatus.CLOSED)

    form = hr_client.get("/people/li.lei/assign/").context["form"]

    assert (form["start"].value(), form["monthly_bonus"].value(), form["plan"].value()) == (
        "2026-02",
        Decimal("2500"),
        plan.template.pk,
    )


def test_the_page_shows_the_refusal_and_saves_nothing(hr_client: Client, plan: PlanVersion) -> None:
    UserFactory.create(username="li.lei")
    Cycle.objects.create(period="2026-01", status=CycleStatus.CLOSED)

    response = hr_client.post(
        "/people/li.lei/assign/",
        {"plan": plan.template.pk, "start": "2026-01", "monthly_bonus": "0", "quarterly_bonus": "0"},
    )

    assert response.status_code == 200
    assert "January 2026 is closed: a new assignment must start in an open month" in page_text(response.content)
    assert not Assignment.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("start", "2026-13", "“2026-13” is not a month like 2026-01"),
        ("start", "2026-Q1", "“2026-Q1” is not a month like 2026-01"),
        ("start", "1999-12", "“1999-12” is outside 2000-01 to 2100-12"),
        ("start", "", "This field is required."),
        ("monthly_bonus", "-5", "“-5” is below the minimum of 0"),
        ("monthly_bonus", "1.234", "“1.234” has more than 2 decimals: give at most 2, nothing is rounded"),
        (
            "monthly_bonus",
            "1e9",
            "“1e9” is too large: a number must lie between −1,000,000,000 and 1,000,000,000",
        ),
        ("quarterly_bonus", "lots", "“lots” is not a number"),
        ("quarterly_bonus", "", "This field is required."),
        ("plan", "", "This field is required."),
    ],
)
def test_bad_input_is_named_next_to_its_field(
    hr_client: Client, plan: PlanVersion, field: str, value: str, message: str
) -> None:
    UserFactory.create(username="li.lei")
    data = {"plan": plan.template.pk, "start": "2026-02", "monthly_bonus": "0", "quarterly_bonus": "0", field: value}

    response = hr_client.post("/people/li.lei/assign/", data)

    assert response.context["form"].errors[field] == [message]
    assert not Assignment.objects.exists()


def test_hr_assigns_a_department_employees_but_not_its_manager(hr_client: Client, plan: PlanVersion) -> None:
    sales, service = DepartmentFactory.create(name="客户一部"), DepartmentFactory.create(name="客户二部")
    boss = UserFactory.create(username="wang.fang", role=Role.MANAGER, department=sales)
    team = [UserFactory.create(username=f"p{n}", department=sales, manager=boss) for n in range(3)]
    UserFactory.create(username="elsewhere", department=service)
    data = {
        "department": sales.pk,
        "plan": plan.template.pk,
        "start": "2026-03",
        "monthly_bonus": "1800",
        "quarterly_bonus": "5400",
    }

    preview = hr_client.post("/people/assign/", data)
    assert "Preview: nothing is saved until you confirm" in page_text(preview.content)
    assert not Assignment.objects.exists()
    response = hr_client.post("/people/assign/", {"confirm": "1", "token": preview_token(preview)})

    assert response.status_code == 302 and response["Location"] == f"/people/?department={sales.pk}"
    assert sorted(Assignment.objects.values_list("employee__username", flat=True)) == [p.username for p in team]
    assert set(Assignment.objects.values_list("start", "quarterly_bonus")) == {("2026-03", Decimal("5400"))}


def test_a_department_with_nobody_to_assign_says_so(hr_client: Client, plan: PlanVersion) -> None:
    empty = DepartmentFactory.create(name="空部门")

    response = hr_client.post(
        "/people/assign/",
        {
            "department": empty.pk,
            "plan": plan.template.pk,
            "start": "2026-03",
            "monthly_bonus": 0,
            "quarterly_bonus": 0,
        },
    )

    assert "There is nobody to assign." in page_text(response.content)


def test_an_unknown_person_is_404(hr_client: Client, plan: PlanVersion) -> None:
    assert hr_client.get("/people/nobody/assign/").status_code == 404


def test_the_first_month_is_a_month_picker(hr_client: Client, plan: PlanVersion) -> None:
    UserFactory.create(username="li.lei")

    page = hr_client.get("/people/li.lei/assign/").content.decode()

    assert 'type="month"' in page and 'name="start"' in page and 'min="2000-01"' in page
    department_page = hr_client.get("/people/assign/").content.decode()
    assert 'type="month"' in department_page and 'name="start"' in department_page
    assert "Overwrite everyone&#x27;s amounts" in department_page
    assert "Unticked, people who already have bonus amounts keep their own" in department_page


@pytest.mark.parametrize(
    ("typed", "month"), [("2026/3", "2026-03"), ("２０２６－０３", "2026-03"), ("2026年3月", "2026-03")]
)
def test_a_month_typed_where_the_browser_has_no_picker_is_read(
    hr_client: Client, plan: PlanVersion, typed: str, month: str
) -> None:
    UserFactory.create(username="li.lei")

    hr_client.post(
        "/people/li.lei/assign/",
        {"plan": plan.template.pk, "start": typed, "monthly_bonus": "２,５００.５", "quarterly_bonus": "0"},
    )

    assert Assignment.objects.get(employee__username="li.lei").start == month
    assert Assignment.objects.get().monthly_bonus == Decimal("2500.5")


def test_new_amounts_over_closed_months_apply_from_the_first_open_month_and_the_page_says_so(
    hr_client: Client, plan: PlanVersion
) -> None:
    li = UserFactory.create(username="li.lei")
    assign(li, plan, start="2026-01", monthly_bonus="2000", quarterly_bonus="6000")
    for month in ("2026-01", "2026-02", "2026-03"):
        Cycle.objects.create(period=month, status=CycleStatus.CLOSED)

    response = hr_client.post(
        "/people/li.lei/assign/",
        {"plan": plan.template.pk, "start": "2026-01", "monthly_bonus": "2500", "quarterly_bonus": "6000"},
        follow=True,
    )

    text = page_text(response.content)
    assert "Plan assigned. New assignments: 1, changed: 0, unchanged: 0." in text
    assert "li.lei: new bonus amounts apply from April 2026; January 2026..March 2026 are closed" in text
    assert list(Assignment.objects.filter(employee=li).values_list("start", "monthly_bonus")) == [
        ("2026-01", Decimal("2000")),
        ("2026-04", Decimal("2500")),
    ]


def test_the_same_rule_holds_for_the_service_behind_the_pages(plan: PlanVersion, other_plan: PlanVersion) -> None:
    li = UserFactory.create(username="li.lei")
    assign(li, plan, start="2026-01")
    Cycle.objects.create(period="2026-01", status=CycleStatus.CLOSED)

    outcome = set_plan([li], other_plan, start="2026-01", monthly="2000", quarterly="6000")

    assert outcome.notes == ["li.lei: the new plan applies from February 2026; January 2026 is closed"]
    assert list(Assignment.objects.filter(employee=li).values_list("start", "version")) == [
        ("2026-01", plan.pk),
        ("2026-02", other_plan.pk),
    ]


def preview_token(preview: Response) -> str:
    """The preview's own token, as its Confirm button posts it."""
    found = re.search(r'name="token" value="([^"]+)"', preview.content.decode())
    assert found is not None
    return found[1]


def department_post(client: Client, department: Department, plan: PlanVersion, **changes: str) -> Response:
    """Preview a department's assignment, then confirm it when the preview allows it."""
    data = {
        "department": department.pk,
        "plan": plan.template.pk,
        "start": "2026-03",
        "monthly_bonus": "1800",
        "quarterly_bonus": "5400",
    } | changes
    preview = client.post("/people/assign/", data)
    if 'name="confirm"' not in preview.content.decode():
        return preview
    return client.post("/people/assign/", {"confirm": "1", "token": preview_token(preview)}, follow=True)


def test_assigning_a_department_keeps_senior_staffs_own_amounts(hr_client: Client, plan: PlanVersion) -> None:
    sales = DepartmentFactory.create(name="客户一部")
    senior, newcomer = (
        UserFactory.create(username="zhao.min", department=sales),
        UserFactory.create(username="p1", department=sales),
    )
    assign(senior, plan, start="2026-01", monthly_bonus="3500", quarterly_bonus="9000")

    response = department_post(hr_client, sales, plan)

    assert "Plan assigned. New assignments: 1, changed: 0, unchanged: 1." in page_text(response.content)
    assert list(Assignment.objects.filter(employee=senior).values_list("start", "monthly_bonus")) == [
        ("2026-01", Decimal("3500"))
    ]
    assert Assignment.objects.get(employee=newcomer).monthly_bonus == Decimal("1800")


def test_ticking_overwrite_amounts_gives_everybody_the_new_amounts(hr_client: Client, plan: PlanVersion) -> None:
    sales = DepartmentFactory.create(name="客户一部")
    senior = UserFactory.create(username="zhao.min", department=sales)
    assign(senior, plan, start="2026-01", monthly_bonus="3500", quarterly_bonus="9000")

    response = department_post(hr_client, sales, plan, overwrite_amounts="on")

    assert "Plan assigned. New assignments: 1, changed: 0, unchanged: 0." in page_text(response.content)
    assert list(Assignment.objects.filter(employee=senior).values_list("start", "monthly_bonus")) == [
        ("2026-01", Decimal("3500")),
        ("2026-03", Decimal("1800")),
    ]


def test_a_department_on_a_new_plan_keeps_senior_amounts_but_moves_the_plan(
    hr_client: Client, plan: PlanVersion, other_plan: PlanVersion
) -> None:
    sales = DepartmentFactory.create(name="客户一部")
    senior = UserFactory.create(username="zhao.min", department=sales)
    assign(senior, plan, start="2026-01", monthly_bonus="3500", quarterly_bonus="9000")

    department_post(hr_client, sales, other_plan)

    assert list(
        Assignment.objects.filter(employee=senior).values_list("start", "version", "monthly_bonus", "quarterly_bonus")
    ) == [
        ("2026-01", plan.pk, Decimal("3500"), Decimal("9000")),
        ("2026-03", other_plan.pk, Decimal("3500"), Decimal("9000")),
    ]


def test_a_refused_department_assignment_changes_nobody(hr_client: Client, plan: PlanVersion) -> None:
    sales = DepartmentFactory.create(name="客户一部")
    people = [UserFactory.create(username=f"p{n}", department=sales) for n in range(3)]
    assign(people[0], plan, start="2026-01")
    Cycle.objects.create(period="2026-03", status=CycleStatus.CLOSED)

    response = department_post(hr_client, sales, plan, start="2026-02")

    assert "March 2026 is closed: a new assignment must start in an open month" in page_text(response.content)
    assert list(Assignment.objects.values_list("employee__username", "start")) == [("p0", "2026-01")]
