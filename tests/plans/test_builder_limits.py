"""SPEC.md section 7 where a plan enters by the pages: every refusal is a message, never a 500,
and nothing is saved; valid ranges are edited in the builder and shown on the plan pages."""

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from people.models import Role
from plans.models import Band, Goal, Indicator, PlanTemplate, PlanVersion, VersionStatus
from plans.selectors import value_limits
from plans.services import draft_open
from tests.factories import UserFactory, plan_data, publish

pytestmark = pytest.mark.django_db

CODE = "customer-manager"


@pytest.fixture
def hr_client(client: Client) -> Client:
    client.force_login(UserFactory.create(username="hr", role=Role.HR))
    return client


@pytest.fixture
def draft(db: None) -> PlanVersion:
    return draft_open(template=publish().template)


def snapshot() -> list[Any]:
    """Everything of every plan, to show a refusal saved nothing."""
    return [
        list(PlanTemplate.objects.order_by("pk").values()),
        list(PlanVersion.objects.order_by("pk").values()),
        list(Goal.objects.order_by("pk").values()),
        list(Indicator.objects.order_by("pk").values()),
        list(Band.objects.order_by("pk").values()),
    ]


def indicator_post(**changes: Any) -> dict[str, Any]:
    """A new indicator "deals" as the builder's form posts it."""
    data: dict[str, Any] = {
        "code": "deals", "name": "签单", "unit": "", "frequency": "monthly", "direction": "higher",
        "weight": "1", "method": "proportional", "target": "5",
        "tier_threshold": [""], "tier_points": [""],
        "input_name": [""], "input_label": [""], "input_min": [""], "input_max": [""],
    }  # fmt: skip
    data.update(changes)
    return data


# --- plan files through the upload page -----------------------------------------------------------


def upload(client: Client, text: str | bytes) -> tuple[int, str]:
    data = text.encode() if isinstance(text, str) else text
    response = client.post(reverse("plans:upload"), {"file": SimpleUploadedFile("plan.json", data)})
    return response.status_code, response.content.decode()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            json.dumps(plan_data()).replace('"target": 5,', '"target": 1e12,'),
            "“target”: “1000000000000” is too large: a number must lie between −1,000,000,000 and 1,000,000,000",
        ),
        (
            json.dumps(plan_data()).replace('"target": 5,', '"target": 0.1234567,'),
            "“target”: “0.1234567” has more than 6 decimals: give at most 6, nothing is rounded",
        ),
        (json.dumps(plan_data(name="名" * 201)), "“name” is 201 characters long: at most 200"),
        (json.dumps(plan_data(code="c" * 65)), "may hold only letters, digits, “-” and “_”, at most 50"),
        ("[" * 100_000 + "]" * 100_000, "The plan file is nested too deeply to be a plan file."),
        (json.dumps(plan_data()).replace('"target": 5,', '"target": Infinity,'), "holds Infinity"),
        (
            json.dumps(plan_data()).replace('"lost / total * 100"', json.dumps("lost + " * 1200 + "total")),
            "“formula” is 8405 characters long: at most 500",
        ),
        (json.dumps(plan_data(bands=[])), "bands: a plan needs at least one band"),
    ],
    ids=["1e12", "7-decimals", "long-name", "long-code", "nested", "infinity", "long-formula", "no-band"],
)
def test_an_upload_beyond_the_limits_is_refused_with_its_message(hr_client: Client, text: str, message: str) -> None:
    status, page = upload(hr_client, text)

    assert status == 400
    assert message in page
    assert not PlanTemplate.objects.exists()


def test_an_upload_over_1_mb_is_refused_before_it_is_read(hr_client: Client) -> None:
    status, page = upload(hr_client, b" " * 1_000_001)

    assert status == 400 and "The plan file is larger than 1 MB" in page


# --- the builder's forms ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("threshold", "message"),
    [
        ("NaN", "Tier 1: “NaN” is not a number"),
        ("Infinity", "Tier 1: “Infinity” is not a number"),
        ("1e999", "Tier 1: “1e999” is too large"),
        ("0.1234567", "Tier 1: “0.1234567” has more than 6 decimals"),
    ],
)
def test_a_tier_that_is_not_a_number_we_accept_is_a_form_error(
    hr_client: Client, draft: PlanVersion, threshold: str, message: str
) -> None:
    before = snapshot()
    data = indicator_post(method="tiers", tier_threshold=[threshold], tier_points=["10"])

    response = hr_client.post(reverse("plans:indicator_new", args=[CODE]), data)

    assert response.status_code == 200 and message in response.content.decode()
    assert snapshot() == before
    assert hr_client.get(reverse("plans:draft", args=[CODE])).status_code == 200


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("target", "NaN", "“NaN” is not a number"),
        ("target", "Infinity", "“Infinity” is not a number"),
        ("target", "1e999", "“1e999” is too large"),
        ("weight", "1e12", "“1e12” is too large"),
        ("cap", "1.1234567", "“1.1234567” has more than 6 decimals"),
        ("minimum", "8,6", "“8,6” is not a number"),
        ("stretch_bonus", " ", None),  # blank is no value: saved
    ],
)
def test_a_number_field_of_the_indicator_form_refuses_on_the_field(
    hr_client: Client, draft: PlanVersion, field: str, text: str, message: str | None
) -> None:
    before = snapshot()

    response = hr_client.post(reverse("plans:indicator_new", args=[CODE]), indicator_post(**{field: text}))

    if message is None:
        assert response.status_code == 302
        return
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [message + _tail(message)]
    assert snapshot() == before


def _tail(message: str) -> str:
    # number_parse's messages go on after the quoted value for these two
    if "too large" in message:
        return ": a number must lie between −1,000,000,000 and 1,000,000,000"
    if "decimals" in message:
        return ": give at most 6, nothing is rounded"
    return ""


def test_numbers_are_read_as_hr_types_them(hr_client: Client, draft: PlanVersion) -> None:
    data = indicator_post(target="１２．５", weight="１", minimum="－３", maximum="1,000")

    response = hr_client.post(reverse("plans:indicator_new", args=[CODE]), data)

    assert response.status_code == 302
    deals = Indicator.objects.get(version=draft, code="deals")
    assert (deals.target, deals.minimum, deals.maximum) == (Decimal("12.5"), Decimal(-3), Decimal(1000))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": "c" * 51}, "code", "Ensure this value has at most 50 characters (it has 51)."),
        ({"name": "名" * 201}, "name", "Ensure this value has at most 200 characters (it has 201)."),
        ({"unit": "u" * 33}, "unit", "Ensure this value has at most 32 characters (it has 33)."),
        ({"formula": "x+" * 251}, "formula", "Ensure this value has at most 500 characters (it has 502)."),
        ({"minimum": "10", "maximum": "5"}, "maximum", "The maximum is below the minimum."),
    ],
)
def test_the_indicator_form_holds_the_text_limits(
    hr_client: Client, draft: PlanVersion, changes: dict[str, str], field: str, message: str
) -> None:
    before = snapshot()

    response = hr_client.post(reverse("plans:indicator_new", args=[CODE]), indicator_post(**changes))

    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ({"input_name": ["lost", "_x"]}, "Input 2: “_x” is not a name: a letter, then letters, digits and “_”"),
        ({"input_name": ["lost", "lost"]}, "Input 2: “lost” is listed twice"),
        ({"input_name": ["", ""], "input_min": ["1", ""]}, "Input 1: a label or a name is needed"),
        ({"input_min": ["NaN", ""]}, "Input 1: “NaN” is not a number"),
        ({"input_min": ["5", ""], "input_max": ["1", ""]}, "Input 1: the maximum is below the minimum"),
        ({"input_label": ["名" * 201, ""]}, "Input 1: the label is longer than 200 characters"),
    ],
)
def test_a_bad_input_row_is_a_form_error(
    hr_client: Client, draft: PlanVersion, rows: dict[str, list[str]], message: str
) -> None:
    before = snapshot()
    data = indicator_post(
        formula="lost / total", input_name=["lost", "total"], input_label=["", ""], input_min=["", ""],
        input_max=["", ""],
    )  # fmt: skip
    data.update(rows)

    response = hr_client.post(reverse("plans:indicator_new", args=[CODE]), data)

    assert response.status_code == 200 and message in response.content.decode()
    assert snapshot() == before


def test_inputs_with_labels_and_ranges_are_saved_and_shown_again(hr_client: Client, draft: PlanVersion) -> None:
    data = indicator_post(
        formula="lost / total * 100", input_name=["lost", "total", ""], input_label=["流失客户数", "", ""],
        input_min=["0", "1", ""], input_max=["", "", ""], minimum="0", maximum="100",
    )  # fmt: skip

    response = hr_client.post(reverse("plans:indicator_new", args=[CODE]), data)

    assert response.status_code == 302
    deals = Indicator.objects.get(version=draft, code="deals")
    assert deals.inputs == ["lost", "total"]
    assert deals.input_limits == {"lost": {"label": "流失客户数", "min": "0"}, "total": {"min": "1"}}
    assert value_limits(indicator=deals) == {
        "": (Decimal(0), Decimal(100)),
        "lost": (Decimal(0), None),
        "total": (Decimal(1), None),
    }
    page = hr_client.get(reverse("plans:indicator_edit", args=[CODE, deals.pk])).content.decode()
    assert 'name="input_label" value="流失客户数"' in page and 'name="input_min" value="1"' in page
    assert 'name="minimum" value="0"' in page and 'name="maximum" value="100"' in page


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        ({"minimum": "NaN", "label": "D", "payout": "0"}, "minimum", "“NaN” is not a number"),
        ({"minimum": "10", "label": "D", "payout": "-1"}, "payout", "“-1” is below the minimum of 0"),
        ({"minimum": "10", "label": "L" * 33, "payout": "0"}, "label", "at most 32 characters"),
        ({"minimum": "10", "label": "D", "payout": "0", "flag": "f" * 33}, "flag", "at most 32 characters"),
        ({"minimum": "10", "label": "D", "payout": "0", "flag": "=cmd"}, "flag", "Use only letters"),
    ],
)
def test_the_band_form_holds_the_limits(
    hr_client: Client, draft: PlanVersion, post: dict[str, str], field: str, message: str
) -> None:
    before = snapshot()

    response = hr_client.post(reverse("plans:band_new", args=[CODE]), post)

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert snapshot() == before


@pytest.mark.parametrize(
    ("post", "field", "message"),
    [
        ({"name": "x", "streak_months": "99999"}, "streak_months", "less than or equal to 120"),
        ({"name": "x", "streak_min_score": "Infinity"}, "streak_min_score", "“Infinity” is not a number"),
        ({"name": "x", "streak_flag": "f" * 33}, "streak_flag", "at most 32 characters"),
        ({"name": "名" * 201}, "name", "at most 200 characters"),
    ],
)
def test_the_draft_settings_hold_the_limits(
    hr_client: Client, draft: PlanVersion, post: dict[str, str], field: str, message: str
) -> None:
    before = snapshot()

    response = hr_client.post(reverse("plans:draft", args=[CODE]), post)

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert snapshot() == before


@pytest.mark.parametrize(
    ("url", "post", "field"),
    [
        ("plans:create", {"code": "c" * 51, "name": "x"}, "code"),
        ("plans:create", {"code": "sales", "name": "名" * 201}, "name"),
    ],
)
def test_a_new_plan_holds_the_limits(hr_client: Client, url: str, post: dict[str, str], field: str) -> None:
    response = hr_client.post(reverse(url), post)

    assert response.status_code == 200 and field in response.context["form"].errors
    assert not PlanTemplate.objects.exists()


def test_a_goal_code_holds_the_limits(hr_client: Client, draft: PlanVersion) -> None:
    before = snapshot()

    response = hr_client.post(reverse("plans:goal_new", args=[CODE]), {"code": "g" * 51, "name": "x"})

    assert response.status_code == 200 and "code" in response.context["form"].errors
    assert snapshot() == before


@pytest.mark.parametrize("actual", ["NaN", "Infinity", "1e999", "0.1234567"])
def test_try_it_refuses_a_number_we_do_not_accept(hr_client: Client, actual: str) -> None:
    churn = Indicator.objects.get(version=publish(), code="churn")

    response = hr_client.get(reverse("plans:try", args=[CODE, churn.pk]), {"actual": actual})

    assert response.status_code == 400 and response.json() == {"error": "Enter a number as the actual value."}


# --- ranges on the plan pages -----------------------------------------------------------------------


def ranged() -> dict[str, Any]:
    data = plan_data()
    data["indicators"][0]["inputs"] = [{"name": "lost", "label": "流失客户数", "min": 0}, "total"]
    data["indicators"][1].update({"min": 0, "max": 10})
    return data


def test_the_version_page_and_the_download_show_the_valid_ranges(hr_client: Client) -> None:
    publish(ranged())

    page = hr_client.get(reverse("plans:version", args=[CODE, 1])).content.decode()
    download = hr_client.get(reverse("plans:download", args=[CODE, 1]))

    assert "流失客户数（≥ 0）、total" in page and "流失客户数 / total * 100" in page  # the inputs by their labels
    assert "Values allowed" in page and "from 0 to 10" in page
    assert json.loads(download.content) == ranged()


def test_the_plan_page_says_what_changed_in_the_ranges(hr_client: Client) -> None:
    publish()
    publish(ranged())

    page = hr_client.get(reverse("plans:detail", args=[CODE])).content.decode()

    assert "Indicator “satisfaction”: minimum — → 0" in page
    assert "Indicator “satisfaction”: maximum — → 10" in page
    assert "Indicator “churn”: inputs lost, total → lost (流失客户数, minimum 0), total" in page


def test_a_plan_with_ranges_loaded_again_publishes_nothing(hr_client: Client) -> None:
    publish(ranged())

    status, _page = upload(hr_client, json.dumps(ranged(), ensure_ascii=False))

    assert status == 302
    assert PlanVersion.objects.filter(status=VersionStatus.PUBLISHED).count() == 1


# --- PostgreSQL raises on an over-long value: nothing over-long reaches it --------------------------


@pytest.mark.postgres
def test_over_long_texts_and_large_numbers_are_messages_on_postgresql(hr_client: Client) -> None:
    for text in (
        json.dumps(plan_data(name="名" * 201)),
        json.dumps(plan_data()).replace('"target": 5,', '"target": 1e12,'),
        json.dumps(plan_data()).replace('"label": "A"', '"label": "' + "A" * 33 + '"'),
    ):
        assert upload(hr_client, text)[0] == 400
    assert not PlanTemplate.objects.exists()
    draft = draft_open(template=publish().template)
    before = snapshot()
    responses = [
        hr_client.post(reverse("plans:indicator_new", args=[CODE]), indicator_post(name="名" * 201)),
        hr_client.post(reverse("plans:indicator_new", args=[CODE]), indicator_post(unit="u" * 33)),
        hr_client.post(reverse("plans:indicator_new", args=[CODE]), indicator_post(target="1e12")),
        hr_client.post(reverse("plans:band_new", args=[CODE]), {"minimum": "1", "label": "L" * 33, "payout": "0"}),
        hr_client.post(reverse("plans:draft", args=[CODE]), {"name": "x", "streak_months": "99999"}),
    ]
    assert [r.status_code for r in responses] == [200] * 5
    assert snapshot() == before
    assert draft.pk in PlanVersion.objects.values_list("pk", flat=True)
    # the longest values allowed are stored whole
    data = plan_data(name="名" * 200)
    data["bands"][0]["label"] = "A" * 32
    data["indicators"][1]["target"] = Decimal("999999999.999999")
    status, _page = upload(
        hr_client, json.dumps(data, ensure_ascii=False, default=str).replace('"999999999.999999"', "999999999.999999")
    )
    assert status == 302
    version = PlanVersion.objects.get(number=2)
    assert version.name == "名" * 200
    assert Indicator.objects.get(version=version, code="satisfaction").target == Decimal("999999999.999999")
