"""Calibration before release (SPEC.md section 10): moves, proposals, the release, and the
distribution against the plan's guideline."""

from decimal import Decimal

import pytest

from metrics.results.calibration import (
    CalibrationRefused,
    calibration_move,
    calibration_proposal_decide,
    calibration_propose,
    period_release,
)
from metrics.results.closing import cycle_reopen
from metrics.results.distribution import Breach, distribution_breaches, period_distribution
from metrics.results.models import CalibrationMove, MoveStatus, PeriodRelease, Result
from plans.periods import Period
from tests.metrics.results.calibration_data import calibrated_month, result_of, user
from tests.metrics.results.test_cycle_pages import close

JANUARY = Period.parse("2026-01")
pytestmark = pytest.mark.django_db


@pytest.fixture
def month() -> None:
    calibrated_month()


def test_the_closed_month_has_the_bands_the_figures_give(month: None) -> None:
    assert [result_of(u).band for u in ("li.lei", "han.mei", "zhao.min", "zhang.san")] == ["A", "B", "B", "C"]


def test_hr_moves_a_person_from_b_to_a_and_payout_bonus_and_flags_follow(month: None) -> None:
    move = calibration_move(result=result_of("zhao.min"), band="A", reason="全年表现突出", user=user("hr"))

    result = result_of("zhao.min")
    assert (result.band, result.payout, result.bonus) == ("A", Decimal("100.00"), Decimal("3000.00"))
    assert result.score == Decimal("76.91")  # the score is what the figures gave
    assert result.flags == ["calibrated"]
    assert (move.from_band, move.to_band, move.reason, move.status) == ("B", "A", "全年表现突出", MoveStatus.APPLIED)
    assert move.proposed_by == user("hr") and move.decided_at is not None


def test_a_move_out_of_a_flagged_band_drops_its_flag_and_a_move_into_one_takes_it(month: None) -> None:
    calibration_move(result=result_of("zhang.san"), band="B", reason="新客户在二月签约", user=user("hr"))
    assert result_of("zhang.san").flags == ["calibrated"]
    assert result_of("zhang.san").bonus == Decimal("1400.00")  # 2000 × 70 %
    calibration_move(result=result_of("han.mei"), band="C", reason="投诉未处理", user=user("hr"))
    assert result_of("han.mei").flags == ["calibrated", "warning"]
    assert result_of("han.mei").bonus == Decimal("0.00")


@pytest.mark.parametrize(
    ("band", "reason", "message"),
    [
        ("A", "  ", "A move needs a reason."),
        ("S", "理由", "The plan of 赵敏 has no band “S”."),
        ("B", "理由", "赵敏 is in band B already."),
        ("A", "长" * 1001, "The reason is 1001 characters long: at most 1000."),
    ],
)
def test_a_wrong_move_is_refused_and_changes_nothing(month: None, band: str, reason: str, message: str) -> None:
    with pytest.raises(CalibrationRefused) as refused:
        calibration_move(result=result_of("zhao.min"), band=band, reason=reason, user=user("hr"))
    assert refused.value.messages == [message]
    assert result_of("zhao.min").band == "B"
    assert not CalibrationMove.objects.exists()


def test_only_hr_moves_and_a_plan_without_calibration_takes_no_move(db: None) -> None:
    calibrated_month(calibration=False)
    with pytest.raises(CalibrationRefused, match="not calibrated"):
        calibration_move(result=result_of("zhao.min"), band="A", reason="理由", user=user("hr"))
    with pytest.raises(CalibrationRefused, match="Only HR moves"):
        calibration_move(result=result_of("zhao.min"), band="A", reason="理由", user=user("wang.fang"))


def test_a_manager_proposes_for_their_reports_only(month: None) -> None:
    proposal = calibration_propose(result=result_of("zhao.min"), band="A", reason="大客户续约", user=user("wang.fang"))
    assert proposal.status == MoveStatus.PROPOSED
    assert result_of("zhao.min").band == "B"  # nothing moves before HR accepts

    with pytest.raises(CalibrationRefused, match="only for the people you manage"):
        calibration_propose(result=result_of("zhang.san"), band="B", reason="理由", user=user("wang.fang"))
    with pytest.raises(CalibrationRefused, match="only for the people you manage"):
        calibration_propose(result=result_of("zhao.min"), band="A", reason="理由", user=user("zhang.san"))
    with pytest.raises(CalibrationRefused, match="already waiting for HR"):
        calibration_propose(result=result_of("zhao.min"), band="C", reason="理由", user=user("wang.fang"))


def test_hr_accepts_one_proposal_and_rejects_another(month: None) -> None:
    accepted = calibration_propose(result=result_of("zhao.min"), band="A", reason="大客户续约", user=user("wang.fang"))
    rejected = calibration_propose(result=result_of("li.lei"), band="B", reason="团队调整", user=user("wang.fang"))

    calibration_proposal_decide(move=accepted, accept=True, user=user("hr"))
    calibration_proposal_decide(move=rejected, accept=False, user=user("hr"))

    assert result_of("zhao.min").band == "A" and "calibrated" in result_of("zhao.min").flags
    assert result_of("li.lei").band == "A" and result_of("li.lei").flags == []
    moves = {m.employee.username: m for m in CalibrationMove.objects.select_related("employee")}
    assert moves["zhao.min"].status == MoveStatus.APPLIED and moves["zhao.min"].decided_by == user("hr")
    assert moves["li.lei"].status == MoveStatus.REJECTED
    with pytest.raises(CalibrationRefused, match="decided already"):
        calibration_proposal_decide(move=accepted, accept=True, user=user("hr"))
    with pytest.raises(CalibrationRefused, match="Only HR"):
        calibration_proposal_decide(move=rejected, accept=True, user=user("wang.fang"))


def test_release_is_recorded_once_and_refuses_later_moves(month: None) -> None:
    calibration_move(result=result_of("zhao.min"), band="A", reason="全年表现突出", user=user("hr"))

    first = period_release(period=JANUARY, user=user("hr"))
    again = period_release(period=JANUARY, user=user("hr"))

    assert first.created and not again.created
    assert again.release == first.release and first.release.released_by == user("hr")
    assert PeriodRelease.objects.count() == 1
    with pytest.raises(CalibrationRefused, match="is released"):
        calibration_move(result=result_of("han.mei"), band="A", reason="理由", user=user("hr"))
    with pytest.raises(CalibrationRefused, match="is released"):
        calibration_propose(result=result_of("han.mei"), band="A", reason="理由", user=user("wang.fang"))


def test_release_waits_for_the_proposals_and_for_the_close(month: None) -> None:
    calibration_propose(result=result_of("zhao.min"), band="A", reason="大客户续约", user=user("wang.fang"))
    with pytest.raises(CalibrationRefused) as refused:
        period_release(period=JANUARY, user=user("hr"))
    assert refused.value.messages == [
        "1 proposal of a manager is waiting: accept or reject it before releasing January 2026."
    ]
    with pytest.raises(CalibrationRefused, match="not closed for everybody"):
        period_release(period=Period.parse("2026-02"), user=user("hr"))
    with pytest.raises(CalibrationRefused, match="Only HR"):
        period_release(period=JANUARY, user=user("wang.fang"))


def test_reopening_keeps_the_moves_as_history_and_the_new_close_starts_uncalibrated(month: None) -> None:
    move = calibration_move(result=result_of("zhao.min"), band="A", reason="全年表现突出", user=user("hr"))
    waiting = calibration_propose(result=result_of("han.mei"), band="A", reason="理由", user=user("wang.fang"))

    cycle_reopen(period=JANUARY, reason="补录二月数据", user=user("hr"))
    close("2026-01")

    assert result_of("zhao.min").band == "B" and result_of("zhao.min").flags == []
    superseded = Result.objects.get(pk=move.result_id)
    assert superseded.superseded_at is not None and superseded.band == "A"
    assert CalibrationMove.objects.filter(pk=move.pk, status=MoveStatus.APPLIED).exists()
    with pytest.raises(CalibrationRefused, match="was reopened"):
        calibration_proposal_decide(move=waiting, accept=True, user=user("hr"))
    # The new run is released on its own: the first run's release (there was none) does not count.
    assert period_release(period=JANUARY, user=user("hr")).release.run == 2


def test_the_distribution_is_shared_per_plan_and_department_and_names_the_breaches(month: None) -> None:
    groups = period_distribution(period=JANUARY)

    whole = groups[0]
    assert (whole.department, whole.total) == ("", 4)
    assert [(s.band, s.count, s.share, s.breach) for s in whole.bands] == [
        ("A", 1, Decimal("25.0"), Breach.ABOVE),
        ("B", 2, Decimal("50.0"), ""),
        ("C", 1, Decimal("25.0"), ""),
    ]
    by_department = {g.department: g for g in groups[1:]}
    assert [(s.band, s.breach) for s in by_department["客户二部"].breaches] == []
    assert [(s.band, s.share, s.breach) for s in by_department["客户部"].breaches] == [
        ("A", Decimal("33.3"), Breach.ABOVE),
        ("C", Decimal("0.0"), Breach.BELOW),
    ]
    assert [g.department for g in distribution_breaches(period=JANUARY)] == ["", "客户部"]


def test_the_distribution_follows_a_move_at_once(month: None) -> None:
    calibration_move(result=result_of("li.lei"), band="B", reason="团队调整", user=user("hr"))
    assert distribution_breaches(period=JANUARY)[0].department == "客户部"  # the whole plan is within it now
