"""What goes in is what comes out (SPEC.md section 7): values at the limits, saved through the
services and read back from the database, equal to the digit. Runs on the suite's database:
SQLite here, PostgreSQL in CI."""

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.figures.models import MetricEntry
from metrics.figures.services import FiguresError, metrics_import
from metrics.results.models import Result
from people.models import User
from people.staffing.roster import roster_import
from plans.models import Assignment, Indicator
from plans.numbers import LIMIT, number_text
from plans.plan_file import PlanFileError, plan_file_loads, plan_file_parse
from plans.scoring import highest_score
from plans.services import plan_publish
from tests.factories import UserFactory, assign, csv_table, plan_data, publish
from tests.metrics.results.test_cycle_pages import close

EDGE = Decimal("0.000001")
# Every figure SPEC 7 accepts, with the limits themselves drawn often.
figures = st.one_of(
    st.sampled_from([LIMIT - EDGE, -(LIMIT - EDGE), EDGE, -EDGE, Decimal(0), Decimal("123456789.123456")]),
    st.decimals(min_value=-(LIMIT - EDGE), max_value=LIMIT - EDGE, places=6),
)
money = st.one_of(
    st.sampled_from([LIMIT - Decimal("0.01"), Decimal("0.01"), Decimal(0)]),
    st.decimals(min_value=0, max_value=LIMIT - Decimal("0.01"), places=2),
)
SLOW = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@pytest.fixture
def li(db: None) -> User:
    version = publish()
    person = UserFactory.create(username="li.lei")
    assign(person, version, start="2026-01")
    return person


@SLOW
@given(value=figures, lost=figures)
def test_a_figure_at_the_limits_reads_back_exactly(li: User, value: Decimal, lost: Decimal) -> None:
    churn = lost.quantize(
        Decimal("0.0001"), rounding=ROUND_HALF_UP
    )  # lost / 100 * 100, to 4 decimals, as SPEC 2 rounds
    if abs(churn) >= LIMIT:
        with pytest.raises(FiguresError, match=r"li\.lei 2026-01 客户流失率: .* is too large"):
            metrics_import(
                table=csv_table(f"employee,period,churn.lost,churn.total\nli.lei,2026-01,{number_text(lost)},100\n")
            )
        assert not MetricEntry.objects.exists()
        return
    with transaction.atomic():
        metrics_import(
            table=csv_table(
                "employee,period,new_customers,churn.lost,churn.total\n"
                f"li.lei,2026-01,{number_text(value)},{number_text(lost)},100\n"
            )
        )
        entries = {entry.indicator.code: entry for entry in MetricEntry.objects.select_related("indicator")}
        assert entries["new_customers"].value == value
        assert Decimal(entries["churn"].inputs["lost"]) == lost
        assert entries["churn"].value == churn
        transaction.set_rollback(True)


@SLOW
@given(monthly=money, quarterly=money)
def test_a_bonus_amount_at_the_limits_reads_back_exactly(db: None, monthly: Decimal, quarterly: Decimal) -> None:
    with transaction.atomic():
        publish()
        roster_import(
            table=csv_table(
                "employee,name,department,manager,plan,start,monthly_bonus,quarterly_bonus\n"
                f"li.lei,李雷,客户部,,customer-manager,2026-01,{monthly:f},{quarterly:f}\n"
            )
        )
        assignment = Assignment.objects.get(employee=User.objects.get(username="li.lei"))
        assert (assignment.monthly_bonus, assignment.quarterly_bonus) == (monthly, quarterly)
        transaction.set_rollback(True)


@SLOW
@given(target=figures.filter(lambda v: v > 0), tier=figures, bonus=figures.filter(lambda v: v >= 0))
def test_a_plan_parameter_at_the_limits_reads_back_exactly(
    db: None, target: Decimal, tier: Decimal, bonus: Decimal
) -> None:
    data = plan_data()
    churn, _satisfaction, _new, feedback, _collaboration = data["indicators"]
    churn["target"] = target
    churn["stretch"] = {"target": tier, "bonus": bonus}
    feedback["tiers"] = [[tier, bonus]]
    # The plan's own indicators, churn with that stretch bonus (tiers never give more than W*cap).
    rules = [
        replace(i.rule, stretch_target=tier, stretch_bonus=bonus) if i.rule.code == "churn" else i.rule
        for i in plan_file_parse(plan_data()).indicators
    ]
    if highest_score(rules) >= LIMIT:
        # churn (30, cap 1.2) with that stretch bonus could score past what a result stores
        with pytest.raises(PlanFileError, match="the highest score these indicators can give"):
            plan_file_parse(data)
        return
    with transaction.atomic():
        version = plan_publish(definition=plan_file_parse(data)).version
        stored = {i.code: i for i in Indicator.objects.filter(version=version)}
        assert stored["churn"].target == target
        assert (stored["churn"].stretch_target, stored["churn"].stretch_bonus) == (tier, bonus)
        assert [[Decimal(t), Decimal(p)] for t, p in stored["feedback"].tiers] == [[tier, bonus]]
        transaction.set_rollback(True)


# The most a plan and a roster accept: payouts and bonus amounts just below 10^9, the one
# indicator of weight 100 with the highest cap its score allows.
LARGEST_PLAN = """{"code": "largest", "name": "上限方案", "goals": [{"code": "g", "name": "目标"}],
 "indicators": [{"code": "sales", "name": "销售额", "goal": "g", "weight": 100, "method": "proportional",
                 "target": 0.000001, "cap": 9999999.99}],
 "bands": [{"min": 0, "label": "C", "payout": 0}, {"min": 999999999, "label": "S", "payout": 999999999.999999}]}"""


@pytest.mark.django_db(transaction=True)
def test_the_largest_results_a_plan_and_a_roster_accept_are_stored_and_read_back_exactly() -> None:
    definition = plan_file_loads(LARGEST_PLAN)
    assert highest_score(definition.rules.indicators) == Decimal("999999999.00")
    plan_publish(definition=definition)
    roster_import(
        table=csv_table(
            "employee,name,department,manager,plan,start,monthly_bonus,quarterly_bonus\n"
            "li.lei,李雷,客户部,,largest,2026-01,999999999.99,999999999.99\n"
        )
    )
    metrics_import(table=csv_table("employee,period,sales\nli.lei,2026-01,999999999.999999\n"))
    close("2026-01")

    result = Result.objects.get(period="2026-01")
    line = result.lines.get()
    # capped at 100 × 9,999,999.99 points, scaled by the weights (100): the highest score, band S
    assert (line.points, line.actual) == (Decimal("999999999.00"), Decimal("999999999.999999"))
    assert (result.score, result.band, result.payout) == (Decimal("999999999.00"), "S", Decimal("1000000000.00"))
    # 999,999,999.99 × 999,999,999.999999 / 100 = 9,999,999,999,899,990.0000000001: sixteen digits
    assert result.bonus == Decimal("9999999999899990.00")
