"""Steps taken in the wrong status or by the wrong person are refused, and change nothing."""

from collections.abc import Callable
from decimal import Decimal

import pytest

from metrics.figures.models import MetricEntry
from people.models import User
from plans.periods import Period
from reviews import services
from reviews.models import Review, ReviewEvent, ReviewStatus
from reviews.selectors import review_quarterly_indicators
from tests.reviews.conftest import client_for, page_text

pytestmark = pytest.mark.django_db

Q1 = Period.parse("2026-Q1")


@pytest.fixture
def review(people: dict[str, User]) -> Review:
    return services.review_open(employee=people["li.lei"], period=Q1, user=people["wang.fang"])


def rated(review: Review, people: dict[str, User], rating: str = "8.5") -> Review:
    services.review_self_assessment_submit(review=review, text="done", user=people["li.lei"])
    return services.review_manager_submit(
        review=review, ratings={"collaboration": Decimal(rating)}, comment="fine", user=people["wang.fang"]
    )


def test_acknowledging_before_hr_approved_is_refused_with_where_the_review_stands(
    review: Review, people: dict[str, User]
) -> None:
    with pytest.raises(services.ReviewRefused) as refused:
        services.review_acknowledge(review=review, user=people["li.lei"])

    assert refused.value.message == (
        "The review of 李雷 (li.lei) for Q1 2026 is “Opened”, not “Approved by HR”: "
        "a review is acknowledged once HR has approved it."
    )
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.DRAFT
    assert review.events.count() == 1


def test_the_self_assessment_is_submitted_once(review: Review, people: dict[str, User]) -> None:
    services.review_self_assessment_submit(review=review, text="first", user=people["li.lei"])

    with pytest.raises(services.ReviewRefused, match="“Self-assessment submitted”, not “Opened”"):
        services.review_self_assessment_submit(review=review, text="second", user=people["li.lei"])
    assert Review.objects.get(pk=review.pk).self_assessment == "first"


def test_the_manager_cannot_rate_before_the_self_assessment(review: Review, people: dict[str, User]) -> None:
    with pytest.raises(services.ReviewRefused, match="is “Opened”, not “Self-assessment submitted”"):
        services.review_manager_submit(
            review=review, ratings={"collaboration": Decimal("8")}, comment="x", user=people["wang.fang"]
        )
    assert not MetricEntry.objects.filter(period="2026-Q1", assignment__employee__username="li.lei").exists()


def test_a_second_click_on_approve_is_refused(review: Review, people: dict[str, User]) -> None:
    rated(review, people)
    services.review_approve(review=review, user=people["hr"])

    response = client_for(people["hr"]).post(f"/reviews/{review.pk}/approve/", follow=True)

    assert "is “Approved by HR”, not “Manager’s review submitted”" in page_text(response.content)
    assert ReviewEvent.objects.filter(review=review, action="approved").count() == 1


def test_resolving_needs_an_appeal(review: Review, people: dict[str, User]) -> None:
    rated(review, people)
    with pytest.raises(services.ReviewRefused, match="only an appealed review can be resolved"):
        services.review_appeal_uphold(review=review, reason="no", user=people["hr"])


def test_a_review_is_opened_once_a_quarter_and_only_for_a_quarter(review: Review, people: dict[str, User]) -> None:
    with pytest.raises(services.ReviewRefused, match=r"李雷 \(li.lei\)’s review of Q1 2026 is already open"):
        services.review_open(employee=people["li.lei"], period=Q1, user=people["hr"])
    with pytest.raises(services.ReviewRefused, match="A review is of a quarter like 2026-Q1, not “2026-01”"):
        services.review_open(employee=people["han.mei"], period=Period.parse("2026-01"), user=people["hr"])
    with pytest.raises(services.ReviewRefused, match="not assessed in Q4 2025"):
        services.review_open(employee=people["han.mei"], period=Period.parse("2025-Q4"), user=people["hr"])


@pytest.mark.parametrize(
    ("step", "who"),
    [
        ("self_assessment", "wang.fang"),
        ("self_assessment", "hr"),
        ("rating", "li.lei"),
        ("rating", "hr"),
        ("approve", "wang.fang"),
        ("appeal", "hr"),
    ],
)
def test_each_step_belongs_to_one_person(review: Review, people: dict[str, User], step: str, who: str) -> None:
    user = people[who]
    calls = {
        "self_assessment": lambda: services.review_self_assessment_submit(review=review, text="x", user=user),
        "rating": lambda: services.review_manager_submit(
            review=review, ratings={"collaboration": Decimal("8")}, comment="x", user=user
        ),
        "approve": lambda: services.review_approve(review=review, user=user),
        "appeal": lambda: services.review_appeal(review=review, reason="x", user=user),
    }
    with pytest.raises(services.ReviewForbidden):
        calls[step]()


def test_only_the_employees_manager_or_hr_opens_a_review(people: dict[str, User]) -> None:
    with pytest.raises(services.ReviewForbidden, match=r"Only HR or 吴迪 \(wu\.di\)’s manager"):
        services.review_open(employee=people["wu.di"], period=Q1, user=people["wang.fang"])
    with pytest.raises(services.ReviewForbidden):
        services.review_open(employee=people["li.lei"], period=Q1, user=people["li.lei"])


def test_a_rating_off_its_scale_is_shown_on_the_field_and_nothing_is_saved(
    review: Review, people: dict[str, User]
) -> None:
    services.review_self_assessment_submit(review=review, text="done", user=people["li.lei"])

    response = client_for(people["wang.fang"]).post(
        f"/reviews/{review.pk}/rating/", {"collaboration": "11", "comment": "great"}
    )

    assert response.status_code == 400
    form = response.context["ratings_form"]
    assert form.errors == {"collaboration": ["The rating 11 is outside its scale of 0 to 10"]}
    assert "The rating 11 is outside its scale of 0 to 10" in page_text(response.content)
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.SELF_ASSESSMENT
    assert not MetricEntry.objects.filter(period="2026-Q1", assignment__employee__username="li.lei").exists()
    assert not review.events.filter(action="manager_review_submitted").exists()


def test_a_rating_for_a_closed_quarter_says_so_on_the_form(
    review: Review, people: dict[str, User], close: Callable[..., None]
) -> None:
    services.review_self_assessment_submit(review=review, text="done", user=people["li.lei"])
    close("2026-01", "2026-02", "2026-03")
    close("2026-Q1", force=True)

    response = client_for(people["wang.fang"]).post(
        f"/reviews/{review.pk}/rating/", {"collaboration": "8.5", "comment": "great"}
    )

    assert response.status_code == 400
    assert response.context["ratings_form"].non_field_errors() == [
        "2026-Q1 is closed: it takes no new or changed figures"
    ]
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.SELF_ASSESSMENT


def test_a_manager_asks_three_colleagues_at_most_and_sees_their_average(
    review: Review, people: dict[str, User]
) -> None:
    from people.models import User

    User.objects.create_user(username="li.na", department=people["li.lei"].department)
    User.objects.create_user(username="zhou.yu", department=people["li.lei"].department)
    indicator = review_quarterly_indicators(review=review)[0]
    manager = people["wang.fang"]
    ratings = {"han.mei": "7", "chen.jing": "8", "li.na": "8.5"}
    for username, rating in ratings.items():
        request = services.review_feedback_request(
            review=review, colleague=User.objects.get(username=username), indicator=indicator, user=manager
        )
        services.review_feedback_answer(request=request, rating=Decimal(rating), comment="", user=request.colleague)

    with pytest.raises(services.ReviewRefused, match="At most 3 colleagues can be asked about 内部协作评价"):
        services.review_feedback_request(
            review=review, colleague=User.objects.get(username="zhou.yu"), indicator=indicator, user=manager
        )
    text = page_text(client_for(manager).get(f"/reviews/{review.pk}/").content)
    assert "内部协作评价 10 — 7.83 (3 of 3 answered)" in text  # (7 + 8 + 8.5) / 3 = 7.833…


def test_a_colleague_answers_once_on_the_scale_and_not_after_the_manager_rated(
    review: Review, people: dict[str, User]
) -> None:
    indicator = review_quarterly_indicators(review=review)[0]
    request = services.review_feedback_request(
        review=review, colleague=people["han.mei"], indicator=indicator, user=people["wang.fang"]
    )
    han_mei = client_for(people["han.mei"])

    response = han_mei.post(f"/reviews/feedback/{request.pk}/", {"rating": "12", "comment": ""})
    assert response.status_code == 400
    assert "The rating 12 is outside its scale of 0 to 10." in page_text(response.content)

    han_mei.post(f"/reviews/feedback/{request.pk}/", {"rating": "9", "comment": "always helps"})
    response = han_mei.post(f"/reviews/feedback/{request.pk}/", {"rating": "3", "comment": ""})
    assert "You have already answered this request." in page_text(response.content)
    request.refresh_from_db()
    assert (request.rating, request.comment) == (Decimal("9.00"), "always helps")

    other = services.review_feedback_request(
        review=review, colleague=people["chen.jing"], indicator=indicator, user=people["wang.fang"]
    )
    rated(review, people)
    with pytest.raises(services.ReviewRefused, match="has already been rated by the manager"):
        services.review_feedback_answer(request=other, rating=Decimal(5), comment="", user=people["chen.jing"])


def test_the_employee_the_manager_and_other_departments_are_not_asked_as_colleagues(
    review: Review, people: dict[str, User]
) -> None:
    indicator = review_quarterly_indicators(review=review)[0]
    for someone in ("li.lei", "wang.fang"):
        with pytest.raises(services.ReviewRefused, match="not the employee or yourself"):
            services.review_feedback_request(
                review=review, colleague=people[someone], indicator=indicator, user=people["wang.fang"]
            )
    with pytest.raises(services.ReviewRefused, match=r"吴迪 \(wu\.di\) is not a colleague of 李雷"):
        services.review_feedback_request(
            review=review, colleague=people["wu.di"], indicator=indicator, user=people["wang.fang"]
        )


def test_a_rescore_must_change_the_rating(review: Review, people: dict[str, User]) -> None:
    rated(review, people)
    services.review_approve(review=review, user=people["hr"])
    services.review_appeal(review=review, reason="too low", user=people["li.lei"])

    response = client_for(people["hr"]).post(
        f"/reviews/{review.pk}/resolve/",
        {"decision": "rescore", "collaboration": "8.5", "reason": "checked"},
        follow=True,
    )

    assert "A re-score changes a rating: to keep the ratings, uphold the appeal." in page_text(response.content)
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.APPEALED


def test_a_rescore_needs_the_new_rating_and_an_open_quarter_is_not_reopened(
    review: Review, people: dict[str, User]
) -> None:
    rated(review, people)
    services.review_approve(review=review, user=people["hr"])
    services.review_appeal(review=review, reason="too low", user=people["li.lei"])
    hr = client_for(people["hr"])

    response = hr.post(f"/reviews/{review.pk}/resolve/", {"decision": "rescore", "reason": "checked"})
    assert response.status_code == 400
    assert response.context["resolve_form"].errors == {"collaboration": ["Give the new rating."]}

    response = hr.post(
        f"/reviews/{review.pk}/resolve/",
        {"decision": "rescore", "collaboration": "9", "reason": "checked"},
        follow=True,
    )
    text = page_text(response.content)
    assert "The appeal is resolved: the rating is changed." in text
    assert "reopened" not in text
    assert MetricEntry.objects.get(period="2026-Q1", assignment__employee__username="li.lei").value == Decimal(9)
    assert Review.objects.get(pk=review.pk).resolution == "checked"
