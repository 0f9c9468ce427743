"""The manager's grid of a quarter's reviews: /reviews/team/2026-Q1/ (reviews/team_views.py)."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from metrics.figures.models import ChangeSource, MetricChange, MetricEntry
from people.models import User
from plans.periods import Period
from reviews import services
from reviews.models import Review, ReviewAction, ReviewEvent, ReviewStatus
from tests.factories import UserFactory, assign, publish
from tests.reviews.conftest import client_for, page_text

pytestmark = pytest.mark.django_db

Q1 = Period.parse("2026-Q1")
URL = "/reviews/team/2026-Q1/"


def opened(people: dict[str, User], *usernames: str, assessed: bool = True) -> dict[str, Review]:
    reviews = {}
    for username in usernames:
        review = services.review_open(employee=people[username], period=Q1, user=people["hr"])
        if assessed:
            review = services.review_self_assessment_submit(review=review, text="我做到了。", user=people[username])
        reviews[username] = review
    return reviews


def change(employee: str, column: str, value: str, loaded: str = "") -> dict[str, str]:
    return {"employee": employee, "column": column, "value": value, "loaded": loaded}


def post(client: Client, *changes: dict[str, str], action: str = "save") -> tuple[int, str]:
    response = client.post(URL, {"changes": json.dumps(list(changes)), "action": action}, follow=True)
    return response.status_code, page_text(response.content)


def stored(username: str) -> Decimal | None:
    entry = MetricEntry.objects.filter(assignment__employee__username=username, period="2026-Q1").first()
    return entry.value if entry else None


def test_the_grid_shows_the_teams_reviews_with_their_ratings(people: dict[str, User]) -> None:
    opened(people, "li.lei", "han.mei", "wu.di")
    manager = client_for(people["wang.fang"])

    response = manager.get(URL)
    text = page_text(response.content)

    assert "Team ratings for Q1 2026" in text
    assert "内部协作评价 (0 to 10)" in text
    assert "李雷 客户部 Self-assessment submitted" in text and "内部协作评价, comment" in text
    assert 'data-employee="han.mei"' in response.content.decode()
    assert 'value="6" data-column="collaboration" data-loaded="6"' in response.content.decode()  # han.mei's
    assert "吴迪" not in text  # zhao.lei's report


def test_a_quarters_figures_lead_to_the_grid_and_a_month_to_its_quarter(people: dict[str, User]) -> None:
    manager = client_for(people["wang.fang"])

    assert manager.get("/figures/2026-Q1/")["Location"] == URL
    assert manager.get("/reviews/team/2026-02/")["Location"] == URL
    assert manager.get("/figures/2026-Q1/", follow=True).status_code == 200


def test_only_managers_open_the_grid_and_only_of_their_team(people: dict[str, User]) -> None:
    opened(people, "li.lei", "wu.di")
    manager = client_for(people["wang.fang"])

    assert client_for(people["hr"]).get(URL).status_code == 403
    assert client_for(people["li.lei"]).get(URL).status_code == 403
    assert "李雷" not in page_text(client_for(people["zhao.lei"]).get(URL).content)
    response = manager.post(URL, {"changes": json.dumps([change("wu.di", "collaboration", "9", "7")])})
    assert response.status_code == 404
    assert stored("wu.di") == Decimal(7)


def test_saving_writes_only_the_changed_cells_through_each_review(people: dict[str, User]) -> None:
    reviews = opened(people, "li.lei", "han.mei")
    manager = client_for(people["wang.fang"])
    han_mei_changes = MetricChange.objects.filter(assignment__employee__username="han.mei", period="2026-Q1")
    before = list(han_mei_changes)  # the import of the example's figures

    status, text = post(
        manager,
        change("li.lei", "collaboration", "８．５"),  # as a Chinese input method types it
        change("li.lei", "comment", "乐于分享客户笔记。"),
        change("han.mei", "comment", "进步明显。"),
    )

    assert status == 200 and "Saved: 3 changes for 2 people." in text
    assert (stored("li.lei"), stored("han.mei")) == (Decimal("8.5"), Decimal(6))
    li_lei = MetricChange.objects.get(assignment__employee__username="li.lei", period="2026-Q1")
    assert (li_lei.source, li_lei.user, li_lei.new_value) == (ChangeSource.REVIEW, people["wang.fang"], Decimal("8.5"))
    assert list(han_mei_changes) == before
    saved = ReviewEvent.objects.get(review=reviews["li.lei"], action=ReviewAction.RATINGS_SAVED)
    assert saved.note == "内部协作评价: — → 8.5\nComment: 乐于分享客户笔记。"
    assert Review.objects.get(pk=reviews["han.mei"].pk).manager_comment == "进步明显。"
    assert Review.objects.get(pk=reviews["li.lei"].pk).status == ReviewStatus.SELF_ASSESSMENT  # saved, not submitted


def test_a_bad_value_refuses_the_whole_save_naming_the_person_and_the_indicator(people: dict[str, User]) -> None:
    reviews = opened(people, "li.lei", "han.mei")
    manager = client_for(people["wang.fang"])

    status, text = post(
        manager,
        change("han.mei", "collaboration", "7", "6"),
        change("han.mei", "comment", "进步明显。"),
        change("li.lei", "collaboration", "11"),
    )
    _status, emptied = post(manager, change("han.mei", "collaboration", "", "6"))

    assert status == 400
    assert "Nothing was saved: correct the cells marked below." in text
    assert "李雷 · 内部协作评价: the rating 11 is outside its scale of 0 to 10" in text
    assert "韩梅梅 · 内部协作评价: A rating cannot be emptied" in emptied
    assert (stored("li.lei"), stored("han.mei")) == (None, Decimal(6))
    assert Review.objects.get(pk=reviews["han.mei"].pk).manager_comment == ""
    assert not ReviewEvent.objects.filter(action=ReviewAction.RATINGS_SAVED).exists()


def test_a_stale_save_does_not_overwrite_a_newer_value(people: dict[str, User]) -> None:
    reviews = opened(people, "han.mei")
    manager = client_for(people["wang.fang"])
    # Another tab saves 7 over the 6 this page was loaded with.
    services.review_ratings_save(
        review=reviews["han.mei"],
        ratings={"collaboration": "7"},
        comment="另一个标签页。",
        loaded={"collaboration": "6", "comment": ""},
        user=people["wang.fang"],
    )

    response = manager.post(
        URL,
        {
            "changes": json.dumps(
                [change("han.mei", "collaboration", "8", "6"), change("han.mei", "comment", "这一页。", "")]
            ),
            "action": "save",
        },
    )
    text, html = page_text(response.content), response.content.decode()

    assert response.status_code == 400
    assert "韩梅梅 · 内部协作评价: changed meanwhile to 7: save again to replace it with yours" in text
    assert "韩梅梅 · comment: changed meanwhile to 另一个标签页。" in text
    assert stored("han.mei") == Decimal(7)
    assert 'value="8" data-column="collaboration" data-loaded="7"' in html  # saving again replaces it
    status, text = post(manager, change("han.mei", "collaboration", "8", "7"))
    assert status == 200 and stored("han.mei") == Decimal(8)


def test_submit_all_submits_the_rated_reviews_and_lists_the_others(people: dict[str, User]) -> None:
    opened(people, "li.lei", "han.mei")
    chen_jing = people["chen.jing"]
    chen_jing.manager = people["wang.fang"]
    chen_jing.save()
    assign(chen_jing, User.objects.get(username="li.lei").assignments.get().version)
    draft = opened(people | {"chen.jing": chen_jing}, "chen.jing", assessed=False)["chen.jing"]
    manager = client_for(people["wang.fang"])
    services.review_ratings_save(
        review=draft, ratings={"collaboration": "9"}, comment="好。", loaded={}, user=people["wang.fang"]
    )

    status, text = post(
        manager,
        change("li.lei", "collaboration", "8.5"),
        change("li.lei", "comment", "乐于分享客户笔记。"),
        action="submit",
    )

    assert status == 200
    assert "Submitted to HR for approval: 李雷." in text
    assert "Not submitted, still waiting for: 陈静: the self-assessment; 韩梅梅: comment." in text
    statuses = dict(Review.objects.values_list("employee__username", "status"))
    assert statuses == {
        "li.lei": ReviewStatus.MANAGER_REVIEW,
        "han.mei": ReviewStatus.SELF_ASSESSMENT,
        "chen.jing": ReviewStatus.DRAFT,
    }
    assert "HR approves" in page_text(manager.get(URL).content)


def test_a_review_rated_through_the_grid_has_the_history_of_one_rated_on_its_own(people: dict[str, User]) -> None:
    reviews = opened(people, "li.lei", "wu.di")
    manager = client_for(people["wang.fang"])
    post(manager, change("li.lei", "collaboration", "8.5"), change("li.lei", "comment", "好。"))
    post(manager, action="submit")
    # wu.di rated on his own review page by his manager.
    client_for(people["zhao.lei"]).post(
        f"/reviews/{reviews['wu.di'].pk}/rating/", {"collaboration": "8.5", "comment": "好。"}
    )

    def history(username: str) -> list[tuple[str, str]]:
        events = ReviewEvent.objects.filter(review__employee__username=username).order_by("at", "pk")
        return [(e.action, e.note) for e in events if e.action != ReviewAction.RATINGS_SAVED]

    assert history("li.lei") == [
        (ReviewAction.OPENED, ""),
        (ReviewAction.SELF_ASSESSMENT_SUBMITTED, ""),
        (ReviewAction.MANAGER_REVIEW_SUBMITTED, "内部协作评价: 8.5"),
    ]
    assert history("li.lei")[1:] == history("wu.di")[1:]
    li_lei = Review.objects.get(pk=reviews["li.lei"].pk)
    assert (li_lei.status, li_lei.manager_comment) == (ReviewStatus.MANAGER_REVIEW, "好。")
    changes = MetricChange.objects.filter(assignment__employee__username="li.lei", period="2026-Q1")
    assert [(c.old_value, c.new_value, c.source) for c in changes] == [(None, Decimal("8.5"), ChangeSource.REVIEW)]


def test_a_submitted_review_is_read_only_on_the_grid(people: dict[str, User]) -> None:
    reviews = opened(people, "li.lei")
    services.review_manager_submit(
        review=reviews["li.lei"], ratings={"collaboration": Decimal(9)}, comment="好。", user=people["wang.fang"]
    )
    manager = client_for(people["wang.fang"])

    html = manager.get(URL).content.decode()
    status, text = post(manager, change("li.lei", "collaboration", "5", "9"))

    assert 'data-loaded="9" aria-label="李雷 内部协作评价" disabled' in html
    assert status == 400 and "its ratings can no longer be changed here" in text
    assert stored("li.lei") == Decimal(9)


def _grid_queries(manager: User) -> int:
    client = client_for(manager)
    client.get(URL)  # sessions and the like, once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_the_grid_takes_as_many_queries_for_thirty_people_as_for_two(people: dict[str, User]) -> None:
    manager, hr = people["wang.fang"], people["hr"]
    opened(people, "li.lei", "han.mei", assessed=False)
    two = _grid_queries(manager)
    version = publish()
    for n in range(28):
        report = UserFactory.create(username=f"report{n:02d}", display_name=f"组员{n}", manager=manager)
        assign(report, version)
        services.review_open(employee=report, period=Q1, user=hr)

    thirty = _grid_queries(manager)

    assert thirty == two
    assert page_text(client_for(manager).get(URL).content).count("组员") == 28


def test_the_employee_reads_neither_the_draft_nor_the_ratings_before_hr_approves(people: dict[str, User]) -> None:
    reviews = opened(people, "li.lei")
    manager, employee = client_for(people["wang.fang"]), client_for(people["li.lei"])
    post(manager, change("li.lei", "collaboration", "8.5"), change("li.lei", "comment", "乐于分享客户笔记。"))
    page = f"/reviews/{reviews['li.lei'].pk}/"

    draft = page_text(employee.get(page).content)
    post(manager, action="submit")
    submitted = page_text(employee.get(page).content)
    services.review_approve(review=reviews["li.lei"], user=people["hr"])
    approved = page_text(employee.get(page).content)

    for text in (draft, submitted):
        assert "8.5" not in text and "乐于分享客户笔记。" not in text and "Manager’s ratings saved" not in text
    assert "Manager’s review submitted" in submitted and "after HR’s approval" in submitted
    assert "内部协作评价: 8.5" in approved and "乐于分享客户笔记。" in approved
    assert "Manager’s ratings saved" in page_text(manager.get(page).content)


@pytest.mark.parametrize(
    ("typed", "accepted"),
    [("８．５", Decimal("8.5")), ("1e12", None), ("NaN", None), ("9.1234567", None), ("5%", None)],
)
def test_ratings_are_read_as_every_number_is(people: dict[str, User], typed: str, accepted: Decimal | None) -> None:
    """Full-width digits as a Chinese input method types them count; what plans/numbers.py refuses
    (too large, not a number, too many decimals, a percentage of a rating) refuses the save."""
    opened(people, "li.lei")
    status, text = post(client_for(people["wang.fang"]), change("li.lei", "collaboration", typed))
    assert stored("li.lei") == accepted
    if accepted is None:
        assert status == 400 and "李雷 · 内部协作评价" in text


def test_an_empty_cell_that_was_empty_changes_nothing(people: dict[str, User]) -> None:
    opened(people, "li.lei")
    status, _text = post(client_for(people["wang.fang"]), change("li.lei", "collaboration", ""))
    assert status == 200 and stored("li.lei") is None
