"""Charts and lists that do not mislead (issue 12, part 7): gaps, a zero axis, empty filters, no one twice."""

from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from metrics.bench.management.commands.bench_dashboard import bench_data_create
from metrics.results.closing import cycle_reopen
from metrics.results.dashboards import DashboardFilters, dashboard, rank_sizes
from people.models import Role
from plans.models import PlanTemplate
from plans.periods import Period
from tests.metrics.results.test_cycle_pages import client_for, close, examples_loaded, page_text, person


@pytest.fixture
def hr(db: None) -> Client:
    return client_for(person("hr", Role.HR))


def test_a_month_without_results_is_a_gap_in_the_trend_not_a_join(db: None, examples: Path) -> None:
    examples_loaded(examples)
    for period in ("2026-01", "2026-02", "2026-03"):
        close(period)
    cycle_reopen(period=Period.parse("2026-02"), reason="figures counted twice")

    trend = dashboard(filters=DashboardFilters()).charts["trend"]

    assert trend["labels"] == ["January 2026", "February 2026", "March 2026"]
    assert trend["averages"][1] is None
    assert trend["averages"][0] == "107.66" and trend["averages"][2] is not None


@pytest.mark.parametrize(("count", "sizes"), [(0, (0, 0)), (1, (1, 0)), (15, (8, 7)), (20, (10, 10)), (25, (10, 10))])
def test_the_best_and_worst_lists_split_fewer_than_twenty_people(count: int, sizes: tuple[int, int]) -> None:
    assert rank_sizes(count) == sizes


def test_with_15_people_nobody_is_both_among_the_best_and_the_worst(db: None) -> None:
    bench_data_create(employees=15, prefix="t")
    board = dashboard(filters=DashboardFilters(period="2000-01"))

    top, bottom = [r.employee for r in board.top], [r.employee for r in board.bottom]
    assert (len(top), len(bottom)) == (8, 7)
    assert not set(top) & set(bottom)
    assert [r.score for r in board.top] == sorted((r.score for r in board.top), reverse=True)
    assert min(r.score for r in board.top) >= max(r.score for r in board.bottom)


def test_a_plan_filter_with_nobody_in_the_open_months_says_so(db: None, examples: Path, hr: Client) -> None:
    examples_loaded(examples)
    close("2026-01")
    PlanTemplate.objects.create(code="nobody", name="无人方案")

    assert dashboard(filters=DashboardFilters(plan="nobody")).completion == []
    with translation.override("zh-hans"):
        text = page_text(hr.get("/dashboard/", {"plan": "nobody"}, headers={"accept-language": "zh-hans"}).content)
    assert "0 / 0" not in text and "0.0 %" not in text
    assert "没有符合筛选条件的结果。" in text
    assert "所选范围内没有开放中的月份：筛选出的人员都无需录入数据。" in text


def test_the_trend_and_department_charts_start_at_zero() -> None:
    script = Path("static/js/dashboard.js").read_text(encoding="utf-8")
    trend = script[script.index('draw("chart-trend"') : script.index('draw("chart-histogram"')]
    departments = script[script.index('draw("chart-departments"') :]
    assert "spanGaps: false" in trend and "y: { beginAtZero: true }" in trend
    assert "x: { beginAtZero: true }" in departments
