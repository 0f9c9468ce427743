"""Closing part of a period (SPEC.md section 8): a department, a plan, or whoever is complete."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from metrics.cycles.models import Cycle, CycleAction, CycleEvent, CyclePart, CycleStatus, PartStatus
from metrics.cycles.selectors import cycle_status, months_closed
from metrics.figures.services import metrics_import
from metrics.results import closing
from metrics.results.models import Result
from metrics.results.parts import CloseRefused, Selection
from people.models import User
from plans.periods import Period
from plans.tabular import TableError
from tests.factories import DepartmentFactory, UserFactory, assign, csv_table, plan_data, publish

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]

FIGURES = "employee,period,churn.lost,churn.total,satisfaction,new_customers,feedback.ok,feedback.total\n"
QUARTERLY = "employee,period,collaboration\n"
JANUARY = Period.parse("2026-01")


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def two_teams(*, months: tuple[str, ...] = ("2026-01",)) -> tuple[list[User], list[User]]:
    """销售一部 (3 people, every figure in) and 销售二部 (2 people, one late with nothing in)."""
    version = publish()
    east, west = DepartmentFactory.create(name="销售一部"), DepartmentFactory.create(name="销售二部")
    early = [UserFactory.create(username=f"a{n}", display_name=f"甲{n}", department=east) for n in range(3)]
    late = [UserFactory.create(username=f"b{n}", display_name=f"乙{n}", department=west) for n in range(2)]
    for person in early + late:
        assign(person, version, "2026-01")
    rows = "".join(f"{p.username},{m},2,50,8.6,4,46,48\n" for m in months for p in early + late[:1])
    metrics_import(table=csv_table(FIGURES + rows))
    return early, late


def scores(period: str) -> dict[str, Decimal]:
    return dict(
        Result.objects.filter(period=period, superseded_at__isnull=True).values_list("employee__username", "score")
    )


def test_closing_a_department_closes_only_its_people_and_leaves_the_period_open() -> None:
    two_teams()
    out, _err = run("close_cycle", "2026-01", "--department", "销售一部")
    assert out == "2026-01 is closed in part: 3 closed, 2 still open.\n"
    assert set(scores("2026-01")) == {"a0", "a1", "a2"}
    assert cycle_status(period=JANUARY) == CycleStatus.OPEN
    assert [e.action for e in CycleEvent.objects.order_by("pk")] == [
        CycleAction.CLOSE_REQUESTED,
        CycleAction.PART_CLOSED,
    ]
    # The closed people's figures are read-only, the late team's still go in.
    with pytest.raises(TableError) as error:
        metrics_import(table=csv_table(FIGURES + "a0,2026-01,1,50,8.6,4,46,48\n"))
    assert error.value.messages == [
        "Row 2, period: 2026-01 is closed for a0: it takes no new or changed figures of theirs"
    ]
    metrics_import(table=csv_table(FIGURES + "b1,2026-01,1,50,9,4,46,48\n"))


def test_later_closes_score_only_those_left_and_the_period_closes_once_everybody_is() -> None:
    two_teams()
    run("close_cycle", "2026-01", "--complete")
    first = dict(Result.objects.values_list("employee__username", "pk"))
    assert set(first) == {"a0", "a1", "a2", "b0"}  # b1 has nothing in: left open
    metrics_import(table=csv_table(FIGURES + "b1,2026-01,2,50,8.6,4,46,48\n"))
    out, _err = run("close_cycle", "2026-01")
    assert out == "2026-01 is closed: 5 results.\n"
    assert cycle_status(period=JANUARY) == CycleStatus.CLOSED
    after = dict(Result.objects.values_list("employee__username", "pk"))
    assert {name: after[name] for name in first} == first  # the first close's results untouched
    assert Result.objects.count() == 5
    assert list(CyclePart.objects.values_list("number", "complete", "status")) == [
        (1, True, PartStatus.CLOSED),
        (2, False, PartStatus.CLOSED),
    ]
    assert CycleEvent.objects.order_by("pk").last().action == CycleAction.CLOSED  # type: ignore[union-attr]


def test_closing_in_parts_scores_exactly_as_closing_at_once() -> None:
    two_teams(months=("2026-01", "2026-02"))
    metrics_import(table=csv_table(FIGURES + "b1,2026-01,3,40,7,1,20,30\nb1,2026-02,3,40,7,1,20,30\n"))
    run("close_cycle", "2026-01")
    run("close_cycle", "2026-02", "--department", "销售二部")
    run("close_cycle", "2026-02", "--department", "销售一部")
    assert cycle_status(period=Period.parse("2026-02")) == CycleStatus.CLOSED
    assert scores("2026-02") == scores("2026-01")
    bonus = dict(Result.objects.filter(period="2026-02").values_list("employee__username", "bonus"))
    assert bonus == dict(Result.objects.filter(period="2026-01").values_list("employee__username", "bonus"))


def test_a_plan_closes_on_its_own() -> None:
    two_teams()
    other = publish(plan_data(code="support", name="客服绩效方案"))
    newcomer = UserFactory.create(username="c0")
    assign(newcomer, other, "2026-01")
    metrics_import(table=csv_table(FIGURES + "c0,2026-01,2,50,8.6,4,46,48\n"))
    out, _err = run("close_cycle", "2026-01", "--plan", "support")
    assert out == "2026-01 is closed in part: 1 closed, 5 still open.\n"
    assert set(scores("2026-01")) == {"c0"}


def test_a_selection_with_missing_values_is_refused_unless_forced_and_force_touches_only_it() -> None:
    two_teams()
    with pytest.raises(CommandError) as error:
        run("close_cycle", "2026-01", "--department", "销售二部")
    assert "January 2026 cannot close: 4 values are missing" in str(error.value)
    assert "b1" in str(error.value) and "a0" not in str(error.value)
    assert not Result.objects.exists() and not CyclePart.objects.exists()
    run("close_cycle", "2026-01", "--department", "销售二部", "--force")
    incomplete = dict(Result.objects.values_list("employee__username", "flags"))
    assert set(incomplete) == {"b0", "b1"} and "incomplete" in incomplete["b1"]
    assert "incomplete" not in incomplete["b0"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--department", "财务部"), "There is no department “财务部”."),
        (("--plan", "nothing"), "There is no plan “nothing”."),
    ],
)
def test_an_unknown_department_or_plan_is_refused(args: tuple[str, ...], message: str) -> None:
    two_teams()
    with pytest.raises(CommandError, match=message):
        run("close_cycle", "2026-01", *args)
    assert not CyclePart.objects.exists()


def test_a_selection_with_nobody_left_to_close_is_refused() -> None:
    two_teams()
    run("close_cycle", "2026-01", "--department", "销售一部")
    with pytest.raises(CommandError, match=r"Nobody of departments 销售一部 is left to close in January 2026\."):
        run("close_cycle", "2026-01", "--department", "销售一部")


def test_one_close_at_a_time_and_the_same_one_again_is_harmless() -> None:
    two_teams()
    enqueued: list[tuple[int, int]] = []
    east = Selection(departments=("销售一部",))
    first = closing.cycle_close_request(period=JANUARY, selection=east, enqueue=lambda *ids: enqueued.append(ids))
    again = closing.cycle_close_request(period=JANUARY, selection=east, enqueue=lambda *ids: enqueued.append(ids))
    assert first.part is not None and again.part is not None and again.part.pk == first.part.pk
    with pytest.raises(CloseRefused) as refused:
        closing.cycle_close_request(
            period=JANUARY, selection=Selection(complete=True), enqueue=lambda *ids: enqueued.append(ids)
        )
    assert refused.value.message == (
        "A close of departments 销售一部 in January 2026 is under way: wait until it is done, then close the others."
    )
    assert len(enqueued) == 2 and CyclePart.objects.count() == 1


def test_a_request_the_broker_did_not_take_is_withdrawn() -> None:
    two_teams()

    def broker_down(cycle_id: int, run: int) -> None:
        raise ConnectionError("broker down")

    with pytest.raises(ConnectionError):
        closing.cycle_close_request(period=JANUARY, selection=Selection(complete=True), enqueue=broker_down)
    assert not CyclePart.objects.exists()
    # and another selection can be asked for at once
    run("close_cycle", "2026-01", "--department", "销售一部")
    assert set(scores("2026-01")) == {"a0", "a1", "a2"}


def test_export_writes_what_is_closed_and_says_how_many_are_still_open() -> None:
    two_teams()
    with pytest.raises(CommandError, match="January 2026 is not closed"):
        run("export_scores", "2026-01")
    run("close_cycle", "2026-01", "--department", "销售一部")
    out, err = run("export_scores", "2026-01")
    assert [line.split(",")[0] for line in out.splitlines()[1:]] == ["a0", "a1", "a2"]
    assert err == "Still open in 2026-01, so not in this export yet: 2.\n"


def test_reopen_takes_back_every_closed_result_of_a_period_closed_in_part() -> None:
    two_teams()
    with pytest.raises(CommandError, match="January 2026 is not closed"):
        run("reopen_cycle", "2026-01", "--reason", "nothing closed yet")
    run("close_cycle", "2026-01", "--department", "销售一部")
    run("reopen_cycle", "2026-01", "--reason", "wrong targets")
    assert not scores("2026-01")
    cycle = Cycle.objects.get(period="2026-01")
    assert (cycle.status, cycle.run) == (CycleStatus.OPEN, 2)
    metrics_import(table=csv_table(FIGURES + "a0,2026-01,1,50,8.6,4,46,48\n"))  # open again for a0
    run("close_cycle", "2026-01", "--complete")
    assert set(scores("2026-01")) == {"a0", "a1", "a2", "b0"}


def test_a_month_closed_in_part_counts_as_closed_for_assignments() -> None:
    two_teams()
    assert "2026-01" not in months_closed()
    run("close_cycle", "2026-01", "--department", "销售一部")
    assert months_closed()["2026-01"] is True


# --- quarters ------------------------------------------------------------------------------------


def quarter_ready(early: list[User], late: list[User]) -> None:
    """The quarter's months closed for 销售一部 only, and everybody's quarterly rating in."""
    for month in ("2026-01", "2026-02", "2026-03"):
        run("close_cycle", month, "--department", "销售一部")
    rows = "".join(f"{p.username},2026-Q1,4\n" for p in early + late)
    metrics_import(table=csv_table(QUARTERLY + rows))


def test_a_quarter_closes_for_the_people_whose_months_are_closed() -> None:
    early, late = two_teams(months=("2026-01", "2026-02", "2026-03"))
    quarter_ready(early, late)
    with pytest.raises(CommandError) as error:
        run("close_cycle", "2026-Q1")
    assert str(error.value).startswith(
        "Q1 2026 cannot close before its months: January 2026, February 2026, March 2026 not closed for 乙0, 乙1"
    )
    with pytest.raises(CommandError, match="not closed for 乙0, 乙1"):
        run("close_cycle", "2026-Q1", "--department", "销售二部", "--force")
    out, _err = run("close_cycle", "2026-Q1", "--complete")
    assert out == "2026-Q1 is closed in part: 3 closed, 2 still open.\n"
    assert set(scores("2026-Q1")) == {"a0", "a1", "a2"}
    # A month cannot reopen under a quarter closed for some of its people.
    with pytest.raises(CommandError, match=r"Q1 2026 is closed: reopen the quarter before its month March 2026\."):
        run("reopen_cycle", "2026-03", "--reason", "late figures")


def test_a_quarter_of_a_department_scores_as_the_whole_quarter_would() -> None:
    early, late = two_teams(months=("2026-01", "2026-02", "2026-03"))
    quarter_ready(early, late)
    run("close_cycle", "2026-Q1", "--department", "销售一部")
    partial = scores("2026-Q1")
    run("reopen_cycle", "2026-Q1", "--reason", "compare")
    for month in ("2026-01", "2026-02", "2026-03"):
        run("close_cycle", month, "--force")
    run("close_cycle", "2026-Q1")
    whole = scores("2026-Q1")
    assert {name: whole[name] for name in partial} == partial
