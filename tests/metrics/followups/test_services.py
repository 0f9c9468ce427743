"""HR's follow-up decisions and the employee's acknowledgement, through the services."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import override

from metrics.cycles.models import Cycle, CycleStatus
from metrics.followups.models import Decision, FollowUpDecision
from metrics.followups.scorecard import scorecard_decisions
from metrics.followups.selectors import (
    FollowUpList,
    acknowledgements_pending,
    follow_up_list,
    period_flags,
)
from metrics.followups.services import FollowUpRefused, follow_up_acknowledge, follow_up_decide
from metrics.results.closing import cycle_reopen
from people.models import Role, User
from plans.models import PlanTemplate
from plans.periods import Period
from plans.services import plan_follow_up_decisions_set
from tests.metrics.followups.conftest import MARCH, decide, person


def listed(period: Period = MARCH, flag: str = "", department_id: int | None = None) -> FollowUpList:
    return follow_up_list(period=period, summary=period_flags(period=period), flag=flag, department_id=department_id)


def test_hr_records_a_promotion_for_the_promotion_candidate_with_who_and_when(march: dict[str, User]) -> None:
    before = timezone.now()
    decision = decide(march, "li.lei", Decision.PROMOTION, "  晋升为高级客户经理  ")

    assert (decision.decision, decision.name, decision.note) == (Decision.PROMOTION, "", "晋升为高级客户经理")
    assert decision.decided_by == march["hr"]
    assert before <= decision.decided_at <= timezone.now()
    assert decision.superseded_at is None and decision.acknowledged_at is None


def test_a_changed_decision_is_a_new_row_and_the_one_before_stays_as_superseded(march: dict[str, User]) -> None:
    first = decide(march, "han.mei", Decision.TRAINING, "参加客户沟通培训")
    second = decide(march, "han.mei", Decision.FORMAL_WARNING, "连续两月未达标")

    rows = list(FollowUpDecision.objects.filter(employee=march["han.mei"], period=MARCH).order_by("pk"))
    assert [row.pk for row in rows] == [first.pk, second.pk]
    assert rows[0].decision == Decision.TRAINING and rows[0].note == "参加客户沟通培训"
    assert rows[0].superseded_at == second.decided_at
    assert rows[1].superseded_at is None


def test_the_same_decision_and_note_again_adds_no_row(march: dict[str, User]) -> None:
    decide(march, "li.lei", Decision.HONOUR, "优秀员工")
    outcome = follow_up_decide(
        employee=march["li.lei"], period=MARCH, choice=Decision.HONOUR, note="优秀员工", user=march["hr"]
    )

    assert outcome.changed is False
    assert FollowUpDecision.objects.filter(employee=march["li.lei"]).count() == 1


def test_someone_without_a_flag_in_the_period_gets_no_decision(march: dict[str, User]) -> None:
    with override("zh-hans"), pytest.raises(FollowUpRefused) as refused:
        follow_up_decide(
            employee=march["li.lei"],
            period=Period.parse("2026-02"),
            choice=Decision.PROMOTION,
            note="",
            user=march["hr"],
        )

    assert refused.value.messages == ["李雷 在 2026年2月 没有标记：无需跟进。"]
    assert not FollowUpDecision.objects.exists()


@pytest.mark.parametrize("role", [Role.EMPLOYEE, Role.MANAGER])
def test_only_hr_and_administrators_decide(march: dict[str, User], role: Role) -> None:
    with pytest.raises(PermissionDenied):
        follow_up_decide(
            employee=march["li.lei"], period=MARCH, choice=Decision.PROMOTION, note="", user=person("x", role)
        )
    admin = person("admin", Role.ADMIN, "管理员")

    decision = follow_up_decide(
        employee=march["li.lei"], period=MARCH, choice=Decision.PROMOTION, note="", user=admin
    ).decision

    assert decision.decided_by == admin
    assert FollowUpDecision.objects.count() == 1


def test_nobody_decides_their_own_follow_up(march: dict[str, User]) -> None:
    han = march["han.mei"]
    han.role = Role.HR
    han.save()

    with pytest.raises(FollowUpRefused, match="someone else in HR"):
        follow_up_decide(employee=han, period=MARCH, choice=Decision.NO_ACTION, note="", user=han)


def test_a_plan_s_own_decision_is_recorded_by_its_name_and_only_while_the_plan_has_it(
    march: dict[str, User],
) -> None:
    template = PlanTemplate.objects.get(code="customer-manager")
    plan_follow_up_decisions_set(template=template, names=["导师辅导", " 轮岗 ", ""])

    decision = decide(march, "han.mei", "plan:导师辅导", "由王芳辅导三个月")

    assert (decision.decision, decision.name) == (Decision.PLAN, "导师辅导")
    template.refresh_from_db()
    assert template.follow_up_decisions == ["导师辅导", "轮岗"]
    plan_follow_up_decisions_set(template=template, names=["轮岗"])
    with pytest.raises(FollowUpRefused, match="导师辅导"):
        decide(march, "li.lei", "plan:导师辅导")


@pytest.mark.parametrize("choice", ["", "plan", "fired", "plan:不存在"])
def test_a_decision_not_in_the_list_is_refused_and_nothing_is_saved(march: dict[str, User], choice: str) -> None:
    with pytest.raises(FollowUpRefused):
        decide(march, "li.lei", choice)

    assert not FollowUpDecision.objects.exists()


def test_a_note_longer_than_2000_characters_is_refused_and_the_current_decision_stays(
    march: dict[str, User],
) -> None:
    first = decide(march, "han.mei", Decision.TRAINING)

    with pytest.raises(FollowUpRefused, match="2001"):
        decide(march, "han.mei", Decision.FORMAL_WARNING, "很" * 2001)

    first.refresh_from_db()
    assert first.superseded_at is None
    assert FollowUpDecision.objects.count() == 1


def test_the_employee_acknowledges_their_formal_warning_once(march: dict[str, User]) -> None:
    han = march["han.mei"]
    warning = decide(march, "han.mei", Decision.FORMAL_WARNING, "请改进客户满意度")
    assert [row.pk for row in acknowledgements_pending(user=han)] == [warning.pk]

    acknowledged = follow_up_acknowledge(decision=warning, user=han)

    assert acknowledged.acknowledged_at is not None
    assert timezone.now() - acknowledged.acknowledged_at < timedelta(minutes=1)
    assert acknowledgements_pending(user=han) == []
    with override("zh-hans"), pytest.raises(FollowUpRefused, match="您已于"):
        follow_up_acknowledge(decision=warning, user=han)


def test_nobody_else_acknowledges_a_warning(march: dict[str, User]) -> None:
    warning = decide(march, "han.mei", Decision.FORMAL_WARNING)

    for user in (march["hr"], march["wang.fang"], march["li.lei"]):
        with pytest.raises(PermissionDenied):
            follow_up_acknowledge(decision=warning, user=user)

    warning.refresh_from_db()
    assert warning.acknowledged_at is None


def test_only_a_formal_warning_is_acknowledged(march: dict[str, User]) -> None:
    promotion = decide(march, "li.lei", Decision.PROMOTION)

    with pytest.raises(FollowUpRefused, match="Only a formal warning"):
        follow_up_acknowledge(decision=promotion, user=march["li.lei"])


def test_a_warning_hr_replaced_is_no_longer_acknowledged_and_a_new_warning_needs_its_own(
    march: dict[str, User],
) -> None:
    han = march["han.mei"]
    first = decide(march, "han.mei", Decision.FORMAL_WARNING, "第一次")
    follow_up_acknowledge(decision=first, user=han)
    second = decide(march, "han.mei", Decision.FORMAL_WARNING, "补充说明")
    assert [row.pk for row in acknowledgements_pending(user=han)] == [second.pk]
    third = decide(march, "han.mei", Decision.TRAINING)

    with pytest.raises(FollowUpRefused, match="no longer needs acknowledging"):
        follow_up_acknowledge(decision=second, user=han)
    assert acknowledgements_pending(user=han) == []
    assert third.acknowledged_at is None


def test_the_list_reads_the_current_results_whatever_the_cycle_s_status(march: dict[str, User]) -> None:
    # As after closing part of a period (SPEC section 8): results for some, the cycle still open.
    Cycle.objects.filter(period=MARCH).update(status=CycleStatus.OPEN)

    data = listed()

    assert [row.employee for row in data.rows] == ["han.mei", "li.lei"]
    assert data.summary.flagged == 2 and data.summary.undecided == 2


def test_a_reopened_period_lists_nobody_until_it_closes_again_and_keeps_its_decisions(
    march: dict[str, User],
) -> None:
    decide(march, "li.lei", Decision.PROMOTION)
    cycle_reopen(period=MARCH, reason="更正数据", user=march["hr"])

    assert listed().rows == []
    assert FollowUpDecision.objects.filter(superseded_at__isnull=True).count() == 1
    with pytest.raises(FollowUpRefused):
        decide(march, "li.lei", Decision.HONOUR)


def test_the_list_filters_by_flag_and_department(march: dict[str, User]) -> None:
    decide(march, "han.mei", Decision.FORMAL_WARNING)
    li = march["li.lei"]

    warned = listed(flag="warning")
    candidates = listed(flag="promotion_candidate")
    elsewhere = listed(department_id=li.department_id + 1000)  # type: ignore[operator]

    assert [(row.employee, row.flags) for row in warned.rows] == [("han.mei", ("Warning",))]
    assert warned.rows[0].decision is not None and warned.rows[0].decision.label == "Formal warning"
    assert [row.employee for row in candidates.rows] == ["li.lei"]
    assert elsewhere.rows == []
    assert [(f.flag, f.count) for f in warned.summary.flags] == [
        ("promotion_candidate", 1),
        ("warning", 1),
        ("incomplete", 0),
    ]
    assert warned.summary.undecided == 1


def test_the_employee_their_manager_and_hr_read_a_decision_and_nobody_else(march: dict[str, User]) -> None:
    decide(march, "han.mei", Decision.FORMAL_WARNING, "请改进")
    han = march["han.mei"]
    other_manager = person("zhao.lei", Role.MANAGER, "赵磊")

    readers = {
        name: scorecard_decisions(han, user)
        for name, user in [("self", han), ("manager", march["wang.fang"]), ("hr", march["hr"])]
    }
    assert scorecard_decisions(han, other_manager) == []
    assert scorecard_decisions(han, march["li.lei"]) == []
    assert {name: [note.text for note in notes] for name, notes in readers.items()} == {
        "self": ["请改进"],
        "manager": ["请改进"],
        "hr": ["请改进"],
    }
    # Only the employee gets the button that acknowledges it.
    assert [bool(notes[0].action_url) for notes in readers.values()] == [True, False, False]
