"""Every change to a figure is recorded: who, when, from what to what, however it came in."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import Client

from metrics.figures.models import ChangeSource, MetricChange
from metrics.figures.services import metrics_import
from people.models import User
from plans.models import PlanVersion
from tests.factories import csv_table
from tests.metrics.figures import test_grid
from tests.metrics.figures.test_grid import loaded, typed

team, wang = test_grid.team, test_grid.wang  # the grid's fixtures


def test_the_import_command_records_each_change_with_its_inputs(team: PlanVersion, tmp_path: Path) -> None:
    path = tmp_path / "metrics.csv"
    path.write_text("employee,period,churn.lost,churn.total,satisfaction\nli.lei,2026-01,2,50,8.6\n")
    call_command("import_metrics", str(path), stdout=StringIO())
    path.write_text("employee,period,churn.lost,satisfaction\nli.lei,2026-01,1,8.6\n")
    call_command("import_metrics", str(path), stdout=StringIO())

    changes = list(MetricChange.objects.select_related("indicator").order_by("pk"))
    assert [(c.indicator.code, c.created, c.old_value, c.new_value, c.source) for c in changes] == [
        ("churn", True, None, Decimal("4.0000"), ChangeSource.IMPORT),
        ("satisfaction", True, None, Decimal("8.6"), ChangeSource.IMPORT),
        ("churn", False, Decimal("4.0000"), Decimal("2.0000"), ChangeSource.IMPORT),
    ]
    assert (changes[2].old_inputs, changes[2].new_inputs) == (
        {"lost": "2", "total": "50"},
        {"lost": "1", "total": "50"},
    )
    assert changes[2].user is None and changes[2].at is not None


def test_a_dry_run_and_an_unchanged_import_record_nothing(team: PlanVersion) -> None:
    table = csv_table("employee,period,satisfaction\nli.lei,2026-01,9\n")
    metrics_import(table=table, dry_run=True)
    assert MetricChange.objects.count() == 0
    metrics_import(table=table)
    metrics_import(table=table)
    assert MetricChange.objects.count() == 1


def test_a_grid_save_records_who_made_it(wang: Client) -> None:
    wang.post("/figures/2026-01/", typed(loaded(wang, "2026-01"), "li.lei", {"satisfaction": "9"}))
    change = MetricChange.objects.get()
    assert change.user is not None
    assert (change.user.username, change.source, change.new_value) == ("wang.fang", ChangeSource.GRID, Decimal("9"))


def test_the_history_page_shows_every_change_of_the_month(wang: Client) -> None:
    metrics_import(table=csv_table("employee,period,churn.lost,churn.total\nli.lei,2026-01,2,50\n"))
    wang.post("/figures/2026-01/", typed(loaded(wang, "2026-01"), "li.lei", {"churn.lost": "3", "satisfaction": "9"}))
    page = wang.get("/figures/2026-01/li.lei/history/")
    rows = page.context["changes"]
    assert [(r.user, r.source, r.code, r.old, r.new) for r in rows] == [
        (str(User.objects.get(username="wang.fang")), "Team grid", "satisfaction", "", "9"),
        (str(User.objects.get(username="wang.fang")), "Team grid", "churn", "4", "6"),
        ("", "Import command", "churn", "", "4"),
    ]
    text = page.content.decode()
    assert "lost 2, total 50 → lost 3, total 50" in text
    assert "客户流失率" in text
