"""The builder's "try the draft" page (SPEC.md section 9): the draft beside the published version."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from metrics.figures.services import metrics_import
from metrics.results import simulation_views, tasks
from metrics.results.models import Result
from people.models import Role
from people.staffing.roster import roster_import
from plans.models import Band, PlanTemplate, PlanVersion
from plans.services import band_save, draft_open
from tests.factories import csv_table
from tests.metrics.results.test_cycle_pages import client_for, close, examples_loaded, page_text, person

pytestmark = pytest.mark.django_db

QUARTER = ("2026-01", "2026-02", "2026-03", "2026-Q1")


@pytest.fixture(autouse=True)
def _in_may(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(simulation_views, "company_today", lambda: datetime.date(2026, 5, 6))


def stricter_draft() -> PlanVersion:
    """A draft where B needs 75 instead of 60: han.mei's 71.56 in the first quarter falls to C."""
    draft = draft_open(template=PlanTemplate.objects.get(code="customer-manager"))
    band = Band.objects.get(version=draft, label="B")
    band_save(draft=draft, minimum=Decimal(75), label="B", payout=band.payout, flag=band.flag, band=band)
    return draft


def extra_people(count: int) -> tuple[str, str]:
    roster = "".join(f"p{i:03d},员工{i},客户二部,wang.fang,customer-manager,2026-01,1000,3000\n" for i in range(count))
    metrics = "".join(
        f"p{i:03d},{month},1,50,9,3,40,40,\n" for i in range(count) for month in ("2026-01", "2026-02", "2026-03")
    ) + "".join(f"p{i:03d},2026-Q1,,,,,,,7\n" for i in range(count))
    return roster, metrics


@pytest.fixture
def hr(db: None) -> Client:
    client = client_for(person("hr", Role.HR, "孙丽"))
    client.cookies["django_language"] = "zh-hans"
    return client


def test_the_draft_beside_the_published_version_in_chinese(hr: Client, examples: Path) -> None:
    examples_loaded(examples)
    for period in QUARTER:
        close(period)
    stricter_draft()
    text = page_text(
        hr.get("/plans/customer-manager/draft/try/?period=2026-Q1", HTTP_ACCEPT_LANGUAGE="zh-hans").content
    )
    assert "2026年第1季度" in text
    assert "韩梅梅 客户部 71.56 71.56 B C ¥4,200.00 ¥0.00 预警" in text
    assert "李雷 客户部 107.32 107.32 A A ¥6,000.00 ¥6,000.00" in text
    assert "¥10,200.00 ¥6,000.00 -¥4,200.00" in text  # the bonus total, before, after, change
    assert "B 1 0 -1" in text and "C 0 1 +1" in text  # the band counts
    assert "incomplete" not in text and "warning" not in text
    assert Result.objects.filter(period="2026-Q1").count() == 2  # nothing saved


def test_the_period_list_offers_ended_months_and_quarters(hr: Client, examples: Path) -> None:
    examples_loaded(examples)
    close("2026-01")
    stricter_draft()
    text = page_text(hr.get("/plans/customer-manager/draft/try/").content)
    assert "2026年1月（已结算）" in text and "2026年4月" in text and "2026年第1季度" in text
    assert "2026年5月" not in text  # not ended


def test_an_open_period_shows_only_the_new_results(hr: Client, examples: Path) -> None:
    examples_loaded(examples)
    stricter_draft()
    text = page_text(hr.get("/plans/customer-manager/draft/try/?period=2026-03").content)
    assert "未结算" in text
    assert "韩梅梅" in text


def test_the_downloads_hold_everybody_with_the_published_result(hr: Client, examples: Path) -> None:
    examples_loaded(examples)
    for period in QUARTER:
        close(period)
    stricter_draft()
    response = hr.get("/plans/customer-manager/draft/try.csv?period=2026-Q1")
    lines = downloaded(response).decode("utf-8-sig").splitlines()
    assert lines[0].endswith(",name,department,published_score,published_band,published_bonus")
    assert (
        lines[1]
        == "han.mei,2026-Q1,71.56,C,0.00,0.00,warning,21.47,22.09,14.50,7.50,6.00,韩梅梅,客户部,71.56,B,4200.00"
    )
    response = hr.get("/plans/customer-manager/draft/try.xlsx?period=2026-Q1")
    sheet = load_workbook(io.BytesIO(downloaded(response))).active
    assert sheet is not None
    assert [cell.value for cell in sheet[2]][:4] == ["han.mei", "2026-Q1", 71.56, "C"]


def downloaded(response: object) -> bytes:
    return b"".join(response.streaming_content)  # type: ignore[attr-defined]


def test_an_incomplete_draft_says_what_to_fix(hr: Client, examples: Path) -> None:
    examples_loaded(examples)
    draft = stricter_draft()
    draft.indicators.filter(code="churn").update(weight=29)
    text = page_text(hr.get("/plans/customer-manager/draft/try/?period=2026-01").content)
    assert "99" in text


def test_only_hr_may_try_a_draft(examples: Path) -> None:
    examples_loaded(examples)
    stricter_draft()
    manager = client_for(person("boss", Role.MANAGER))
    assert manager.get("/plans/customer-manager/draft/try/").status_code == 403


def test_the_queries_do_not_grow_with_the_people(hr: Client, examples: Path) -> None:
    examples_loaded(examples)
    stricter_draft()

    def queries(people: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = hr.get("/plans/customer-manager/draft/try/?period=2026-Q1")
        assert f"{people} 人" in page_text(response.content)
        return len(captured)

    small = queries(2)
    roster, metrics = extra_people(30)
    roster_import(table=csv_table(roster_header(examples) + roster))
    metrics_import(table=csv_table(metrics_header(examples) + metrics))
    assert queries(32) == small


def roster_header(examples: Path) -> str:
    return (examples / "roster.csv").read_text(encoding="utf-8").splitlines()[0] + "\n"


def metrics_header(examples: Path) -> str:
    return (examples / "metrics.csv").read_text(encoding="utf-8").splitlines()[0] + "\n"


def test_a_large_company_is_tried_by_a_worker_with_a_progress_bar(
    hr: Client, examples: Path, monkeypatch: pytest.MonkeyPatch, tasks_here: None
) -> None:
    examples_loaded(examples)
    for period in QUARTER:
        close(period)
    stricter_draft()
    monkeypatch.setattr(simulation_views, "SIMULATION_TASK_PEOPLE", 1)
    response = hr.get("/plans/customer-manager/draft/try/?period=2026-Q1")
    assert response.status_code == 302
    key = response["Location"].rpartition("run=")[2]
    progress = hr.get(f"/plans/customer-manager/draft/try/{key}/").json()
    assert progress == {"status": "done", "done": 2, "total": 2, "percent": 100, "finished": True}
    text = page_text(hr.get(response["Location"]).content)
    assert "韩梅梅 客户部 71.56 71.56 B C ¥4,200.00 ¥0.00 预警" in text
    download = hr.get(f"/plans/customer-manager/draft/try.csv?period=2026-Q1&run={key}")
    assert "韩梅梅,客户部,71.56,B,4200.00" in downloaded(download).decode("utf-8-sig")
    assert Result.objects.filter(period="2026-Q1").count() == 2  # nothing saved
    # Another plan's page never reads this run.
    assert hr.get(f"/plans/other/draft/try/{key}/").status_code == 404


def test_a_run_under_way_shows_its_progress(hr: Client, examples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    examples_loaded(examples)
    stricter_draft()
    monkeypatch.setattr(simulation_views, "SIMULATION_TASK_PEOPLE", 1)
    monkeypatch.setattr(tasks, "plan_simulate_enqueue", lambda *args: None)  # no worker yet
    response = hr.get("/plans/customer-manager/draft/try/?period=2026-Q1", follow=True)
    assert 'id="try-progress"' in response.content.decode()
    assert "等待" in page_text(response.content) or "Waiting" in page_text(response.content)
    key = response.redirect_chain[0][0].rpartition("run=")[2]
    assert hr.get(f"/plans/customer-manager/draft/try/{key}/").json()["finished"] is False
