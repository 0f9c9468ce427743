"""A plan's own follow-up decisions: kept with the template, never in the plan file (SPEC.md section 3)."""

import json

import pytest

from plans.models import PlanTemplate
from plans.plan_file_write import plan_file_dumps
from plans.selectors import plan_definition
from plans.services import PlanError, plan_follow_up_decisions_set
from tests.factories import plan_data, publish


def test_the_names_stay_out_of_the_plan_file_and_a_new_version_keeps_them(db: None) -> None:
    version = publish()
    template = PlanTemplate.objects.get(code="customer-manager")
    plan_follow_up_decisions_set(template=template, names=["导师辅导", "轮岗"])

    text = plan_file_dumps(plan_definition(version=version))
    newer = publish(plan_data(name="客户管理员绩效方案（修订）"))

    assert "导师辅导" not in text and "follow" not in text
    assert set(json.loads(text)) == set(plan_data())
    assert newer.number == version.number + 1
    template.refresh_from_db()
    assert template.follow_up_decisions == ["导师辅导", "轮岗"]


def test_every_problem_is_refused_at_once_and_nothing_is_saved(db: None) -> None:
    publish()
    template = PlanTemplate.objects.get(code="customer-manager")
    plan_follow_up_decisions_set(template=template, names=["导师辅导"])

    with pytest.raises(PlanError) as refused:
        plan_follow_up_decisions_set(
            template=template, names=["轮岗", "轮岗", "长" * 101, *[f"d{n}" for n in range(19)]]
        )

    assert refused.value.messages == [
        "“长长长长长长长长长长长长长长长长长长长长…” is longer than 100 characters.",
        "“轮岗” is listed twice.",
        "At most 20 decisions, not 22.",
    ]
    template.refresh_from_db()
    assert template.follow_up_decisions == ["导师辅导"]
