"""`load_plan`: versions are published once, never changed, and bad files save nothing."""

import json
import os
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from plans.models import Indicator, PlanTemplate, PlanVersion, VersionStatus
from plans.plan_file_write import plan_file_data
from plans.selectors import plan_definition
from tests.factories import plan_data

ROOT = Path(__file__).resolve().parent.parent.parent


def write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def load(path: Path) -> str:
    out = StringIO()
    call_command("load_plan", str(path), stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_loading_publishes_a_version_that_describes_the_same_plan(examples: Path) -> None:
    assert load(examples / "customer-manager.json") == "Published customer-manager version 1.\n"
    version = PlanVersion.objects.get()
    assert version.status == VersionStatus.PUBLISHED and version.published_at is not None
    original = json.loads((examples / "customer-manager.json").read_text(encoding="utf-8"))
    assert plan_file_data(plan_definition(version=version)) == original


@pytest.mark.django_db
def test_the_same_file_again_publishes_nothing_and_a_changed_one_a_new_version(examples: Path, tmp_path: Path) -> None:
    load(examples / "customer-manager.json")
    assert "unchanged: version 1" in load(examples / "customer-manager.json")
    data = plan_data()
    data["indicators"][0]["target"] = 4
    assert load(write(tmp_path, data)) == "Published customer-manager version 2.\n"
    v1, v2 = PlanVersion.objects.order_by("number")
    assert Indicator.objects.get(version=v1, code="churn").target == 5  # version 1 is untouched
    assert Indicator.objects.get(version=v2, code="churn").target == 4


@pytest.mark.django_db
def test_a_bad_file_says_every_problem_and_saves_nothing(tmp_path: Path) -> None:
    data = plan_data()
    data["indicators"][0]["weight"] = 29  # the weights now add up to 99
    data["indicators"][1]["colour"] = "red"
    data["indicators"][3]["formula"] = "ok / all * 100"
    with pytest.raises(CommandError) as error:
        load(write(tmp_path, data))
    message = str(error.value)
    assert "the weights add up to 99, not 100" in message
    assert "unknown key “colour”" in message
    assert "the formula names an unknown input “all”" in message
    assert not PlanTemplate.objects.exists()


def test_the_command_exits_non_zero_with_the_message_on_standard_error(tmp_path: Path) -> None:
    data = plan_data()
    data["indicators"][0]["weight"] = 29
    result = subprocess.run(
        [sys.executable, "manage.py", "load_plan", str(write(tmp_path, data))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        timeout=60,
    )
    assert result.returncode != 0
    assert "the weights add up to 99, not 100" in result.stderr


@pytest.mark.django_db
def test_a_file_that_is_not_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        load(path)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            lambda: json.dumps(plan_data()).replace('"target": 5,', '"target": 1e12,'),
            "“target”: “1000000000000” is too large",
        ),
        (
            lambda: json.dumps(plan_data()).replace('"target": 5,', '"target": 5.1234567,'),
            "“target”: “5.1234567” has more than 6 decimals",
        ),
        (lambda: json.dumps(plan_data(name="名" * 201), ensure_ascii=False), "“name” is 201 characters long"),
        (lambda: "[" * 100_000 + "]" * 100_000, "nested too deeply"),
        (lambda: json.dumps(plan_data()).replace('"target": 5,', '"target": NaN,'), "NaN, which is not a number"),
        (lambda: " " * 1_000_001, "larger than 1 MB"),
    ],
    ids=["1e12", "7-decimals", "long-name", "nested", "nan", "over-1-mb"],
)
def test_a_file_beyond_the_limits_is_refused_with_one_message_and_saves_nothing(
    tmp_path: Path, text: Callable[[], str], message: str
) -> None:
    path = tmp_path / "plan.json"
    path.write_text(text(), encoding="utf-8")
    with pytest.raises(CommandError) as error:
        load(path)
    assert message in str(error.value)
    assert not PlanTemplate.objects.exists()


@pytest.mark.django_db
def test_six_decimals_load_once_and_the_same_file_again_publishes_nothing(tmp_path: Path) -> None:
    data = plan_data()
    data["indicators"][1]["target"] = 9.123456
    path = write(tmp_path, data)
    assert load(path) == "Published customer-manager version 1.\n"
    assert "unchanged: version 1" in load(path)
    assert Indicator.objects.get(code="satisfaction").target == Decimal("9.123456")
