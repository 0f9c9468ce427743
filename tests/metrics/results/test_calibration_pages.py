"""The calibration pages: who sees a held result, the board, a manager's proposal, the release,
and the export's flag and bonus."""

from io import StringIO

import pytest
from django.core.management import call_command

from metrics.results.models import CalibrationMove, MoveStatus
from tests.metrics.results.calibration_data import calibrated_month, result_of, user
from tests.metrics.results.test_cycle_pages import client_for, page_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def month() -> None:
    calibrated_month()


def test_an_employee_sees_no_held_result_on_their_scorecard_or_home(month: None) -> None:
    li = client_for(user("li.lei"))
    scores = page_text(li.get("/scores/").content)
    assert "107.66" not in scores
    assert "are being calibrated: they are shown once HR releases them" in scores
    assert "107.66" not in page_text(li.get("/").content)


def test_a_manager_sees_their_reports_held_results_but_not_their_own_nor_another_team(month: None) -> None:
    wang = client_for(user("wang.fang"))
    assert "76.91" in page_text(wang.get("/scores/zhao.min/").content)
    assert wang.get("/scores/zhang.san/").status_code == 404
    zhao = client_for(user("zhao.lei"))
    assert "14.81" in page_text(zhao.get("/scores/zhang.san/").content)
    assert "Propose another band to HR" in page_text(zhao.get("/scores/zhang.san/").content)


def test_a_manager_proposes_for_a_report_and_not_for_another_team(month: None) -> None:
    wang = client_for(user("wang.fang"))
    response = wang.post(
        f"/scores/propose/{result_of('zhao.min').pk}/", {"band": "A", "reason": "大客户续约"}, follow=True
    )
    assert "Your proposal was sent to HR." in page_text(response.content)
    assert CalibrationMove.objects.get().status == MoveStatus.PROPOSED
    assert wang.post(f"/scores/propose/{result_of('zhang.san').pk}/", {"band": "B", "reason": "x"}).status_code == 404
    assert (
        client_for(user("li.lei"))
        .post(f"/scores/propose/{result_of('han.mei').pk}/", {"band": "A", "reason": "x"})
        .status_code
        == 403
    )


def test_hr_moves_on_the_board_sees_the_distribution_and_releases(month: None) -> None:
    hr = client_for(user("hr"))
    board = page_text(hr.get("/cycles/2026-01/calibration/").content)
    assert "25.0% (1) at most 20% above the guideline" in board
    assert "Employees do not see these results yet" in board

    moved = hr.post(
        f"/cycles/2026-01/calibration/{result_of('li.lei').pk}/move/", {"band": "B", "reason": "团队调整"}, follow=True
    )
    text = page_text(moved.content)
    assert "李雷 moved from A to B." in text
    assert "0.0% (0) at most 20%" in text  # the distribution follows the move at once
    assert "团队调整" in text

    refused = hr.post(
        f"/cycles/2026-01/calibration/{result_of('han.mei').pk}/move/", {"band": "A", "reason": " "}, follow=True
    )
    assert "A move needs a reason." in page_text(refused.content)

    released = page_text(hr.post("/cycles/2026-01/calibration/release/", follow=True).content)
    assert "The results are released: employees see them now." in released
    again = page_text(hr.post("/cycles/2026-01/calibration/release/", follow=True).content)
    assert "released already: nothing changed" in again

    scores = page_text(client_for(user("li.lei")).get("/scores/").content)
    assert "Band B" in scores and "Calibration: A → B, reason: 团队调整" in scores and "Calibrated" in scores


def test_the_board_and_release_are_hrs_only(month: None) -> None:
    wang = client_for(user("wang.fang"))
    assert wang.get("/cycles/2026-01/calibration/").status_code == 403
    assert wang.post("/cycles/2026-01/calibration/release/").status_code == 403


def test_the_cycle_page_and_dashboard_show_where_the_guideline_is_broken(month: None) -> None:
    hr = client_for(user("hr"))
    cycle = page_text(hr.get("/cycles/2026-01/").content)
    assert "Where this period breaks the plans' distribution guidelines" in cycle
    assert "客户部 3 C 0.0% (0) at least 5% below the guideline" in cycle
    dashboard = page_text(hr.get("/dashboard/?period=2026-01").content)
    assert "Distribution guidelines broken" in dashboard and "above the guideline" in dashboard


def test_the_export_writes_the_calibrated_flag_sorted_and_the_new_bonus(month: None) -> None:
    hr = client_for(user("hr"))
    hr.post(f"/cycles/2026-01/calibration/{result_of('han.mei').pk}/move/", {"band": "C", "reason": "投诉未处理"})
    out = StringIO()
    call_command("export_scores", "2026-01", stdout=out)
    row = next(line for line in out.getvalue().splitlines() if line.startswith("han.mei,"))
    assert row.startswith("han.mei,2026-01,76.91,C,0.00,0.00,calibrated;warning,")
