"""The quarterly review from opening to acknowledgement, through its pages, on the worked example."""

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from celery.worker.worker import WorkController

from metrics.cycles.models import Cycle, CycleAction, CycleStatus
from metrics.figures.models import MetricEntry
from metrics.results.closing import cycle_close_request, cycle_wait
from metrics.results.exports import scores_csv
from metrics.results.tasks import cycle_close_enqueue
from people.models import User
from plans.periods import Period
from reviews import services
from reviews.models import Review, ReviewAction, ReviewFeedbackRequest, ReviewStatus
from reviews.selectors import review_quarterly_indicators
from tests.reviews.conftest import client_for, page_text, team_load

pytestmark = pytest.mark.django_db


def example_line(examples: Path, employee: str) -> str:
    lines = (examples / "scores-2026-Q1.csv").read_text(encoding="utf-8").splitlines()
    return next(line for line in lines if line.startswith(f"{employee},"))


def export_line(period: str, employee: str) -> str:
    return next(
        line for line in scores_csv(period=Period.parse(period)).splitlines() if line.startswith(f"{employee},")
    )


def test_the_whole_review_gives_the_examples_quarter_line(
    people: dict[str, User], close: Callable[..., None], examples: Path
) -> None:
    manager, li_lei, hr = client_for(people["wang.fang"]), client_for(people["li.lei"]), client_for(people["hr"])
    close("2026-01", "2026-02")

    response = manager.post("/reviews/open/", {"person": people["li.lei"].pk, "period": "2026-Q1"}, follow=True)
    review = Review.objects.get(employee__username="li.lei", period="2026-Q1")
    assert "The review of 李雷 (li.lei) for Q1 2026 is open." in page_text(response.content)

    response = li_lei.post(f"/reviews/{review.pk}/self-assessment/", {"text": "I kept 96 % of my customers."})
    assert response.status_code == 302
    for colleague in ("han.mei", "chen.jing"):
        manager.post(
            f"/reviews/{review.pk}/ask-colleague/",
            {"colleague": people[colleague].pk, "indicator": review_indicator(review)},
        )
    for colleague, rating in (("han.mei", "8"), ("chen.jing", "9")):
        request = ReviewFeedbackRequest.objects.get(colleague__username=colleague)
        client_for(people[colleague]).post(f"/reviews/feedback/{request.pk}/", {"rating": rating, "comment": "ok"})

    text = page_text(manager.get(f"/reviews/{review.pk}/").content)
    assert "内部协作评价 10 — 8.50 (2 of 2 answered)" in text
    assert "January 2026 Closed 107.66 A February 2026 Closed 109.51 A March 2026 Open — —" in text

    response = manager.post(f"/reviews/{review.pk}/rating/", {"collaboration": "8.5", "comment": "Good year."})
    assert response.status_code == 302
    hr.post(f"/reviews/{review.pk}/approve/")
    text = page_text(li_lei.get(f"/reviews/{review.pk}/").content)
    assert "Good year." in text and "8.5" in text
    li_lei.post(f"/reviews/{review.pk}/acknowledge/")

    review.refresh_from_db()
    assert review.status == ReviewStatus.ACKNOWLEDGED
    close("2026-03", "2026-Q1")
    assert export_line("2026-Q1", "li.lei") == example_line(examples, "li.lei")
    assert export_line("2026-Q1", "han.mei") == example_line(examples, "han.mei")
    text = page_text(li_lei.get(f"/reviews/{review.pk}/").content)
    assert "Score 107.32 Band A Bonus ¥6,000.00 Flags Promotion candidate" in text


def review_indicator(review: Review) -> int:
    return review_quarterly_indicators(review=review)[0].pk


def test_every_step_is_kept_with_who_and_when(people: dict[str, User]) -> None:
    review = services.review_open(employee=people["li.lei"], period=Period.parse("2026-Q1"), user=people["hr"])
    services.review_self_assessment_submit(review=review, text="done", user=people["li.lei"])
    services.review_manager_submit(
        review=review, ratings={"collaboration": Decimal("8.5")}, comment="fine", user=people["wang.fang"]
    )
    services.review_approve(review=review, user=people["hr"])
    services.review_appeal(review=review, reason="I helped three teams", user=people["li.lei"])
    services.review_appeal_uphold(review=review, reason="The rating reflects the quarter", user=people["hr"])

    events = list(review.events.values_list("action", "status", "user__username", "note"))
    assert events == [
        (ReviewAction.OPENED, ReviewStatus.DRAFT, "hr", ""),
        (ReviewAction.SELF_ASSESSMENT_SUBMITTED, ReviewStatus.SELF_ASSESSMENT, "li.lei", ""),
        (ReviewAction.MANAGER_REVIEW_SUBMITTED, ReviewStatus.MANAGER_REVIEW, "wang.fang", "内部协作评价: 8.5"),
        (ReviewAction.APPROVED, ReviewStatus.HR_APPROVAL, "hr", ""),
        (ReviewAction.APPEALED, ReviewStatus.APPEALED, "li.lei", "I helped three teams"),
        (ReviewAction.UPHELD, ReviewStatus.RESOLVED, "hr", "The rating reflects the quarter"),
    ]
    assert all(at is not None for at in review.events.values_list("at", flat=True))
    assert MetricEntry.objects.get(period="2026-Q1", assignment__employee__username="li.lei").value == Decimal("8.5")


def test_a_rescore_after_the_quarter_closed_reopens_it_with_the_reason(
    people: dict[str, User], close: Callable[..., None], examples: Path
) -> None:
    review = services.review_open(employee=people["li.lei"], period=Period.parse("2026-Q1"), user=people["wang.fang"])
    services.review_self_assessment_submit(review=review, text="done", user=people["li.lei"])
    services.review_manager_submit(
        review=review, ratings={"collaboration": Decimal("8.5")}, comment="fine", user=people["wang.fang"]
    )
    services.review_approve(review=review, user=people["hr"])
    close("2026-01", "2026-02", "2026-03", "2026-Q1")
    assert export_line("2026-Q1", "li.lei") == example_line(examples, "li.lei")
    client_for(people["li.lei"]).post(f"/reviews/{review.pk}/appeal/", {"reason": "I led the new CRM rollout"})

    response = client_for(people["hr"]).post(
        f"/reviews/{review.pk}/resolve/",
        {"decision": "rescore", "collaboration": "9.5", "reason": "CRM rollout confirmed"},
        follow=True,
    )

    text = page_text(response.content)
    assert "The appeal is resolved: the rating is changed." in text
    assert "Q1 2026 was closed, so it has been reopened for the new rating: close it again on its cycle page." in text
    assert "The Q1 2026 cycle: close or reopen it" in text
    reopened = Cycle.objects.get(period="2026-Q1").events.get(action=CycleAction.REOPENED)
    assert reopened.reason == "Appeal of 李雷 (li.lei)’s review of 2026-Q1: CRM rollout confirmed"
    assert reopened.user == people["hr"]
    event = review.events.get(action=ReviewAction.RESCORED)
    assert event.note == "CRM rollout confirmed\n内部协作评价: 8.5 → 9.5"
    close("2026-Q1")
    # 39.33 + 24.82 + 20.67 + 14.00 + 10 * 9.5 / 10 = 108.32
    assert export_line("2026-Q1", "li.lei") == (
        "li.lei,2026-Q1,108.32,A,100.00,6000.00,promotion_candidate,39.33,24.82,20.67,14.00,9.50"
    )
    assert export_line("2026-Q1", "han.mei") == example_line(examples, "han.mei")


@pytest.mark.django_db(transaction=True)
def test_after_a_rescore_hr_closes_the_quarter_again_through_the_worker(
    celery_worker: WorkController, examples: Path
) -> None:
    team_load(examples)
    people = {user.username: user for user in User.objects.all()}
    review = services.review_open(employee=people["li.lei"], period=Period.parse("2026-Q1"), user=people["hr"])
    services.review_self_assessment_submit(review=review, text="done", user=people["li.lei"])
    services.review_manager_submit(
        review=review, ratings={"collaboration": Decimal("8.5")}, comment="fine", user=people["wang.fang"]
    )
    services.review_approve(review=review, user=people["hr"])
    for period in ("2026-01", "2026-02", "2026-03", "2026-Q1"):
        request = cycle_close_request(period=Period.parse(period), user=people["hr"], enqueue=cycle_close_enqueue)
        assert cycle_wait(cycle_id=request.cycle.pk, timeout=30).status == CycleStatus.CLOSED
    services.review_appeal(review=review, reason="too low", user=people["li.lei"])

    outcome = services.review_appeal_rescore(
        review=review, ratings={"collaboration": Decimal("7")}, reason="agreed with the team", user=people["hr"]
    )
    assert outcome.reopened
    request = cycle_close_request(period=Period.parse("2026-Q1"), user=people["hr"], enqueue=cycle_close_enqueue)
    assert cycle_wait(cycle_id=request.cycle.pk, timeout=30).status == CycleStatus.CLOSED

    # 39.33 + 24.82 + 20.67 + 14.00 + 10 * 7 / 10 = 105.82
    assert export_line("2026-Q1", "li.lei") == (
        "li.lei,2026-Q1,105.82,A,100.00,6000.00,promotion_candidate,39.33,24.82,20.67,14.00,7.00"
    )
