"""Trying a plan (SPEC.md section 9): ``simulate_plan`` and the simulation it prints."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from metrics.figures.models import MetricEntry
from metrics.results.models import Result
from tests.metrics.results.test_cycle_pages import close, examples_loaded

pytestmark = pytest.mark.django_db

PERIODS = ("2026-01", "2026-02", "2026-03", "2026-Q1")


def simulate(*args: str) -> str:
    out, err = StringIO(), StringIO()
    call_command("simulate_plan", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_the_published_file_reproduces_every_closed_export(examples: Path) -> None:
    examples_loaded(examples)
    for period in PERIODS:
        close(period)
    plan = str(examples / "customer-manager.json")
    for period in PERIODS:
        assert simulate(plan, period) == (examples / f"scores-{period}.csv").read_text(encoding="utf-8"), period


def test_it_scores_periods_nobody_closed_and_saves_nothing(examples: Path, tmp_path: Path) -> None:
    examples_loaded(examples)
    output = tmp_path / "q1.csv"
    simulate(str(examples / "customer-manager.json"), "2026-Q1", "--output", str(output))
    # The quarter's months were never closed: the simulation scored them from the figures.
    assert output.read_text(encoding="utf-8") == (examples / "scores-2026-Q1.csv").read_text(encoding="utf-8")
    assert not Result.objects.exists()


def test_a_changed_plan_changes_the_scores(examples: Path, tmp_path: Path) -> None:
    examples_loaded(examples)
    data = json.loads((examples / "customer-manager.json").read_text(encoding="utf-8"))
    data["bands"] = [{"min": 110, "label": "A", "payout": 100}, {"min": 0, "label": "B", "payout": 60}]
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    rows = [line.split(",") for line in simulate(str(plan), "2026-01").splitlines()]
    assert rows[0][:7] == ["employee", "period", "score", "band", "payout", "bonus", "flags"]
    li_lei = next(row for row in rows if row[0] == "li.lei")
    assert li_lei[2:6] == ["107.66", "B", "60.00", "1200.00"]  # 107.66 no longer reaches A; 2000 × 60 %


def test_missing_values_score_zero_and_are_flagged_incomplete(examples: Path) -> None:
    examples_loaded(examples)
    MetricEntry.objects.filter(period="2026-01", indicator__code="satisfaction").delete()
    rows = {
        line.split(",")[0]: line.split(",")
        for line in simulate(str(examples / "customer-manager.json"), "2026-01").splitlines()
    }
    assert "incomplete" in rows["li.lei"][6]
    assert rows["li.lei"][7 + 1] == "0.00"  # satisfaction, the second indicator


def test_a_new_formula_reads_the_stored_inputs(examples: Path, tmp_path: Path) -> None:
    examples_loaded(examples)
    data = json.loads((examples / "customer-manager.json").read_text(encoding="utf-8"))
    churn = data["indicators"][0]
    churn["formula"] = "lost / total * 50"  # half the churn: li.lei's 4 % reads 2 %, the stretch (3) is reached
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    rows = {line.split(",")[0]: line.split(",") for line in simulate(str(plan), "2026-01").splitlines()}
    assert rows["li.lei"][7] == "41.00"  # 30 × 1.2 (capped) + the stretch's 5


def test_a_bad_plan_file_is_refused_as_load_plan_refuses_it(examples: Path, tmp_path: Path) -> None:
    examples_loaded(examples)
    data = json.loads((examples / "customer-manager.json").read_text(encoding="utf-8"))
    data["indicators"][0]["weight"] = 29
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="99"):
        simulate(str(plan), "2026-01")


def test_an_unknown_plan_or_period_is_refused(examples: Path, tmp_path: Path) -> None:
    examples_loaded(examples)
    data = json.loads((examples / "customer-manager.json").read_text(encoding="utf-8"))
    data["code"] = "nobody-on-it"
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(CommandError, match="nobody-on-it"):
        simulate(str(plan), "2026-01")
    with pytest.raises(CommandError, match="2026-13"):
        simulate(str(examples / "customer-manager.json"), "2026-13")
