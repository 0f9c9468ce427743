"""A result line points at its indicator with neither an index nor a database constraint (the
index was a quarter of the close's writing of lines, and nothing reads lines by indicator). What
keeps every line's indicator there is that only a draft's indicators are ever deleted, and a
draft is never scored: these tests hold the product to that."""

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import ProtectedError
from django.test.utils import CaptureQueriesContext

from metrics.results.closing import cycle_close_start, cycle_close_work
from metrics.results.models import ResultLine
from plans.models import Indicator
from plans.services import PlanError, draft_open, draft_publish, indicator_delete
from tests.factories import UserFactory, assign, publish
from tests.metrics.results.closes import close_requested, figures_entered

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(django_capture_on_commit_callbacks: Any) -> list[ResultLine]:
    """January closed for two people on the seed plan: their result lines."""
    version = publish()
    people = [UserFactory.create(username=f"l{n}") for n in range(2)]
    for person in people:
        assign(person, version, "2026-01")
    figures_entered(people, "2026-01")
    cycle_id, run = close_requested(django_capture_on_commit_callbacks, "2026-01")
    cycle_close_start(cycle_id=cycle_id, run=run)
    cycle_close_work(cycle_id=cycle_id, run=run)
    lines = list(ResultLine.objects.select_related("result__version"))
    assert len(lines) == 2 * 4  # the seed plan's four monthly indicators
    return lines


def test_the_version_of_a_result_cannot_be_deleted_so_neither_can_its_indicators(scored: list[ResultLine]) -> None:
    version = scored[0].result.version
    with pytest.raises(ProtectedError):
        version.delete()
    assert Indicator.objects.filter(pk__in={line.indicator_id for line in scored}).count() == 4


def test_a_scored_indicator_cannot_be_deleted_in_the_builder(scored: list[ResultLine]) -> None:
    with pytest.raises(PlanError):
        indicator_delete(indicator=scored[0].indicator)
    assert Indicator.objects.filter(pk=scored[0].indicator_id).exists()


def test_publishing_a_draft_deletes_only_the_drafts_indicators_and_reads_no_result_line(
    scored: list[ResultLine],
) -> None:
    draft = draft_open(template=scored[0].result.version.template)
    draft.indicators.filter(code="churn").update(weight=Decimal(25))
    draft.indicators.filter(code="satisfaction").update(weight=Decimal(30))
    with CaptureQueriesContext(connection) as queries:
        outcome = draft_publish(draft=draft)
    assert outcome.created
    assert not [query for query in queries.captured_queries if ResultLine._meta.db_table in query["sql"]]
    # Every line still has its indicator, and the results read as before.
    lines = ResultLine.objects.all()
    assert lines.count() == len(scored)
    assert Indicator.objects.filter(pk__in=lines.values("indicator_id")).count() == 4
