"""Issue 12, the builder: HR types names and the product makes the codes; flags have labels; the
builder says what is wrong before saving; publishing is confirmed; over-achievement is a choice."""

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from people.models import Role
from plans.codes import code_from_name, flag_from_label, input_name_from_label, plan_code_from_name
from plans.models import Band, Goal, Indicator, PlanTemplate, PlanVersion, VersionStatus
from plans.plan_file import PlanFileError, plan_file_parse
from plans.plan_file_write import plan_file_data
from plans.selectors import draft_check, flag_labels, plan_definition
from plans.services import band_save, draft_open, draft_update, plan_create
from tests.factories import UserFactory, assign, plan_data, publish
from tests.plans.test_builder_limits import indicator_post, snapshot

pytestmark = pytest.mark.django_db

CODE = "customer-manager"


@pytest.fixture
def hr_client(client: Client) -> Client:
    client.force_login(UserFactory.create(username="hr", role=Role.HR))
    return client


@pytest.fixture
def draft(db: None) -> PlanVersion:
    return draft_open(template=publish().template)


# --- codes made from names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "taken", "code"),
    [
        ("客户流失率", set(), "kehuliushilv"),
        ("客户经理 2026（新）", set(), "kehujingli_2026_xin"),
        ("Café Näher!", set(), "cafe_naher"),
        ("客户", {"kehu", "kehu_2"}, "kehu_3"),
        ("！！！", set(), "item"),
        ("满意度" * 30, set(), "manyidu" * 7 + "m"),  # at most 50 characters
    ],
)
def test_a_code_is_the_pinyin_of_the_name_made_unique(name: str, taken: set[str], code: str) -> None:
    assert code_from_name(name, taken=taken) == code


def test_the_other_codes_follow_their_own_rules() -> None:
    assert plan_code_from_name("客户经理", taken={"kehujingli"}) == "kehujingli-2"
    assert plan_code_from_name("New", taken=set()) == "new-2"  # the plan pages' own address
    assert flag_from_label("预警") == "yujing"
    assert input_name_from_label("2号客户") == "input_2_haokehu"  # an input starts with a letter
    assert len(flag_from_label("晋升候选人" * 10)) <= 32


def test_a_plan_without_a_code_gets_one_from_its_name(hr_client: Client) -> None:
    for _ in range(2):
        response = hr_client.post(reverse("plans:create"), {"name": "客户经理方案", "code": ""})
        assert response.status_code == 302
    assert sorted(PlanTemplate.objects.values_list("code", flat=True)) == ["kehujinglifangan", "kehujinglifangan-2"]
    assert response["Location"] == reverse("plans:draft", args=["kehujinglifangan-2"])


def test_starting_from_a_template_asks_a_name_and_makes_a_free_code(hr_client: Client) -> None:
    publish()  # "customer-manager", the library's own code, is taken
    url = reverse("plans:library_start", args=["customer-manager.zh-hans"])
    page = hr_client.get(url).content.decode()
    assert 'name="code" value=' not in page  # nothing pre-filled that would fail
    response = hr_client.post(url, {"name": "客户经理 2027", "code": ""})
    assert response.status_code == 302
    draft = PlanVersion.objects.get(status=VersionStatus.DRAFT)
    assert draft.template.code == "kehujingli-2027" and draft.indicators.count() == 5


def test_the_plan_code_can_change_until_the_first_publish(db: None) -> None:
    draft = plan_create(code="", name="销售方案")
    assert draft.template.code == "xiaoshoufangan"
    draft_update(draft=draft, name="销售方案", streak_months=None, streak_min_score=None, streak_flag="", code="sales")
    assert PlanTemplate.objects.get().code == "sales"
    published = draft_open(template=publish().template)
    with pytest.raises(Exception, match="its code cannot change"):
        draft_update(draft=published, name="x", streak_months=None, streak_min_score=None, streak_flag="", code="other")


def test_goals_and_indicators_without_codes_get_them_from_their_names(hr_client: Client, draft: PlanVersion) -> None:
    assert hr_client.post(reverse("plans:goal_new", args=[CODE]), {"name": "客户维护", "code": ""}).status_code == 302
    assert Goal.objects.filter(version=draft, code="kehuweihu").exists()
    data = indicator_post(
        code="", name="客户流失率", method="proportional", target="5", direction="lower", unit="%",
        formula="流失客户数 / 客户总数 * 100", input_name=["", ""], input_label=["流失客户数", "客户总数"],
        input_min=["0", "1"], input_max=["", ""],
    )  # fmt: skip
    response = hr_client.post(reverse("plans:indicator_new", args=[CODE]), data)
    assert response.status_code == 302
    indicator = Indicator.objects.get(version=draft, name="客户流失率", goal=None)
    assert indicator.code == "kehuliushilv"
    assert indicator.inputs == ["liushikehushu", "kehuzongshu"]
    assert indicator.formula == "liushikehushu / kehuzongshu * 100"  # the plan file keeps names
    page = hr_client.get(reverse("plans:indicator_edit", args=[CODE, indicator.pk])).content.decode()
    assert 'value="流失客户数 / 客户总数 * 100"' in page  # and HR reads labels again


# --- flags with labels -----------------------------------------------------------------------------


def labelled() -> dict[str, Any]:
    data = plan_data()
    data["bands"][2]["flag_label"] = "预警"
    data["streak"]["flag_label"] = "晋升候选"
    return data


def test_a_plan_file_gives_flags_labels_and_writes_them_back() -> None:
    definition = plan_file_parse(labelled())
    assert definition.flag_labels == (("promotion_candidate", "晋升候选"), ("warning", "预警"))
    written = plan_file_data(definition)
    assert written["bands"][2] == {"min": 0, "label": "C", "payout": 0, "flag": "warning", "flag_label": "预警"}
    assert written["streak"]["flag_label"] == "晋升候选"


def test_a_flag_with_two_labels_or_a_label_without_a_flag_is_refused() -> None:
    data = labelled()
    data["bands"][1].update({"flag": "warning", "flag_label": "警告"})
    data["bands"][0]["flag_label"] = "优秀"
    with pytest.raises(PlanFileError) as refused:
        plan_file_parse(data)
    assert refused.value.messages == [
        "bands[0]: “flag_label” is given without a “flag”",
        "bands[2]: the flag “warning” is labelled “警告” and “预警”: give it one label",
    ]


def test_flag_labels_are_stored_and_selected_by_version(db: None) -> None:
    first = publish()
    second = publish(labelled())
    assert Band.objects.get(version=second, flag="warning").flag_label == "预警"
    assert flag_labels(version_ids=[first.pk, second.pk]) == {
        first.pk: {},
        second.pk: {"warning": "预警", "promotion_candidate": "晋升候选"},
    }
    assert plan_file_data(plan_definition(version=second)) == plan_file_data(plan_file_parse(labelled()))
    assert publish(labelled()).pk == second.pk  # the same file again publishes nothing


def test_hr_types_a_flag_label_and_the_code_is_made(hr_client: Client, draft: PlanVersion) -> None:
    data = {"minimum": "40", "label": "D", "payout": "0", "flag_label": "预警", "flag": ""}
    assert hr_client.post(reverse("plans:band_new", args=[CODE]), data).status_code == 302
    assert Band.objects.get(version=draft, label="D").flag == "yujing"
    band = band_save(draft=draft, minimum=Decimal(30), label="E", payout=Decimal(0), flag="", flag_label="预警")
    assert band.flag == "yujing"  # the same label is the same flag
    with pytest.raises(Exception, match="labelled “预警” elsewhere"):
        band_save(draft=draft, minimum=Decimal(20), label="F", payout=Decimal(0), flag="yujing", flag_label="警告")
    page = hr_client.get(reverse("plans:draft", args=[CODE])).content.decode()
    assert '<span class="badge text-bg-warning">预警</span>' in page


# --- what is wrong, before saving ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"target": ""}, "target", "This method needs a target."),
        ({"target": "-5"}, "target", "A proportional indicator needs a target greater than 0."),
        ({"weight": "-1"}, "weight", "The weight must be greater than 0."),
        ({"method": "rating", "target": ""}, "scale", "A rating needs its scale"),
        ({"maximum": "10", "target": "11"}, "target", "The target is above the highest value"),
        ({"method": "per_unit"}, "penalty_per_unit", "This method needs the points taken off"),
        ({"stretch_target": "8"}, "stretch_bonus", "Give the extra points the stretch target earns."),
        ({"formula": "(lost / total", "input_name": ["lost", "total"]}, "formula", "a “(” is not closed"),
        ({"formula": "lost / total)", "input_name": ["lost", "total"]}, "formula", "a “)” has no “(”"),
        ({"formula": "lost / totl", "input_name": ["lost", "total"]}, "formula", "The formula uses totl"),
        ({"formula": "lost ^ 2", "input_name": ["lost", ""]}, "formula", "“^” cannot be read"),
        ({"input_name": ["lost", ""]}, "formula", "The inputs are given without a formula"),
    ],
)
def test_the_indicator_form_says_what_is_wrong_next_to_the_field(
    hr_client: Client, draft: PlanVersion, changes: dict[str, Any], field: str, message: str
) -> None:
    before = snapshot()
    data = indicator_post(**changes)
    data["input_label"] = data["input_min"] = data["input_max"] = [""] * len(data["input_name"])
    response = hr_client.post(reverse("plans:indicator_new", args=[CODE]), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and any(message in error for error in errors[field]), errors
    assert snapshot() == before


def test_over_achievement_is_a_visible_choice(hr_client: Client, draft: PlanVersion) -> None:
    url = reverse("plans:indicator_new", args=[CODE])
    refused = hr_client.post(url, indicator_post(overachieve="on", cap="100"))
    assert "a share of the weight above 100" in refused.content.decode()
    assert hr_client.post(url, indicator_post(overachieve="on", cap="120")).status_code == 302
    assert Indicator.objects.get(version=draft, code="deals").cap == Decimal("1.2")
    assert hr_client.post(url, indicator_post(code="deals2", cap="150")).status_code == 302  # unticked: the weight
    assert Indicator.objects.get(version=draft, code="deals2").cap is None


def test_the_live_formula_check_reads_labels_as_the_form_will(hr_client: Client, draft: PlanVersion) -> None:
    url = reverse("plans:formula_check", args=[CODE])
    rows = {"input_name": ["", "total"], "input_label": ["流失客户数", ""]}
    assert hr_client.post(url, {"formula": "流失客户数 / total * 100", **rows}).json() == {"problem": ""}
    problem = hr_client.post(url, {"formula": "流失客户数 / (total", **rows}).json()["problem"]
    assert "a “(” is not closed" in problem


def test_a_draft_without_a_band_is_incomplete(db: None) -> None:
    draft = draft_open(template=publish().template)
    Band.objects.filter(version=draft).delete()
    assert "Bands: a plan needs at least one band" in draft_check(draft=draft)[1]


# --- publishing asks first -------------------------------------------------------------------------


def test_publishing_shows_a_summary_and_asks_to_confirm(hr_client: Client) -> None:
    version = publish()
    assign(UserFactory.create(username="li.lei"), version)
    draft = draft_open(template=version.template)
    Indicator.objects.filter(version=draft, code="churn").update(target=4)
    url = reverse("plans:publish", args=[CODE])
    page = hr_client.get(url).content.decode()
    assert "Publish 客户管理员绩效方案 as version 2?" in page
    assert "1 person is on version 1 and stays on it" in page
    assert "Indicator “churn”: target 5 → 4" in page
    assert PlanVersion.objects.filter(status=VersionStatus.DRAFT).exists()  # nothing published by looking
    hr_client.post(url)
    assert PlanVersion.objects.filter(status=VersionStatus.PUBLISHED).count() == 2


def test_the_summary_of_an_incomplete_draft_has_no_publish_button(hr_client: Client, draft: PlanVersion) -> None:
    Band.objects.filter(version=draft).delete()
    response = hr_client.get(reverse("plans:publish", args=[CODE]))
    page = response.content.decode()
    assert response.status_code == 200 and "a plan needs at least one band" in page
    assert 'type="submit">Publish<' not in page


def test_the_streak_flag_is_typed_as_a_label_on_the_draft_page(hr_client: Client, draft: PlanVersion) -> None:
    page = hr_client.get(reverse("plans:draft", args=[CODE])).content.decode()
    assert 'name="code"' not in page  # published once: the plan's code stays
    data = {
        "name": "客户管理员绩效方案",
        "streak_months": "3",
        "streak_min_score": "90",
        "streak_flag_label": "晋升候选",
    }
    assert hr_client.post(reverse("plans:draft", args=[CODE]), {**data, "streak_flag": ""}).status_code == 302
    draft.refresh_from_db()
    assert (draft.streak_flag, draft.streak_flag_label) == ("jinshenghouxuan", "晋升候选")
    assert flag_labels(version_ids=[draft.pk])[draft.pk]["jinshenghouxuan"] == "晋升候选"


def test_a_new_plan_can_rename_its_code_on_the_draft_page(hr_client: Client) -> None:
    draft = plan_create(code="", name="销售方案")
    url = reverse("plans:draft", args=["xiaoshoufangan"])
    assert 'name="code" value="xiaoshoufangan"' in hr_client.get(url).content.decode()
    response = hr_client.post(url, {"name": "销售方案", "code": "sales"})
    assert response["Location"] == reverse("plans:draft", args=["sales"])
    draft.template.refresh_from_db()
    assert draft.template.code == "sales"


def test_a_code_taken_by_another_plan_is_refused_on_the_draft_page(hr_client: Client) -> None:
    publish()
    plan_create(code="", name="销售方案")
    response = hr_client.post(
        reverse("plans:draft", args=["xiaoshoufangan"]), {"name": "销售方案", "code": "customer-manager"}
    )
    page = response.content.decode()
    assert "A plan with the code “customer-manager” exists already." in page
    assert reverse("plans:publish", args=["xiaoshoufangan"]) in page
    assert PlanTemplate.objects.filter(code="xiaoshoufangan").exists()
