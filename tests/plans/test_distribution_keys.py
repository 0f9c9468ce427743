"""The plan keys of SPEC.md section 10: ``distribution`` and ``calibration``, read, checked, stored,
written back and compared."""

import pytest

from plans.diff import plan_diff
from plans.models import PlanVersion
from plans.plan_file import DistributionRule, plan_file_parse
from plans.plan_file_write import plan_file_data
from plans.selectors import plan_definition, version_plan_data
from plans.services import draft_guideline_update, draft_open, draft_publish, plan_publish
from tests.plans.test_plan_file import D, errors_of, example

GUIDELINE = [{"band": "A", "max": 20}, {"band": "C", "min": 5}]


def test_a_plan_reads_its_distribution_and_calibration_and_writes_them_back() -> None:
    data = {**example(), "distribution": GUIDELINE, "calibration": True}
    definition = plan_file_parse(data)
    assert definition.distribution == (
        DistributionRule(band="A", maximum=D(20)),
        DistributionRule(band="C", minimum=D(5)),
    )
    assert definition.calibration is True
    written = plan_file_data(definition)
    assert written["distribution"] == GUIDELINE
    assert written["calibration"] is True
    assert plan_file_parse(written) == definition


def test_a_plan_without_them_writes_neither() -> None:
    written = plan_file_data(plan_file_parse(example()))
    assert "distribution" not in written
    assert "calibration" not in written


@pytest.mark.parametrize(
    ("guideline", "expected"),
    [
        ([{"band": "S", "max": 20}], "distribution[0]: unknown band “S”: the plan's bands are A, B, C"),
        ([{"band": "A", "max": 120}], "distribution[0]: “max” is a percentage: at most 100, not 120"),
        ([{"band": "A", "min": -1}], "distribution[0]: “min” must be at least 0"),
        ([{"band": "A", "min": 30, "max": 20}], "distribution[0]: “min” 30 is above “max” 20"),
        ([{"band": "A"}], "distribution[0]: give “min”, “max” or both"),
        ([{"band": "A", "max": 20}, {"band": "A", "min": 5}], "distribution[1]: band “A” is given twice"),
        ([{"band": "A", "max": 20, "share": 3}], "distribution[0]: unknown key “share”"),
        ({"A": 20}, "“distribution” must be a list"),
    ],
)
def test_a_wrong_guideline_is_refused_naming_the_place(guideline: object, expected: str) -> None:
    assert expected in errors_of({**example(), "distribution": guideline})


def test_calibration_is_true_or_false() -> None:
    assert errors_of({**example(), "calibration": "yes"}) == ['calibration: must be true or false, not "yes"']


@pytest.mark.django_db
def test_a_published_version_keeps_them_and_a_draft_edits_them() -> None:
    version = plan_publish(definition=plan_file_parse({**example(), "distribution": GUIDELINE})).version
    assert plan_definition(version=version).distribution[0] == DistributionRule(band="A", maximum=D(20))
    assert version.calibration is False
    draft = draft_open(template=version.template)
    assert draft.distribution == version.distribution  # the draft starts as the version
    draft_guideline_update(
        draft=draft, calibration=True, distribution=[DistributionRule(band="B", minimum=D(10), maximum=D(60))]
    )
    assert version_plan_data(version=draft)["distribution"] == [{"band": "B", "min": D(10), "max": D(60)}]
    outcome = draft_publish(draft=draft)
    assert outcome.created
    published = PlanVersion.objects.get(pk=outcome.version.pk)
    assert published.calibration is True
    assert published.distribution == [{"band": "B", "min": "10", "max": "60"}]


@pytest.mark.django_db
def test_a_draft_naming_a_band_it_no_longer_has_is_not_published() -> None:
    version = plan_publish(definition=plan_file_parse(example())).version
    draft = draft_open(template=version.template)
    draft_guideline_update(draft=draft, calibration=False, distribution=[DistributionRule(band="S", maximum=D(10))])
    with pytest.raises(Exception, match="unknown band"):
        draft_publish(draft=draft)


def test_the_diff_names_the_guideline_and_calibration_in_words() -> None:
    old = plan_file_data(plan_file_parse({**example(), "distribution": GUIDELINE}))
    new = plan_file_data(
        plan_file_parse({**example(), "calibration": True, "distribution": [{"band": "A", "max": 25}]})
    )
    texts = [change.text for change in plan_diff(old, new)]
    assert texts == [
        "Plan: calibration before release no → yes",
        "Distribution guideline of band “C” removed",
        "Distribution guideline of band “A”: at most % 20 → 25",
    ]


@pytest.mark.django_db
def test_hr_sets_calibration_and_the_guideline_on_the_builder_page() -> None:
    from people.models import Role, User
    from tests.metrics.results.test_cycle_pages import client_for, page_text

    version = plan_publish(definition=plan_file_parse(example())).version
    draft = draft_open(template=version.template)
    hr = client_for(User.objects.create_user(username="hr", role=Role.HR))
    page = page_text(hr.get(f"/plans/{draft.template.code}/draft/").content)
    assert "Band A: at least %" in page and "Band C: at most %" in page

    # bands best first: A, B, C
    refused = hr.post(f"/plans/{draft.template.code}/draft/guideline/", {"min_0": "30", "max_0": "20"}, follow=True)
    assert "Band A: at least is above at most." in page_text(refused.content)
    saved = hr.post(
        f"/plans/{draft.template.code}/draft/guideline/",
        {"calibration": "on", "max_0": "20", "min_2": "５"},
        follow=True,
    )
    assert "Calibration and distribution guideline saved." in page_text(saved.content)
    draft.refresh_from_db()
    assert draft.calibration is True
    assert draft.distribution == [{"band": "A", "max": "20"}, {"band": "C", "min": "5"}]
