"""Who owns a value (SPEC.md section 7): a quarterly review holds its quarter's ratings.

Once it exists, the grid, uploads and the import command refuse those ratings, naming the
review; only the review's own steps change them, and those steps are their audit trail.
"""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from metrics.figures.models import ChangeSource, MetricChange, MetricEntry
from metrics.figures.services import metrics_import
from people.models import Role, User
from plans.periods import Period
from plans.tabular import TableError
from reviews import services as reviews
from reviews.models import Review, ReviewEvent, ReviewStatus
from tests.factories import UserFactory, assign, csv_table, publish

RATING_FILE = "employee,period,collaboration\nhan.mei,2026-Q1,2\n"


@pytest.fixture
def approved(db: None) -> Review:
    """han.mei's review of 2026-Q1, rated 8 by wang.fang and approved by HR."""
    version = publish()
    wang = UserFactory.create(username="wang.fang", role=Role.MANAGER)
    han = UserFactory.create(username="han.mei", manager=wang)
    assign(han, version, "2026-01")
    hr = UserFactory.create(username="hr", role=Role.HR)
    review = reviews.review_open(employee=han, period=Period.parse("2026-Q1"), user=wang)
    review = reviews.review_self_assessment_submit(review=review, text="A good quarter.", user=han)
    review = reviews.review_manager_submit(
        review=review, ratings={"collaboration": Decimal("8")}, comment="Well done.", user=wang
    )
    return reviews.review_approve(review=review, user=hr)


def rating() -> Decimal | None:
    return MetricEntry.objects.get(indicator__code="collaboration", period="2026-Q1").value


def refusal(review: Review) -> str:
    return (
        f"Row 2, collaboration: han.mei 2026-Q1 collaboration is rated in the quarterly review "
        f"(opened {timezone.localdate(review.created_at).isoformat()}): change it there"
    )


def snapshot(review: Review) -> tuple[object, ...]:
    review.refresh_from_db()
    return rating(), review.status, ReviewEvent.objects.count(), MetricChange.objects.count()


def test_the_review_writes_its_rating_as_the_review(approved: Review) -> None:
    assert rating() == Decimal("8")
    assert MetricChange.objects.get().source == ChangeSource.REVIEW


def test_the_import_refuses_a_rating_the_review_holds_naming_the_review(approved: Review) -> None:
    before = snapshot(approved)
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table(RATING_FILE))
    assert error.value.messages == [refusal(approved)]
    assert snapshot(approved) == before
    assert approved.status == ReviewStatus.HR_APPROVAL


def test_an_upload_over_an_approved_rating_is_refused_and_changes_nothing(approved: Review) -> None:
    client = Client()
    client.force_login(User.objects.get(username="wang.fang"))
    before = snapshot(approved)
    page = client.post("/figures/upload/", {"file": SimpleUploadedFile("q1.csv", RATING_FILE.encode())})
    text = page.content.decode().replace("&#x27;", "'")
    assert "Nothing was saved" in text
    assert refusal(approved) in text
    assert "Apply these changes" not in text
    assert snapshot(approved) == before


def test_the_command_refuses_it_and_saves_nothing(approved: Review, tmp_path: Path) -> None:
    path = tmp_path / "q1.csv"
    path.write_text(RATING_FILE + "han.mei,2026-01,,\n", encoding="utf-8")
    before = snapshot(approved)
    with pytest.raises(CommandError) as error:
        call_command("import_metrics", str(path))
    assert refusal(approved) in str(error.value)
    assert snapshot(approved) == before


def test_the_same_rating_again_is_no_change_and_not_refused(approved: Review) -> None:
    # A file that repeats what the review holds changes nothing: it passes.
    outcome = metrics_import(table=csv_table("employee,period,collaboration\nhan.mei,2026-Q1,8\n"))
    assert (outcome.changed, outcome.unchanged) == (0, 1)


def test_another_quarter_or_person_is_not_held_by_the_review(approved: Review) -> None:
    UserFactory.create(username="li.lei")
    assign(User.objects.get(username="li.lei"), approved.employee.assignments.get().version, "2026-01")
    outcome = metrics_import(table=csv_table("employee,period,collaboration\nhan.mei,2026-Q2,2\nli.lei,2026-Q1,2\n"))
    assert outcome.created == 2


def test_the_review_itself_still_changes_the_rating_on_appeal(approved: Review) -> None:
    hr = User.objects.get(username="hr")
    review = reviews.review_appeal(review=approved, reason="I helped every team.", user=approved.employee)
    reviews.review_appeal_rescore(review=review, ratings={"collaboration": Decimal("9")}, reason="Agreed.", user=hr)
    assert rating() == Decimal("9")
