"""The year (SPEC.md section 10): closed once its four quarters are, through the same close, and
written by ``export_scores`` as a quarter is. The worked example of the README, by hand."""

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from metrics.cycles.models import Cycle, CycleStatus
from metrics.results.models import Result
from tests.conftest import SEED_PLAN

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]

ROSTER = (
    "employee,name,department,manager,plan,start,monthly_bonus,quarterly_bonus,annual_bonus\n"
    "li.lei,李雷,客户部,wang.fang,customer-manager,2025-01,2000,6000,24000\n"
    "han.mei,韩梅梅,客户部,wang.fang,customer-manager,2025-05,2000,6000,18000\n"
)
HEADER = "employee,period,churn.lost,churn.total,satisfaction,new_customers,feedback.ok,feedback.total,collaboration\n"
# Each quarter's months alike, so that a quarter's monthly means are its months' points.
LI_LEI = {  # lost, total, satisfaction, new customers, feedback ok, feedback total; collaboration
    1: ("2,50,8.6,4,46,48", "8"),  # 36.00 23.89 22.00 15.00 | 8.00 -> 104.89
    2: ("3,50,9,3,45,50", "7"),  # 24.00 25.00 20.00 12.00 | 7.00 -> 88.00
    3: ("1,50,8,5,40,50", "9"),  # 41.00 (stretch) 22.22 24.00 8.00 | 9.00 -> 104.22
    4: ("2,50,8.6,4,46,48", "10"),  # 36.00 23.89 22.00 15.00 | 10.00 -> 106.89
}
HAN_MEI = {  # from May: Q2 is two months
    2: ("5,50,6,1,40,50", "5"),  # 0.00 16.67 10.00 8.00 | 5.00 -> 39.67 C
    3: ("5,50,6,1,40,50", ""),  # the same months; no rating: forced, 0 -> 34.67 C, incomplete
    4: ("4,50,9,3,45,50", "8"),  # 12.00 25.00 20.00 12.00 | 8.00 -> 77.00 B
}


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def figures(path: Path) -> Path:
    rows = [HEADER]
    for person, quarters in (("li.lei", LI_LEI), ("han.mei", HAN_MEI)):
        for quarter, (monthly, rating) in quarters.items():
            for month in range(quarter * 3 - 2, quarter * 3 + 1):
                if person == "han.mei" and month < 5:
                    continue
                rows.append(f"{person},2025-{month:02d},{monthly},\n")
            if rating:
                rows.append(f"{person},2025-Q{quarter},,,,,,,{rating}\n")
    path.write_text("".join(rows), encoding="utf-8")
    return path


def year_ready(tmp_path: Path, *, quarters: int = 4) -> None:
    run("load_plan", str(SEED_PLAN))  # the plan of the shared example
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    run("import_roster", str(roster))
    run("import_metrics", str(figures(tmp_path / "metrics.csv")))
    for quarter in range(1, quarters + 1):
        for month in range(quarter * 3 - 2, quarter * 3 + 1):
            run("close_cycle", f"2025-{month:02d}")
        run("close_cycle", f"2025-Q{quarter}", *(["--force"] if quarter == 3 else []))


def test_the_worked_example_of_the_readme(tmp_path: Path) -> None:
    year_ready(tmp_path)

    assert "2025" in run("close_cycle", "2025")

    # li.lei, four quarters: churn (36 + 24 + 41 + 36) / 4 = 34.25, satisfaction
    # (23.89 + 25 + 22.22 + 23.89) / 4 = 23.75, new customers 88 / 4 = 22.00, feedback 50 / 4 =
    # 12.50, collaboration 34 / 4 = 8.50: 101.00, A, 24,000 at 100 %; December ends a streak.
    # han.mei, three quarters (from May): churn 12 / 3 = 4.00, satisfaction 58.34 / 3 = 19.446… =
    # 19.45, new customers 40 / 3 = 13.33, feedback 28 / 3 = 9.33, collaboration 13 / 3 = 4.33:
    # 50.44, C (warning), nothing paid; the third quarter was forced: incomplete.
    assert run("export_scores", "2025") == (
        "employee,period,score,band,payout,bonus,flags,churn,satisfaction,new_customers,feedback,collaboration\n"
        "han.mei,2025,50.44,C,0.00,0.00,incomplete;warning,4.00,19.45,13.33,9.33,4.33\n"
        "li.lei,2025,101.00,A,100.00,24000.00,promotion_candidate,34.25,23.75,22.00,12.50,8.50\n"
    )
    li_lei = Result.objects.get(period="2025", employee__username="li.lei")
    assert [line.months for line in li_lei.lines.all()] == [4, 4, 4, 4, 4]
    assert Cycle.objects.get(period="2025").status == CycleStatus.CLOSED
    # The quarters it is the mean of, as the comments of LI_LEI and HAN_MEI say.
    quarters = {
        (str(r.period), r.employee.username): (r.score, r.band, tuple(r.flags))
        for r in Result.objects.filter(period__contains="Q").select_related("employee")
    }
    assert [quarters[(f"2025-Q{q}", "li.lei")][0] for q in range(1, 5)] == [
        Decimal("104.89"),
        Decimal("88.00"),
        Decimal("104.22"),
        Decimal("106.89"),
    ]
    assert [quarters[(f"2025-Q{q}", "han.mei")] for q in range(2, 5)] == [
        (Decimal("39.67"), "C", ("warning",)),
        (Decimal("34.67"), "C", ("incomplete", "warning")),
        (Decimal("77.00"), "B", ()),
    ]

    # Closing it again changes nothing; its quarters wait until it is reopened.
    first = list(Result.objects.filter(period="2025").values_list("pk", "score"))
    assert "already closed" in run("close_cycle", "2025")
    assert list(Result.objects.filter(period="2025").values_list("pk", "score")) == first
    with pytest.raises(CommandError) as error:
        run("reopen_cycle", "2025-Q4", "--reason", "a late rating")
    assert "2025 is closed: reopen the year before its quarter Q4 2025." in str(error.value)
    run("reopen_cycle", "2025", "--reason", "a late rating")
    run("reopen_cycle", "2025-Q4", "--reason", "a late rating")
    assert Result.objects.filter(period="2025", superseded_at__isnull=False).count() == 2
    assert Cycle.objects.get(period="2025").status == CycleStatus.OPEN
    with pytest.raises(CommandError) as error:
        run("close_cycle", "2025")
    assert "Q4 2025 not closed" in str(error.value)


def test_a_year_does_not_close_before_its_quarters(tmp_path: Path) -> None:
    year_ready(tmp_path, quarters=3)

    with pytest.raises(CommandError) as error:
        run("close_cycle", "2025")

    assert "2025 cannot close before its quarters: Q4 2025 not closed" in str(error.value)
    assert not Result.objects.filter(period="2025").exists()


def test_a_year_does_not_close_before_it_has_ended() -> None:
    with pytest.raises(CommandError) as error:
        run("close_cycle", "2100")

    assert "2100 has not ended yet" in str(error.value)
