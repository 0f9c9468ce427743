"""Assigning a department a plan after a preview: own amounts kept, then exactly what was shown."""

import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from metrics.cycles.models import Cycle, CycleStatus
from people.models import Department, Role, User
from people.selectors import department_employees
from people.staffing.assignment_preview import (
    AmountsChange,
    AssignmentPreview,
    AssignmentStale,
    assignment_confirm,
    assignment_preview,
)
from people.staffing.assignments import AssignmentRefused, assignment_set
from plans.models import Assignment, PlanVersion
from plans.periods import Period
from tests.factories import DepartmentFactory, UserFactory, assign, plan_data, publish
from tests.people.staffing.test_assign import preview_token
from tests.test_home import page_text
from tests.typed import Response

OTHER_PLAN = plan_data(code="service-desk", name="客服绩效方案")


@pytest.fixture
def plan(db: None) -> PlanVersion:
    return publish()


@pytest.fixture
def sales(db: None) -> Department:
    return DepartmentFactory.create(name="客户一部")


@pytest.fixture
def senior(sales: Department, plan: PlanVersion) -> User:
    """On the plan since January with amounts of her own."""
    person = UserFactory.create(username="zhao.min", display_name="赵敏", department=sales)
    assign(person, plan, start="2026-01", monthly_bonus="2500", quarterly_bonus="7500")
    return person


@pytest.fixture
def newcomer(sales: Department) -> User:
    return UserFactory.create(username="li.lei", display_name="李雷", department=sales)


def values(
    department: Department,
    version: PlanVersion,
    *,
    start: str = "2026-04",
    overwrite: bool = False,
    people: Iterable[User] | None = None,
) -> dict[str, object]:
    return {
        "employees": department_employees(department=department) if people is None else people,
        "version": version,
        "start": start,
        "monthly_bonus": Decimal("2000"),
        "quarterly_bonus": Decimal("6000"),
        "overwrite_amounts": overwrite,
    }


def preview_of(department: Department, version: PlanVersion, **changes: object) -> AssignmentPreview:
    return assignment_preview(**values(department, version, **changes))  # type: ignore[arg-type]


def confirm(department: Department, version: PlanVersion, digest: str, **changes: object) -> None:
    assignment_confirm(**values(department, version, **changes), digest=digest)  # type: ignore[arg-type]


def history(person: User) -> list[tuple[str, Decimal, Decimal]]:
    return list(Assignment.objects.filter(employee=person).values_list("start", "monthly_bonus", "quarterly_bonus"))


def test_the_preview_keeps_a_seniors_own_amounts_and_gives_a_newcomer_the_entered_ones(
    sales: Department, plan: PlanVersion, senior: User, newcomer: User
) -> None:
    preview = preview_of(sales, plan)

    lines = {line.employee: line for line in preview.lines}
    zhao, li = lines["zhao.min"], lines["li.lei"]
    assert (zhao.name, zhao.amounts, zhao.monthly, zhao.quarterly) == (
        "赵敏",
        AmountsChange.KEPT,
        Decimal("2500"),
        Decimal("7500"),
    )
    # Same plan, her own amounts: her January assignment stays as it is.
    assert (zhao.writes, zhao.start, zhao.plan_changes) == (False, Period.parse("2026-01"), False)
    assert (li.name, li.amounts, li.old_monthly, li.monthly, li.quarterly) == (
        "李雷",
        AmountsChange.NEW,
        None,
        Decimal("2000"),
        Decimal("6000"),
    )
    assert (li.plan, li.version, li.start, li.writes) == ("客户管理员绩效方案", 1, Period.parse("2026-04"), True)
    assert (preview.changing, preview.kept) == (1, 1)
    assert history(newcomer) == []  # the preview saved nothing


def test_someone_whose_amounts_are_still_zero_gets_the_entered_ones(
    sales: Department, plan: PlanVersion, newcomer: User
) -> None:
    assign(newcomer, plan, start="2026-01", monthly_bonus="0", quarterly_bonus="0")

    (line,) = preview_of(sales, plan).lines

    assert (line.amounts, line.old_monthly, line.monthly, line.start) == (
        AmountsChange.CHANGED,
        Decimal("0"),
        Decimal("2000"),
        Period.parse("2026-04"),
    )


def test_confirming_saves_what_the_preview_showed(
    sales: Department, plan: PlanVersion, senior: User, newcomer: User
) -> None:
    preview = preview_of(sales, plan)

    confirm(sales, plan, preview.digest)

    assert history(senior) == [("2026-01", Decimal("2500"), Decimal("7500"))]
    assert history(newcomer) == [("2026-04", Decimal("2000"), Decimal("6000"))]


def test_overwriting_gives_everyone_the_entered_amounts_from_the_month(
    sales: Department, plan: PlanVersion, senior: User, newcomer: User
) -> None:
    preview = preview_of(sales, plan, overwrite=True)
    zhao = next(line for line in preview.lines if line.employee == "zhao.min")
    assert (zhao.amounts, zhao.old_monthly, zhao.monthly, zhao.old_quarterly, zhao.quarterly) == (
        AmountsChange.CHANGED,
        Decimal("2500"),
        Decimal("2000"),
        Decimal("7500"),
        Decimal("6000"),
    )
    assert (zhao.writes, zhao.start) == (True, Period.parse("2026-04"))

    confirm(sales, plan, preview.digest, overwrite=True)

    assert history(senior) == [
        ("2026-01", Decimal("2500"), Decimal("7500")),
        ("2026-04", Decimal("2000"), Decimal("6000")),
    ]


def test_a_new_plan_moves_the_senior_with_her_own_amounts(sales: Department, plan: PlanVersion, senior: User) -> None:
    other = publish(OTHER_PLAN)

    (zhao,) = preview_of(sales, other).lines

    assert (zhao.old_plan, zhao.plan, zhao.plan_changes, zhao.amounts) == (
        "客户管理员绩效方案",
        "客服绩效方案",
        True,
        AmountsChange.KEPT,
    )
    confirm(sales, other, preview_of(sales, other).digest)
    assert list(Assignment.objects.filter(employee=senior).values_list("start", "version", "monthly_bonus")) == [
        ("2026-01", plan.pk, Decimal("2500")),
        ("2026-04", other.pk, Decimal("2500")),
    ]


def test_over_closed_months_the_preview_shows_the_first_open_month(
    sales: Department, plan: PlanVersion, senior: User
) -> None:
    for month in ("2026-01", "2026-02", "2026-03"):
        Cycle.objects.create(period=month, status=CycleStatus.CLOSED)

    (zhao,) = preview_of(sales, plan, start="2026-02", overwrite=True).lines

    assert (zhao.start, zhao.later, zhao.monthly) == (Period.parse("2026-04"), True, Decimal("2000"))


def test_a_confirmation_after_someone_else_changed_an_assignment_is_refused_with_a_fresh_preview(
    sales: Department, plan: PlanVersion, senior: User, newcomer: User
) -> None:
    preview = preview_of(sales, plan)
    # Another HR, on the person's page, gives the senior new amounts from January.
    assignment_set(
        employees=[senior],
        version=plan,
        start="2026-01",
        monthly_bonus=Decimal("3000"),
        quarterly_bonus=Decimal("9000"),
    )

    with pytest.raises(AssignmentStale) as stale:
        confirm(sales, plan, preview.digest)

    assert history(newcomer) == []  # nothing half saved
    fresh = next(line for line in stale.value.preview.lines if line.employee == "zhao.min")
    assert (fresh.amounts, fresh.monthly, fresh.quarterly) == (AmountsChange.KEPT, Decimal("3000"), Decimal("9000"))
    assert stale.value.preview.digest != preview.digest
    assert "changed after the preview" in stale.value.messages[0]
    confirm(sales, plan, stale.value.preview.digest)  # the fresh preview confirms
    assert history(newcomer) == [("2026-04", Decimal("2000"), Decimal("6000"))]


def test_a_preview_confirmed_in_another_tab_is_stale_in_this_one(
    sales: Department, plan: PlanVersion, newcomer: User
) -> None:
    first, second = preview_of(sales, plan), preview_of(sales, plan)
    assert first.digest == second.digest  # the same state gives the same digest

    confirm(sales, plan, first.digest)
    with pytest.raises(AssignmentStale) as stale:
        confirm(sales, plan, second.digest)

    assert [line.writes for line in stale.value.preview.lines] == [False]
    assert Assignment.objects.filter(employee=newcomer).count() == 1


def test_someone_joining_the_department_after_the_preview_makes_it_stale(
    sales: Department, plan: PlanVersion, newcomer: User
) -> None:
    preview = preview_of(sales, plan)
    UserFactory.create(username="han.mei", display_name="韩梅梅", department=sales)

    with pytest.raises(AssignmentStale) as stale:
        confirm(sales, plan, preview.digest)

    assert [line.name for line in stale.value.preview.lines] == ["韩梅梅", "李雷"]
    assert not Assignment.objects.exists()


def test_a_month_closed_after_the_preview_refuses_the_confirmation(
    sales: Department, plan: PlanVersion, newcomer: User
) -> None:
    preview = preview_of(sales, plan)
    Cycle.objects.create(period="2026-04", status=CycleStatus.CLOSED)

    with pytest.raises(AssignmentRefused) as refused:
        confirm(sales, plan, preview.digest)

    assert not isinstance(refused.value, AssignmentStale)
    assert refused.value.messages == ["April 2026 is closed: a new assignment must start in an open month"]
    assert not Assignment.objects.exists()


def test_the_preview_is_refused_as_the_assignment_would_be(sales: Department, plan: PlanVersion) -> None:
    with pytest.raises(AssignmentRefused) as refused:
        preview_of(sales, plan, start="2026-Q1")

    assert refused.value.messages == ["There is nobody to assign.", "“2026-Q1” is not a month like 2026-01"]


# --- The page, in Chinese -------------------------------------------------------------------------


@pytest.fixture
def hr_zh(db: None) -> Iterator[Client]:
    client = Client()
    client.force_login(UserFactory.create(username="hr", role=Role.HR, display_name="孙丽"))
    client.cookies["django_language"] = "zh-hans"
    yield client
    # A request leaves its language active in this thread: the tests after this one are in English.
    translation.deactivate()


def department_preview(client: Client, department: Department, plan: PlanVersion, **changes: str) -> Response:
    data = {
        "department": str(department.pk),
        "plan": str(plan.template.pk),
        "start": "2026-04",
        "monthly_bonus": "2000",
        "quarterly_bonus": "6000",
    } | changes
    return client.post("/people/assign/", data)


def row_text(response: Response, employee: str) -> str:
    found = re.search(rf'<tr data-employee="{re.escape(employee)}">(.*?)</tr>', response.content.decode(), re.S)
    assert found is not None, f"no preview row for {employee}"
    return page_text(found[1].encode())


def confirm_post(client: Client, preview: Response) -> Response:
    return client.post("/people/assign/", {"confirm": "1", "token": preview_token(preview)}, follow=True)


def test_the_preview_page_names_people_and_writes_money_and_months_in_chinese(
    hr_zh: Client, sales: Department, plan: PlanVersion, senior: User, newcomer: User
) -> None:
    preview = department_preview(hr_zh, sales, plan)

    text = page_text(preview.content)
    assert "预览：确认之前不会保存任何内容" in text
    assert "共 2 人。 将保存 1 条分配。 1 人保留本人金额。" in text
    assert (
        row_text(preview, "zhao.min")
        == "赵敏 客户管理员绩效方案，版本 1 2026年1月 已是如此：不作更改 ¥2,500.00 ¥7,500.00 ¥0.00 保留本人金额"
    )
    assert (
        row_text(preview, "li.lei")
        == "李雷 客户管理员绩效方案，版本 1 2026年4月 ¥2,000.00 ¥6,000.00 ¥0.00 使用填写的金额（此前没有）"
    )
    assert "zhao.min" not in text and "li.lei" not in text  # people by name, never by user name
    assert "确认并保存" in text
    assert history(newcomer) == []  # nothing saved before the confirmation


def test_overwriting_shows_the_old_and_the_new_amounts(
    hr_zh: Client, sales: Department, plan: PlanVersion, senior: User
) -> None:
    preview = department_preview(hr_zh, sales, plan, overwrite_amounts="on")

    assert row_text(preview, "zhao.min") == (
        "赵敏 客户管理员绩效方案，版本 1 2026年4月 ¥2,500.00 → ¥2,000.00 ¥7,500.00 → ¥6,000.00 ¥0.00 有变动"
    )
    confirm_post(hr_zh, preview)
    assert history(senior)[-1] == ("2026-04", Decimal("2000"), Decimal("6000"))


def test_hr_confirms_what_the_preview_showed_and_lands_on_the_department(
    hr_zh: Client, sales: Department, plan: PlanVersion, senior: User, newcomer: User
) -> None:
    response = confirm_post(hr_zh, department_preview(hr_zh, sales, plan))

    assert response.redirect_chain[-1][0] == f"/people/?department={sales.pk}"
    assert "方案已分配。新增方案分配：1 条，修改：0 条，未变：1 条。" in page_text(response.content)
    assert history(newcomer) == [("2026-04", Decimal("2000"), Decimal("6000"))]
    assert history(senior) == [("2026-01", Decimal("2500"), Decimal("7500"))]


def test_a_stale_confirmation_shows_why_and_a_fresh_preview(
    hr_zh: Client, sales: Department, plan: PlanVersion, senior: User, newcomer: User
) -> None:
    preview = department_preview(hr_zh, sales, plan)
    assignment_set(
        employees=[senior], version=plan, start="2026-01", monthly_bonus=Decimal(3000), quarterly_bonus=Decimal(9000)
    )

    stale = hr_zh.post("/people/assign/", {"confirm": "1", "token": preview_token(preview)})

    assert stale.status_code == 200
    assert "预览之后，这些人员的分配已有变动" in page_text(stale.content)
    assert "¥3,000.00 ¥9,000.00 ¥0.00 保留本人金额" in row_text(stale, "zhao.min")
    assert preview_token(stale) != preview_token(preview)
    assert history(newcomer) == []
    confirm_post(hr_zh, stale)
    assert history(newcomer) == [("2026-04", Decimal("2000"), Decimal("6000"))]


def test_a_preview_confirms_once_and_an_unknown_one_not_at_all(
    hr_zh: Client, sales: Department, plan: PlanVersion, newcomer: User
) -> None:
    preview = department_preview(hr_zh, sales, plan)
    confirm_post(hr_zh, preview)

    for token in (preview_token(preview), "made-up"):
        again = hr_zh.post("/people/assign/", {"confirm": "1", "token": token}, follow=True)
        assert again.redirect_chain[-1][0] == "/people/assign/"
        assert "请重新预览这次分配：原预览已过期。" in page_text(again.content)
    assert Assignment.objects.filter(employee=newcomer).count() == 1


def test_two_tabs_each_confirm_their_own_preview(
    hr_zh: Client, sales: Department, plan: PlanVersion, newcomer: User
) -> None:
    other = publish(OTHER_PLAN)
    first = department_preview(hr_zh, sales, plan)
    second = department_preview(hr_zh, sales, other, start="2026-05")

    confirm_post(hr_zh, second)
    # The first tab's preview was made before the second one saved: it is stale now.
    stale = hr_zh.post("/people/assign/", {"confirm": "1", "token": preview_token(first)})
    assert "预览之后，这些人员的分配已有变动" in page_text(stale.content)
    assert list(Assignment.objects.filter(employee=newcomer).values_list("start", "version")) == [("2026-05", other.pk)]


def test_the_department_page_picks_months_and_reads_what_is_typed(
    hr_zh: Client, sales: Department, plan: PlanVersion, newcomer: User
) -> None:
    form = hr_zh.get("/people/assign/").content.decode()
    assert re.search(r'<input type="month" name="start"[^>]*min="2000-01"[^>]*max="2100-12"', form)
    assert "覆盖所有人的奖金金额" in form

    preview = department_preview(hr_zh, sales, plan, start="2026年4月")

    assert "2026年4月" in row_text(preview, "li.lei")
    refused = department_preview(hr_zh, sales, plan, start="2026-13")
    assert "“2026-13”" in page_text(refused.content) and 'name="confirm"' not in refused.content.decode()


@pytest.mark.parametrize("role", [Role.MANAGER, Role.EMPLOYEE])
def test_only_hr_assigns_a_department(sales: Department, plan: PlanVersion, newcomer: User, role: Role) -> None:
    client = Client()
    client.force_login(UserFactory.create(username="someone", role=role))

    assert client.get("/people/assign/").status_code == 403
    assert department_preview(client, sales, plan).status_code == 403
    assert client.post("/people/assign/", {"confirm": "1", "token": "x"}).status_code == 403
    assert not Assignment.objects.exists()


def test_the_preview_page_costs_the_same_queries_for_a_bigger_department(
    hr_zh: Client, sales: Department, plan: PlanVersion, senior: User
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert department_preview(hr_zh, sales, plan).status_code == 200
        return len(captured)

    small = queries()
    for n in range(20):
        person = UserFactory.create(username=f"p{n:02d}", display_name=f"员工{n}", department=sales)
        if n % 2:
            assign(person, plan, start="2026-01", monthly_bonus="1000", quarterly_bonus="3000")

    assert queries() == small


def test_over_closed_months_the_preview_says_so_and_the_confirmation_names_nobody_by_user_name(
    hr_zh: Client, sales: Department, plan: PlanVersion, senior: User
) -> None:
    for month in ("2026-01", "2026-02", "2026-03"):
        Cycle.objects.create(period=month, status=CycleStatus.CLOSED)

    preview = department_preview(hr_zh, sales, plan, start="2026-02", overwrite_amounts="on")
    assert "2026年4月 首个未关闭的月份：已关闭的月份保留关闭时的方案和金额" in row_text(preview, "zhao.min")
    saved = confirm_post(hr_zh, preview)

    shown = [str(message) for message in saved.context["messages"]]
    assert shown == ["方案已分配。新增方案分配：1 条，修改：0 条，未变：0 条。"]  # no note by user name
    assert history(senior)[-1] == ("2026-04", Decimal("2000"), Decimal("6000"))
