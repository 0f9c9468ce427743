"""The worked example of the shared contract, end to end through the six commands."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def load_examples(examples: Path) -> None:
    run("load_plan", str(examples / "customer-manager.json"))
    run("import_roster", str(examples / "roster.csv"))
    run("import_metrics", str(examples / "metrics.csv"))


def test_closing_the_first_quarter_reproduces_every_expected_export(examples: Path, tmp_path: Path) -> None:
    load_examples(examples)
    for period in ("2026-01", "2026-02", "2026-03", "2026-Q1"):
        assert f"{period}" in run("close_cycle", period)
        output = tmp_path / f"{period}.csv"
        run("export_scores", period, "--output", str(output))
        assert output.read_bytes() == (examples / f"scores-{period}.csv").read_bytes()  # bytes: line ends too


def test_export_goes_to_standard_output_by_default(examples: Path) -> None:
    load_examples(examples)
    run("close_cycle", "2026-01")
    assert run("export_scores", "2026-01").encode() == (examples / "scores-2026-01.csv").read_bytes()


def test_loading_everything_twice_changes_no_result(examples: Path, tmp_path: Path) -> None:
    load_examples(examples)
    load_examples(examples)
    run("close_cycle", "2026-01")
    assert run("export_scores", "2026-01").encode() == (examples / "scores-2026-01.csv").read_bytes()
