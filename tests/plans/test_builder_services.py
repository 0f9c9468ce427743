"""The plan builder's services: drafts, publishing, immutability, copies and the library."""

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from plans.models import Band, Goal, Indicator, PlanTemplate, PlanVersion, VersionStatus
from plans.plan_file import PlanFileError, plan_file_parse
from plans.plan_file_write import plan_file_data
from plans.selectors import LIBRARY, library_template, plan_definition, version_plan_data
from plans.services import (
    IndicatorFields,
    PlanError,
    band_delete,
    band_save,
    draft_discard,
    draft_open,
    draft_publish,
    draft_update,
    goal_delete,
    goal_save,
    indicator_delete,
    indicator_save,
    plan_clone,
    plan_create,
    plan_start_from_library,
)
from tests.factories import UserFactory, plan_data, publish

pytestmark = pytest.mark.django_db

LIBRARY_ZH = "customer-manager.zh-hans"
LIBRARY_EN = "customer-manager.en"


def weight_of(draft: PlanVersion, code: str, weight: str) -> None:
    Indicator.objects.filter(version=draft, code=code).update(weight=Decimal(weight))


def test_editing_a_published_plan_makes_a_draft_that_copies_the_current_version() -> None:
    version = publish()
    draft = draft_open(template=version.template)
    assert draft.status == VersionStatus.DRAFT and draft.pk != version.pk
    assert plan_file_data(plan_file_parse(version_plan_data(version=draft))) == plan_data()
    # the draft's rows are its own: the published version still has its indicators
    assert Indicator.objects.filter(version=version).count() == 5
    assert Indicator.objects.filter(version=draft).count() == 5


def test_a_template_has_one_draft_at_most() -> None:
    version = publish()
    first = draft_open(template=version.template)
    assert draft_open(template=version.template) == first
    assert PlanVersion.objects.filter(template=version.template, status=VersionStatus.DRAFT).count() == 1


def test_publishing_is_refused_when_the_weights_add_up_to_99_and_says_the_sum() -> None:
    draft = draft_open(template=publish().template)
    weight_of(draft, "collaboration", "9")
    with pytest.raises(PlanFileError) as refused:
        draft_publish(draft=draft)
    assert "indicators: the weights add up to 99, not 100" in refused.value.messages
    assert PlanVersion.objects.filter(status=VersionStatus.PUBLISHED).count() == 1
    assert PlanVersion.objects.filter(pk=draft.pk).exists()  # nothing changed


def test_a_draft_is_checked_as_it_is_stored_and_not_with_the_defaults_a_plan_file_leaves_out() -> None:
    draft = draft_open(template=publish().template)
    Indicator.objects.filter(version=draft, code="new_customers").update(penalty_per_unit=None)
    Indicator.objects.filter(version=draft, code="churn").update(stretch_bonus=None)
    PlanVersion.objects.filter(pk=draft.pk).update(streak_min_score=None)
    with pytest.raises(PlanFileError) as refused:
        draft_publish(draft=PlanVersion.objects.get(pk=draft.pk))
    assert refused.value.messages == [
        "indicators[0] “churn” stretch: “bonus” is required",
        "indicators[2] “new_customers”: method “per_unit” needs “penalty_per_unit”",
        "streak: “min_score” is required",
    ]


def test_publishing_the_draft_makes_the_next_version() -> None:
    version = publish()
    publish(plan_data(name="第二版"))  # version 2
    hr = UserFactory.create(username="hr")
    draft = draft_open(template=version.template)
    weight_of(draft, "churn", "25")
    weight_of(draft, "satisfaction", "30")
    outcome = draft_publish(draft=draft, user=hr)
    assert outcome.created and outcome.version.number == 3
    assert outcome.version.status == VersionStatus.PUBLISHED and outcome.version.published_by == hr
    assert not PlanVersion.objects.filter(status=VersionStatus.DRAFT).exists()
    data = plan_file_data(plan_definition(version=outcome.version))
    assert [i["weight"] for i in data["indicators"]] == [25, 30, 20, 15, 10]
    # the versions before it are untouched
    assert plan_file_data(plan_definition(version=version)) == plan_data()


def test_a_draft_identical_to_the_current_version_publishes_nothing() -> None:
    version = publish()
    outcome = draft_publish(draft=draft_open(template=version.template))
    assert not outcome.created and outcome.version == version
    assert PlanVersion.objects.count() == 1


def test_published_versions_cannot_be_changed() -> None:
    version = publish()
    goal = Goal.objects.filter(version=version).first()
    indicator = Indicator.objects.filter(version=version).first()
    band = Band.objects.filter(version=version).first()
    assert goal and indicator and band
    refusals: list[Callable[[], object]] = [
        lambda: draft_update(draft=version, name="x", streak_months=None, streak_min_score=None, streak_flag=""),
        lambda: goal_save(draft=version, code="new", name="新"),
        lambda: goal_delete(goal=goal),
        lambda: indicator_delete(indicator=indicator),
        lambda: band_save(draft=version, minimum=Decimal(1), label="Z", payout=Decimal(1), flag=""),
        lambda: band_delete(band=band),
        lambda: draft_publish(draft=version),
        lambda: draft_discard(draft=version),
    ]
    for refusal in refusals:
        with pytest.raises(PlanError, match=r"Version 1 is published and cannot be changed\."):
            refusal()
    assert plan_file_data(plan_definition(version=version)) == plan_data()


def test_a_new_plan_is_built_from_nothing_and_published() -> None:
    draft = plan_create(code="sales", name="销售方案")
    assert not PlanVersion.objects.filter(status=VersionStatus.PUBLISHED).exists()
    goal = goal_save(draft=draft, code="revenue", name="收入")
    indicator_save(
        draft=draft,
        fields=IndicatorFields(
            code="deals", name="签单", goal=goal, unit="", frequency="monthly", weight=Decimal(100),
            direction="higher", method="tiers", tiers=((Decimal(5), Decimal(100)), (Decimal(3), Decimal(60))),
        ),
    )  # fmt: skip
    band_save(draft=draft, minimum=Decimal(0), label="C", payout=Decimal(0), flag="warning")
    band_save(draft=draft, minimum=Decimal(80), label="A", payout=Decimal(100), flag="")
    draft_update(draft=draft, name="销售方案", streak_months=2, streak_min_score=Decimal(95), streak_flag="star")
    outcome = draft_publish(draft=draft)
    assert outcome.version.number == 1
    deals = {
        "code": "deals", "name": "签单", "goal": "revenue", "frequency": "monthly", "weight": 100,
        "direction": "higher", "method": "tiers", "tiers": [[5, 100], [3, 60]],
    }  # fmt: skip
    assert plan_file_data(plan_definition(version=outcome.version)) == {
        "code": "sales",
        "name": "销售方案",
        "goals": [{"code": "revenue", "name": "收入"}],
        "indicators": [deals],
        "bands": [{"min": 80, "label": "A", "payout": 100}, {"min": 0, "label": "C", "payout": 0, "flag": "warning"}],
        "streak": {"months": 2, "min_score": 95, "flag": "star"},
    }


def test_codes_are_unique_within_a_plan_and_among_plans() -> None:
    draft = plan_create(code="sales", name="销售方案")
    goal_save(draft=draft, code="revenue", name="收入")
    with pytest.raises(PlanError, match="goal “revenue” already"):
        goal_save(draft=draft, code="revenue", name="again")
    with pytest.raises(PlanError, match="“sales” exists already"):
        plan_create(code="sales", name="again")


def test_a_goal_with_indicators_is_not_deleted_with_them() -> None:
    draft = draft_open(template=publish().template)
    goal = Goal.objects.get(version=draft, code="retention")
    with pytest.raises(PlanError, match="still has indicators"):
        goal_delete(goal=goal)
    assert Indicator.objects.filter(version=draft, code="churn").exists()


def test_discarding_a_never_published_plan_removes_it() -> None:
    draft = plan_create(code="sales", name="销售方案")
    draft_discard(draft=draft)
    assert not PlanTemplate.objects.exists()


def test_a_plan_is_cloned_into_a_new_template_as_a_draft() -> None:
    version = publish()
    clone = plan_clone(version=version, code="key-accounts", name="大客户方案")
    assert clone.status == VersionStatus.DRAFT and clone.template.code == "key-accounts"
    data = plan_file_data(plan_file_parse(version_plan_data(version=clone)))
    assert data == plan_data(code="key-accounts", name="大客户方案")
    assert Goal.objects.filter(version=clone).count() == 5
    assert set(Indicator.objects.filter(version=clone).values_list("goal__version", flat=True)) == {clone.pk}
    with pytest.raises(PlanError):
        plan_clone(version=version, code="customer-manager", name="again")


@pytest.mark.parametrize(
    ("key", "name"), [(LIBRARY_ZH, "客户管理员绩效方案"), (LIBRARY_EN, "Customer account manager plan")]
)
def test_a_plan_starts_from_the_library_as_a_draft_with_a_new_code(key: str, name: str) -> None:
    draft = plan_start_from_library(key=key, code="my-plan", name=name)
    assert draft.status == VersionStatus.DRAFT and draft.template.code == "my-plan"
    published = draft_publish(draft=draft).version
    data = plan_file_data(plan_definition(version=published))
    assert data["name"] == name and data["code"] == "my-plan"


def test_the_english_library_plan_has_the_same_numbers_as_the_chinese_one() -> None:
    def numbers(key: str) -> dict[str, Any]:
        found = library_template(key=key)
        assert found is not None
        data = plan_file_data(plan_file_parse(found.data))
        for part in (data, *data["goals"], *data["indicators"]):
            part.pop("name")
        return data

    assert numbers(LIBRARY_EN) == numbers(LIBRARY_ZH)
    english = json.loads((LIBRARY / f"{LIBRARY_EN}.json").read_text(encoding="utf-8"))
    assert english["goals"][0]["name"] == "Customer retention"
