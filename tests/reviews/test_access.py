"""Every review page, URL by URL: another team's review is a 404, the wrong role or person a 403."""

import pytest
from django.test import Client

from people.models import User
from plans.periods import Period
from reviews import services
from reviews.models import Review
from reviews.selectors import review_quarterly_indicators
from tests.reviews.conftest import client_for

pytestmark = pytest.mark.django_db

Q1 = Period.parse("2026-Q1")


@pytest.fixture
def ids(people: dict[str, User]) -> dict[str, int]:
    li_lei = services.review_open(employee=people["li.lei"], period=Q1, user=people["wang.fang"])
    wu_di = services.review_open(employee=people["wu.di"], period=Q1, user=people["hr"])
    request = services.review_feedback_request(
        review=li_lei,
        colleague=people["han.mei"],
        indicator=review_quarterly_indicators(review=li_lei)[0],
        user=people["wang.fang"],
    )
    return {"review": li_lei.pk, "other_team": wu_di.pk, "request": request.pk}


def status(people: dict[str, User], who: str, method: str, url: str, data: dict[str, str] | None = None) -> int:
    client = client_for(people[who])
    response = client.get(url) if method == "get" else client.post(url, data or {})
    return response.status_code


PAGES = [
    # (url, {user: expected status})
    ("/reviews/", {"li.lei": 200, "wang.fang": 200, "hr": 200}),
    ("/reviews/feedback/", {"han.mei": 200, "li.lei": 200, "hr": 200}),
    ("/reviews/team/", {"wang.fang": 200, "li.lei": 403, "hr": 403}),
    ("/reviews/hr/", {"hr": 200, "wang.fang": 403, "li.lei": 403}),
    ("/reviews/{review}/", {"li.lei": 200, "wang.fang": 200, "hr": 200, "han.mei": 404, "zhao.lei": 404}),
    ("/reviews/{other_team}/", {"zhao.lei": 200, "wu.di": 200, "wang.fang": 404, "li.lei": 404}),
    ("/reviews/feedback/{request}/", {"han.mei": 200, "chen.jing": 404, "wang.fang": 404, "li.lei": 404}),
]


@pytest.mark.parametrize(("url", "expected"), PAGES)
def test_pages_answer_each_person_in_their_scope(
    people: dict[str, User], ids: dict[str, int], url: str, expected: dict[str, int]
) -> None:
    assert {who: status(people, who, "get", url.format(**ids)) for who in expected} == expected


STEPS = [
    ("/reviews/{review}/self-assessment/", {"text": "x"}, {"wang.fang": 403, "hr": 403, "han.mei": 404}),
    ("/reviews/{review}/ask-colleague/", {}, {"li.lei": 403, "hr": 403, "zhao.lei": 404}),
    ("/reviews/{review}/rating/", {"collaboration": "8", "comment": "x"}, {"li.lei": 403, "hr": 403, "zhao.lei": 404}),
    ("/reviews/{review}/approve/", {}, {"li.lei": 403, "wang.fang": 403}),
    ("/reviews/{review}/acknowledge/", {}, {"wang.fang": 403, "hr": 403, "han.mei": 404}),
    ("/reviews/{review}/appeal/", {"reason": "x"}, {"wang.fang": 403, "hr": 403, "han.mei": 404}),
    ("/reviews/{review}/resolve/", {"decision": "uphold", "reason": "x"}, {"li.lei": 403, "wang.fang": 403}),
    ("/reviews/{other_team}/rating/", {"collaboration": "8", "comment": "x"}, {"wang.fang": 404}),
    # Another team's employee is no one to pick: a form error (the page it came from), not a 404.
    ("/reviews/open/", {"name": "韩梅梅", "period": "2026-Q1"}, {"li.lei": 403, "zhao.lei": 302}),
    ("/reviews/open/", {"name": "吴迪", "period": "2026-Q2"}, {"wang.fang": 302}),
    ("/reviews/open-all/", {"period": "2026-Q2"}, {"li.lei": 403, "wang.fang": 403}),
]


@pytest.mark.parametrize(("url", "data", "expected"), STEPS)
def test_each_step_refuses_the_wrong_person_and_changes_nothing(
    people: dict[str, User], ids: dict[str, int], url: str, data: dict[str, str], expected: dict[str, int]
) -> None:
    before = list(Review.objects.values_list("pk", "status", "self_assessment", "appeal_reason"))

    assert {who: status(people, who, "post", url.format(**ids), data) for who in expected} == expected
    assert list(Review.objects.values_list("pk", "status", "self_assessment", "appeal_reason")) == before


def test_steps_take_posts_only_and_visitors_sign_in_first(
    people: dict[str, User], ids: dict[str, int], client: Client
) -> None:
    assert status(people, "li.lei", "get", f"/reviews/{ids['review']}/acknowledge/") == 405
    response = client.get(f"/reviews/{ids['review']}/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
