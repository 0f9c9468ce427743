"""The plan pages: what HR sees and does, and that nobody else gets in."""

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, reverse
from django.utils import translation

from people.models import Role
from plans import urls as plan_urls
from plans.models import Indicator, PlanTemplate, PlanVersion, VersionStatus
from plans.plan_file_write import plan_file_data
from plans.selectors import plan_definition
from plans.services import draft_open
from tests.factories import UserFactory, plan_data, publish

pytestmark = pytest.mark.django_db

URL_NAMES = [p.name for p in plan_urls.urlpatterns if isinstance(p, URLPattern)]


def url_of(name: str, pk: int = 1) -> str:
    """The URL of a plan page, on the seed plan's version 1 and the row ``pk`` of its draft."""
    pattern = next(p for p in plan_urls.urlpatterns if isinstance(p, URLPattern) and p.name == name)
    values = {"code": "customer-manager", "number": 1, "pk": pk, "key": "customer-manager.en"}
    return reverse(f"plans:{name}", kwargs={key: values[key] for key in pattern.pattern.converters})


@pytest.fixture
def hr_client(client: Client) -> Client:
    client.force_login(UserFactory.create(username="hr", role=Role.HR))
    return client


def test_every_plan_page_is_covered_by_the_access_test() -> None:
    assert len(URL_NAMES) == 25


@pytest.mark.parametrize("role", [Role.MANAGER, Role.EMPLOYEE])
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("name", URL_NAMES)
def test_managers_and_employees_get_403_on_every_plan_page(client: Client, role: Role, method: str, name: str) -> None:
    version = publish()
    draft = draft_open(template=version.template)
    indicator = Indicator.objects.filter(version=draft).first()
    assert indicator is not None
    pk = indicator.pk
    client.force_login(UserFactory.create(username="someone", role=role))
    response = getattr(client, method)(url_of(name, pk))
    assert response.status_code == 403
    assert PlanVersion.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize("name", URL_NAMES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client: Client, name: str) -> None:
    response = client.get(url_of(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_hr_navigation_links_to_the_plans(hr_client: Client) -> None:
    assert 'href="/plans/"' in hr_client.get("/").content.decode()


def test_the_plan_list_shows_each_plan_and_the_library(hr_client: Client) -> None:
    publish()
    publish(plan_data(code="sales", name="销售方案"))
    draft_open(template=PlanTemplate.objects.get(code="sales"))
    page = hr_client.get(reverse("plans:list")).content.decode()
    assert "客户管理员绩效方案" in page and "销售方案" in page and "being edited" in page
    assert "Customer account manager plan" in page  # the library, English first in English
    assert page.index("Customer account manager plan") < page.rindex("客户管理员绩效方案")


def test_the_plan_list_takes_the_same_queries_whatever_the_number_of_plans(hr_client: Client) -> None:
    publish()
    with CaptureQueriesContext(connection) as one:
        assert hr_client.get(reverse("plans:list")).status_code == 200
    for n in range(4):
        publish(plan_data(code=f"plan-{n}", name=f"方案{n}"))
        draft_open(template=PlanTemplate.objects.get(code=f"plan-{n}"))
    with CaptureQueriesContext(connection) as five:
        page = hr_client.get(reverse("plans:list")).content.decode()
    assert "方案3" in page
    assert len(five) == len(one)


def test_the_plan_page_takes_the_same_queries_whatever_the_number_of_versions(hr_client: Client) -> None:
    publish()
    with CaptureQueriesContext(connection) as one:
        assert hr_client.get(reverse("plans:detail", args=["customer-manager"])).status_code == 200
    for n in range(2, 6):
        publish(plan_data(name=f"第{n}版"))
    draft_open(template=PlanTemplate.objects.get())
    with CaptureQueriesContext(connection) as six:
        page = hr_client.get(reverse("plans:detail", args=["customer-manager"])).content.decode()
    assert "Version 5" in page and "Plan: name 第4版 → 第5版" in page
    assert len(six) == len(one)


def test_the_draft_warns_when_a_newer_version_was_published_after_it(hr_client: Client) -> None:
    draft_open(template=publish().template)
    publish(plan_data(name="第二版"))
    page = hr_client.get(reverse("plans:draft", args=["customer-manager"])).content.decode()
    assert "Version 2 was published after this draft was made" in page


def test_hr_builds_a_plan_with_the_pages_and_publishing_at_99_is_refused(hr_client: Client) -> None:
    response = hr_client.post(reverse("plans:create"), {"code": "sales", "name": "销售方案"})
    assert response.status_code == 302 and response["Location"] == reverse("plans:draft", args=["sales"])
    hr_client.post(reverse("plans:goal_new", args=["sales"]), {"code": "revenue", "name": "收入"})
    goal = PlanVersion.objects.get(template__code="sales").goals.get()
    indicator = {
        "code": "deals", "name": "签单", "goal": goal.pk, "unit": "", "frequency": "monthly", "direction": "higher",
        "weight": "99", "method": "tiers", "tier_threshold": ["5", "3", ""], "tier_points": ["99", "60", ""],
        "target": "7",  # not a setting of tiers: dropped
    }  # fmt: skip
    response = hr_client.post(reverse("plans:indicator_new", args=["sales"]), indicator)
    assert response.status_code == 302
    hr_client.post(reverse("plans:band_new", args=["sales"]), {"minimum": "0", "label": "C", "payout": "0"})

    page = hr_client.post(reverse("plans:publish", args=["sales"]), follow=True).content.decode()
    assert "Not published: indicators: the weights add up to 99, not 100" in page
    assert not PlanVersion.objects.filter(status=VersionStatus.PUBLISHED).exists()

    deals = Indicator.objects.get(code="deals")
    response = hr_client.post(reverse("plans:indicator_edit", args=["sales", deals.pk]), {**indicator, "weight": "100"})
    assert response.status_code == 302
    page = hr_client.post(reverse("plans:publish", args=["sales"]), follow=True).content.decode()
    assert "Published version 1." in page
    data = plan_file_data(plan_definition(version=PlanVersion.objects.get(status=VersionStatus.PUBLISHED)))
    assert data["indicators"][0]["tiers"] == [[5, 99], [3, 60]] and "target" not in data["indicators"][0]


def test_the_draft_page_lists_what_stops_publishing_and_the_weight_total(hr_client: Client) -> None:
    draft = draft_open(template=publish().template)
    Indicator.objects.filter(version=draft, code="churn").update(weight=Decimal(29), target=None)
    page = hr_client.get(reverse("plans:draft", args=["customer-manager"])).content.decode()
    assert "The weights add up to 99 (they must add up to 100)." in page
    assert "Indicator “客户流失率”: method “proportional” needs “target”" in page  # by its name
    assert "Indicators: the weights add up to 99, not 100" in page


def test_a_bad_indicator_form_says_what_and_where(hr_client: Client) -> None:
    draft = draft_open(template=publish().template)
    response = hr_client.post(
        reverse("plans:indicator_new", args=["customer-manager"]),
        {"code": "churn", "name": "x", "frequency": "monthly", "direction": "higher", "weight": "abc",
         "method": "tiers", "tier_threshold": ["9", "x"], "tier_points": ["1", "2"],
         "input_name": ["a", "b-c"], "input_label": ["", ""], "input_min": ["", ""], "input_max": ["", ""]},
    )  # fmt: skip
    page = response.content.decode()
    assert response.status_code == 200
    assert "“abc” is not a number" in page and "Tier 2: “x” is not a number" in page
    assert "Input 2: “b-c” is not a name: a letter, then letters, digits and “_”, at most 50" in page
    assert Indicator.objects.filter(version=draft).count() == 5


def test_a_duplicate_indicator_code_is_refused_on_the_page(hr_client: Client) -> None:
    draft_open(template=publish().template)
    response = hr_client.post(
        reverse("plans:indicator_new", args=["customer-manager"]),
        {
            "code": "churn",
            "name": "x",
            "frequency": "monthly",
            "direction": "higher",
            "weight": "1",
            "method": "binary",
            "target": "1",
        },
    )
    assert "The plan has an indicator “churn” already." in response.content.decode()


def test_the_indicator_form_shows_the_other_weights_and_the_method_settings(hr_client: Client) -> None:
    draft = draft_open(template=publish().template)
    churn = Indicator.objects.get(version=draft, code="churn")
    page = hr_client.get(reverse("plans:indicator_edit", args=["customer-manager", churn.pk])).content.decode()
    assert 'data-other="70"' in page
    assert 'name="overachieve" id="id_overachieve" checked' in page and 'value="120"' in page  # cap 1.2
    assert 'name="input_name" value="lost"' in page and 'value="total"' in page
    assert 'data-for-methods="proportional per_unit binary"' in page  # the target


def test_the_plan_page_lists_versions_with_what_changed(hr_client: Client) -> None:
    publish()
    changed = plan_data()
    changed["indicators"][0]["cap"] = 1.3
    publish(changed)
    draft = draft_open(template=PlanTemplate.objects.get())
    Indicator.objects.filter(version=draft, code="feedback").delete()
    page = hr_client.get(reverse("plans:detail", args=["customer-manager"])).content.decode()
    assert "Version 2" in page and "Version 1" in page and "The first version." in page
    assert "Indicator “churn”: cap 1.2 → 1.3" in page
    assert "Indicator “feedback” removed" in page  # the draft against version 2
    assert "published" in page and "Continue the draft" in page


def test_a_version_page_shows_its_indicators_and_settings(hr_client: Client) -> None:
    publish()
    page = hr_client.get(reverse("plans:version", args=["customer-manager", 1])).content.decode()
    assert "客户流失率" in page and "lost / total * 100" in page and "[[95, 15]" not in page
    assert "<tr><td>≥ 95%</td><td>15</td></tr>" in page  # the tiers as a table, highest first
    assert "over-achievement earns extra points, at most 120% of the weight" in page
    assert "Promotion candidate" in page


def test_editing_opens_a_draft(hr_client: Client) -> None:
    publish()
    response = hr_client.post(reverse("plans:edit", args=["customer-manager"]))
    assert response["Location"] == reverse("plans:draft", args=["customer-manager"])
    assert PlanVersion.objects.filter(status=VersionStatus.DRAFT).count() == 1


def test_a_published_version_has_no_builder_page(hr_client: Client) -> None:
    publish()
    assert hr_client.get(reverse("plans:draft", args=["customer-manager"])).status_code == 404


def test_the_download_is_the_plan_file_of_the_version(hr_client: Client) -> None:
    publish()
    changed = plan_data(name="第二版")
    publish(changed)
    response = hr_client.get(reverse("plans:download", args=["customer-manager", 2]))
    assert response["Content-Disposition"] == 'attachment; filename="customer-manager-v2.json"'
    assert json.loads(response.content) == changed
    first = hr_client.get(reverse("plans:download", args=["customer-manager", 1]))
    assert json.loads(first.content) == plan_data()


def test_an_upload_lists_every_problem_and_saves_nothing(hr_client: Client) -> None:
    bad = plan_data()
    bad["indicators"][4]["weight"] = 9
    bad["indicators"][1]["colour"] = "red"
    bad["indicators"][0]["formula"] = "lost / all * 100"
    upload = SimpleUploadedFile("plan.json", json.dumps(bad).encode())
    response = hr_client.post(reverse("plans:upload"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 400
    assert "indicators: the weights add up to 99, not 100" in page
    assert "indicators[1] “satisfaction”: unknown key “colour”" in page
    assert "indicators[0] “churn”: the formula names an unknown input “all”" in page
    assert not PlanTemplate.objects.exists()


def test_an_upload_publishes_the_next_version(hr_client: Client) -> None:
    publish()
    upload = SimpleUploadedFile("plan.json", json.dumps(plan_data(name="第二版"), ensure_ascii=False).encode())
    page = hr_client.post(reverse("plans:upload"), {"file": upload}, follow=True).content.decode()
    assert "Published customer-manager version 2." in page
    version = PlanVersion.objects.get(number=2)
    assert version.published_by is not None and version.published_by.username == "hr"
    same = SimpleUploadedFile("plan.json", json.dumps(plan_data(name="第二版")).encode())
    page = hr_client.post(reverse("plans:upload"), {"file": same}, follow=True).content.decode()
    assert "version 2 is already this plan" in page


def test_a_plan_is_cloned_through_its_page(hr_client: Client) -> None:
    publish()
    response = hr_client.post(reverse("plans:clone", args=["customer-manager"]), {"code": "vip", "name": "大客户"})
    assert response["Location"] == reverse("plans:draft", args=["vip"])
    page = hr_client.post(reverse("plans:clone", args=["customer-manager"]), {"code": "vip", "name": "x"})
    assert "A plan with the code “vip” exists already." in page.content.decode()


def test_a_plan_starts_from_the_english_library_template(hr_client: Client) -> None:
    form = hr_client.get(reverse("plans:library_start", args=["customer-manager.en"])).content.decode()
    assert 'value="Customer account manager plan"' in form
    response = hr_client.post(
        reverse("plans:library_start", args=["customer-manager.en"]), {"code": "cam", "name": "Account managers"}
    )
    assert response["Location"] == reverse("plans:draft", args=["cam"])
    page = hr_client.get(response["Location"]).content.decode()
    assert "Customer churn rate" in page and "Customer retention" in page
    assert "This draft is a complete plan" in page


@pytest.mark.parametrize(
    ("code", "actual", "points"),
    [
        ("churn", "4", "36.00"),  # proportional, lower, target 5, cap 1.2: r = 1.2
        ("churn", "2", "41.00"),  # capped at 36, plus the stretch bonus of 5
        ("satisfaction", "8.6", "23.89"),
        ("new_customers", "4", "22.00"),  # per unit: 20 + 2
        ("new_customers", "1", "10.00"),  # 20 - 5*2
        ("feedback", "95.8333", "15.00"),  # tiers
        ("feedback", "85", "8.00"),
        ("collaboration", "7", "7.00"),  # rating 7 of 10, weight 10
    ],
)
def test_try_it_scores_with_the_scoring_core(hr_client: Client, code: str, actual: str, points: str) -> None:
    version = publish()
    indicator = Indicator.objects.get(version=version, code=code)
    response = hr_client.get(reverse("plans:try", args=["customer-manager", indicator.pk]), {"actual": actual})
    assert response.status_code == 200 and response.json()["points"] == points
    assert response.json()["text"].startswith(f"{points} points")


def test_try_it_explains_what_it_cannot_score(hr_client: Client) -> None:
    version = publish()
    collaboration = Indicator.objects.get(version=version, code="collaboration")
    url = reverse("plans:try", args=["customer-manager", collaboration.pk])
    assert hr_client.get(url, {"actual": "11"}).json() == {"error": "A rating lies between 0 and 10."}
    assert hr_client.get(url, {"actual": "x"}).status_code == 400
    draft = draft_open(template=version.template)
    Indicator.objects.filter(version=draft, code="churn").update(target=None)
    churn = Indicator.objects.get(version=draft, code="churn")
    response = hr_client.get(reverse("plans:try", args=["customer-manager", churn.pk]), {"actual": "4"})
    assert "complete its method's settings" in response.json()["error"]
    other = hr_client.get(reverse("plans:try", args=["other-plan", churn.pk]), {"actual": "4"})
    assert other.status_code == 404


def test_the_pages_speak_chinese(hr_client: Client) -> None:
    publish()
    hr_client.cookies["django_language"] = "zh-hans"
    page = hr_client.get(reverse("plans:detail", args=["customer-manager"]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    text = page.content.decode()
    # the interface's own words, not the plan's (its name is data, Chinese in any language)
    for words in ("Edit as a new draft", "Copy into a new plan", "Versions", "Save the decisions"):
        with translation.override("zh-hans"):
            chinese = translation.gettext(words)
        assert chinese != words and chinese in text and words not in text


def ranged_plan() -> dict[str, Any]:
    """The seed plan with valid ranges: churn's inputs labelled and bounded, satisfaction 0-10."""
    data = plan_data()
    data["indicators"][0]["inputs"] = [{"name": "lost", "label": "流失客户数", "min": 0}, "total"]
    data["indicators"][1].update({"min": 0, "max": 10})
    return data


def test_a_plan_file_survives_the_round_trip_through_the_builder(hr_client: Client) -> None:
    publish(ranged_plan())
    hr_client.post(reverse("plans:edit", args=["customer-manager"]))
    draft = PlanVersion.objects.get(status=VersionStatus.DRAFT)
    # saving every indicator unchanged through its form keeps the plan identical
    for indicator in Indicator.objects.filter(version=draft):
        form = hr_client.get(reverse("plans:indicator_edit", args=["customer-manager", indicator.pk]))
        initial = form.context["form"].initial
        data = {key: value for key, value in initial.items() if value is not None and key not in ROWS}
        data["tier_threshold"] = [str(t) for t, _ in initial["tiers"]]
        data["tier_points"] = [str(p) for _, p in initial["tiers"]]
        for index, key in enumerate(("input_name", "input_label", "input_min", "input_max")):
            data[key] = [row[index] for row in initial["input_rows"]]
        response = hr_client.post(reverse("plans:indicator_edit", args=["customer-manager", indicator.pk]), data)
        assert response.status_code == 302, response.context["form"].errors
    page = hr_client.post(reverse("plans:publish", args=["customer-manager"]), follow=True).content.decode()
    assert "nothing was published" in page
    assert plan_file_data(plan_definition(version=PlanVersion.objects.get())) == ranged_plan()
    # what HR downloads is what was built, key for key
    download = hr_client.get(reverse("plans:download", args=["customer-manager", 1]))
    assert json.loads(download.content) == ranged_plan()


ROWS = ("tiers", "input_rows")
