"""HR opens a quarter's reviews of everyone, a department or a plan in one action (reviews/opening.py)."""

from collections.abc import Sequence

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from people.models import Department, Role, User
from plans.models import PlanTemplate
from plans.periods import Period
from reviews import opening, services
from reviews.models import Review, ReviewAction, ReviewEvent, ReviewStatus
from tests.factories import DepartmentFactory, UserFactory, assign, plan_data, publish
from tests.reviews.conftest import client_for, page_text

pytestmark = pytest.mark.django_db

Q1 = Period.parse("2026-Q1")


def opened_events(period: str = "2026-Q1") -> list[str]:
    return sorted(
        ReviewEvent.objects.filter(action=ReviewAction.OPENED, review__period=period).values_list(
            "review__employee__username", flat=True
        )
    )


def test_it_opens_the_reviews_of_everyone_assessed_in_the_quarter_once(people: dict[str, User]) -> None:
    hr = people["hr"]

    first = opening.reviews_open_many(period=Q1, user=hr)
    again = opening.reviews_open_many(period=Q1, user=hr)

    # li.lei, han.mei and wu.di have a plan by March; the managers, HR and chen.jing have none.
    assert (first.opened, first.existed) == (3, 0)
    assert (again.opened, again.existed) == (0, 3)
    assert opened_events() == ["han.mei", "li.lei", "wu.di"]
    review = Review.objects.get(employee__username="li.lei", period="2026-Q1")
    assert (review.status, review.opened_by) == (ReviewStatus.DRAFT, hr)


def test_a_review_that_exists_is_kept_as_it_is_and_counted_as_existing(people: dict[str, User]) -> None:
    review = services.review_open(employee=people["li.lei"], period=Q1, user=people["wang.fang"])
    services.review_self_assessment_submit(review=review, text="Kept 96 %.", user=people["li.lei"])
    before = Review.objects.filter(pk=review.pk).values().get()

    outcome = opening.reviews_open_many(period=Q1, user=people["hr"])

    assert (outcome.opened, outcome.existed) == (2, 1)
    assert Review.objects.filter(pk=review.pk).values().get() == before
    assert ReviewEvent.objects.filter(review=review, action=ReviewAction.OPENED).count() == 1


def test_it_opens_a_department_or_a_plan_only(people: dict[str, User]) -> None:
    hr = people["hr"]
    other_plan = publish(plan_data(code="other-plan", name="另一个方案"))
    newcomer = UserFactory.create(username="zhou.xun", display_name="周迅", department=people["li.lei"].department)
    assign(newcomer, other_plan, start="2026-03")

    department = opening.reviews_open_many(period=Q1, user=hr, department=Department.objects.get(name="客户二部"))
    plan = opening.reviews_open_many(period=Q1, user=hr, plan=PlanTemplate.objects.get(code="other-plan"))

    assert (department.opened, department.existed) == (1, 0)
    assert (plan.opened, plan.existed) == (1, 0)
    assert opened_events() == ["wu.di", "zhou.xun"]


def test_only_people_assigned_by_the_quarters_last_month_get_one(people: dict[str, User]) -> None:
    later = UserFactory.create(username="late.starter", display_name="迟到")
    assign(later, publish(), start="2026-04")
    gone = UserFactory.create(username="gone", display_name="离职", is_active=False)
    assign(gone, publish(), start="2026-01")

    opening.reviews_open_many(period=Q1, user=people["hr"])
    opening.reviews_open_many(period=Period.parse("2026-Q2"), user=people["hr"])

    assert "late.starter" not in opened_events("2026-Q1")
    assert "late.starter" in opened_events("2026-Q2")
    assert "gone" not in opened_events("2026-Q1") + opened_events("2026-Q2")


def test_only_hr_opens_many_and_only_quarters(people: dict[str, User]) -> None:
    with pytest.raises(services.ReviewForbidden, match="Only HR"):
        opening.reviews_open_many(period=Q1, user=people["wang.fang"])
    with pytest.raises(services.ReviewRefused, match="of a quarter like 2026-Q1"):
        opening.reviews_open_many(period=Period.parse("2026-02"), user=people["hr"])
    assert not Review.objects.exists()


def test_a_review_opened_meanwhile_by_another_hr_is_neither_duplicated_nor_counted(
    people: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two HR at once: the other's review is inserted between this call's check and its insert."""
    other = services.review_open(employee=people["han.mei"], period=Q1, user=people["hr"])
    monkeypatch.setattr(opening, "_existing", lambda *, period, ids: set())  # this call saw nothing yet

    outcome = opening.reviews_open_many(period=Q1, user=people["hr"])

    assert (outcome.opened, outcome.existed) == (2, 1)
    assert Review.objects.filter(employee__username="han.mei").get() == other
    assert opened_events() == ["han.mei", "li.lei", "wu.di"]


def _staff(count: int, department: Department, prefix: str) -> list[User]:
    version = publish()
    users = [
        UserFactory.create(username=f"{prefix}{n:04d}", display_name=f"员工{n}", department=department)
        for n in range(count)
    ]
    for user in users:
        assign(user, version, start="2026-01")
    return users


def _queries(*, user: User, department: Department, chunk_size: int) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        outcome = opening.reviews_open_many(period=Q1, user=user, department=department, chunk_size=chunk_size)
    return len(queries), outcome.chunks


@pytest.mark.parametrize("sizes", [(4, 16)])
def test_opening_costs_the_same_queries_for_each_chunk_whatever_the_size(db: None, sizes: Sequence[int]) -> None:
    hr = UserFactory.create(username="hr", role=Role.HR)
    small, large = DepartmentFactory.create(name="小"), DepartmentFactory.create(name="大")
    _staff(sizes[0], small, "small")
    _staff(sizes[1], large, "large")

    few, few_chunks = _queries(user=hr, department=small, chunk_size=4)
    many, many_chunks = _queries(user=hr, department=large, chunk_size=4)

    assert (few_chunks, many_chunks) == (1, 4)
    per_chunk = (many - few) // (many_chunks - few_chunks)
    assert (many - few) % (many_chunks - few_chunks) == 0
    assert few - per_chunk == many - per_chunk * many_chunks  # the same overhead, then the same per chunk
    assert per_chunk <= 7  # SAVEPOINT, the existing ones, the insert, ours, their events, RELEASE
    assert Review.objects.count() == sum(sizes)


def test_hr_opens_a_departments_reviews_from_the_reviews_page(people: dict[str, User]) -> None:
    hr = client_for(people["hr"])
    department = Department.objects.get(name="客户部")

    response = hr.post("/reviews/open-all/", {"period": "2026-Q1", "department": department.pk}, follow=True)
    again = hr.post("/reviews/open-all/", {"period": "2026-Q1", "department": department.pk}, follow=True)

    assert "Q1 2026: 2 reviews opened, 0 already open and kept as they were." in page_text(response.content)
    assert "Q1 2026: 0 reviews opened, 2 already open and kept as they were." in page_text(again.content)
    assert "李雷 li.lei" in page_text(again.content)
    refused = hr.post("/reviews/open-all/", {"period": "2026-13", "department": "999999"})
    text = page_text(refused.content)
    assert refused.status_code == 400
    assert "Give a quarter like 2026-Q1." in text and "Choose one of the departments listed." in text


def test_the_open_form_picks_a_person_by_name_and_department(people: dict[str, User]) -> None:
    hr = client_for(people["hr"])
    UserFactory.create(username="li.lei2", display_name="李雷", department=Department.objects.get(name="客户二部"))

    twice = hr.post("/reviews/open/", {"name": "李雷", "period": "2026-Q1"})
    nobody = hr.post("/reviews/open/", {"name": "不存在", "period": "2026-Q1"})
    picked = hr.post(
        "/reviews/open/",
        {"name": "李雷", "department": Department.objects.get(name="客户部").pk, "period": "2026-Q1"},
        follow=True,
    )

    assert twice.status_code == nobody.status_code == 400
    assert "Several people match “李雷”: 李雷 (客户部), 李雷 (客户二部)." in page_text(twice.content)
    assert "Nobody called “不存在” is among the people you can see." in page_text(nobody.content)
    assert "The review of 李雷 (li.lei) for Q1 2026 is open." in page_text(picked.content)


def test_a_manager_picking_another_teams_employee_gets_a_message_not_a_404(people: dict[str, User]) -> None:
    manager = client_for(people["wang.fang"])

    by_name = manager.post("/reviews/open/", {"name": "吴迪", "period": "2026-Q1"}, follow=True)
    by_id = manager.post("/reviews/open/", {"person": people["wu.di"].pk, "period": "2026-Q1"}, follow=True)

    assert by_name.status_code == by_id.status_code == 200
    assert "Nobody called “吴迪” is among the people you can see." in page_text(by_name.content)
    assert "This person is not among the people you can see." in page_text(by_id.content)
    assert not Review.objects.exists()


def test_the_open_forms_speak_chinese(people: dict[str, User]) -> None:
    hr = client_for(people["hr"])
    hr.cookies["django_language"] = "zh-hans"

    text = page_text(hr.post("/reviews/open/", {"name": "不存在", "period": "2026-Q1"}).content)
    opened = page_text(hr.post("/reviews/open-all/", {"period": "2026-Q1"}, follow=True).content)

    assert "您可查看的人员中没有名为“不存在”的人。" in text
    assert "No User matches" not in text
    assert "2026年第1季度：新开启 3 份绩效评估，另有 0 份此前已开启，保持不变。" in opened
    assert "姓名" in text and "任意部门" in text and "全部绩效方案" in opened
