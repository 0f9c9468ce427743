"""HR builds the seed plan in a real browser, is refused at 99, publishes, downloads the JSON."""

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from people.models import Role, User
from plans.plan_file import plan_file_parse
from plans.plan_file_write import plan_file_data
from tests.conftest import browser_login
from tests.factories import publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The settings each method's form shows, by the plan file's key and the field's label.
LABELS = {
    "target": "Target", "floor": "Floor", "penalty_per_unit": "Penalty per unit",
    "bonus_per_unit": "Bonus per unit", "scale": "Scale", "formula": "Formula",
}  # fmt: skip


def field(page: Page, label: str) -> Locator:
    return page.get_by_label(label, exact=True)


def add_goal(page: Page, goal: dict[str, Any]) -> None:
    page.get_by_role("link", name="Add goal").click()
    field(page, "Code").fill(goal["code"])
    field(page, "Name").fill(goal["name"])
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name="Goals")).to_be_visible()


def add_indicator(page: Page, item: dict[str, Any], goals: dict[str, str], weight: int | None = None) -> None:
    page.get_by_role("link", name="Add indicator").click()
    field(page, "Code").fill(item["code"])
    field(page, "Name").fill(item["name"])
    field(page, "Goal").select_option(label=goals[item["goal"]])
    field(page, "Unit").fill(item.get("unit", ""))
    field(page, "Frequency").select_option(item.get("frequency", "monthly"))
    field(page, "Direction").select_option(item.get("direction", "higher"))
    field(page, "Method").select_option(item["method"])
    # the form shows the chosen method's settings only
    if item["method"] == "rating":
        expect(field(page, "Scale")).to_be_visible()
    else:
        expect(field(page, "Scale")).to_be_hidden()
    field(page, "Weight").fill(str(weight if weight is not None else item["weight"]))
    for key, label in LABELS.items():
        if key in item:
            field(page, label).fill(str(item[key]))
    for number, (threshold, points) in enumerate(item.get("tiers", []), start=1):
        if number > 1:
            page.get_by_role("button", name="Add tier").click()
        field(page, f"Threshold {number}").fill(str(threshold))
        field(page, f"Points {number}").fill(str(points))
    for number, name in enumerate(item.get("inputs", []), start=1):
        if number > 1:
            page.get_by_role("button", name="Add input").click()
        field(page, f"Input name {number}").fill(name)
    if "cap" in item:  # over-achievement, a visible choice: at most 120% of the weight for a cap of 1.2
        field(page, "Over-achievement earns extra points").check()
        field(page, "At most, as a share of the weight (%)").fill(str(round(item["cap"] * 100)))
    if "stretch" in item:
        field(page, "Stretch target").fill(str(item["stretch"]["target"]))
        field(page, "Stretch bonus").fill(str(item["stretch"]["bonus"]))
    page.get_by_role("button", name="Save indicator").click()
    expect(page.get_by_role("heading", name=f"{item['name']} {item['code']}")).to_be_visible()


def add_band(page: Page, band: dict[str, Any]) -> None:
    page.get_by_role("link", name="Add band").click()
    field(page, "Minimum score").fill(str(band["min"]))
    field(page, "Label").fill(band["label"])
    field(page, "Payout %").fill(str(band["payout"]))
    field(page, "Flag code").fill(band.get("flag", ""))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("link", name=f"Edit band {band['label']}")).to_be_visible()


def test_hr_builds_the_seed_plan_in_the_browser_and_downloads_the_same_plan(page: Page, examples: Path) -> None:
    example = json.loads((examples / "customer-manager.json").read_text(encoding="utf-8"))
    User.objects.create_user(username="hr", password="secret-pass-1", role=Role.HR, display_name="孙丽")
    browser_login(page, "hr", "secret-pass-1")

    page.get_by_role("link", name="Plans", exact=True).click()
    field(page, "Plan code").fill(example["code"])
    field(page, "Plan name").fill(example["name"])
    page.get_by_role("button", name="Create plan").click()
    expect(page.get_by_role("heading", name=f"Draft of {example['name']}")).to_be_visible()

    goals = {goal["code"]: goal["name"] for goal in example["goals"]}
    for goal in example["goals"]:
        add_goal(page, goal)
    *first, last = example["indicators"]
    for item in first:
        add_indicator(page, item, goals)
    # the last one at 9 instead of 10: the running total says so while typing
    page.get_by_role("link", name="Add indicator").click()
    field(page, "Weight").fill("9")
    expect(page.locator("#weight-total")).to_have_text(
        "With this indicator the weights add up to 99 (they must add up to 100)."
    )
    page.go_back()
    add_indicator(page, last, goals, weight=9)
    for band in example["bands"]:
        add_band(page, band)
    streak = example["streak"]
    field(page, "Streak months").fill(str(streak["months"]))
    field(page, "Streak minimum score").fill(str(streak["min_score"]))
    field(page, "Streak flag code").fill(streak["flag"])
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("alert").filter(has_text="Plan settings saved.")).to_be_visible()

    # "try it": the server scores a value with the scoring core
    field(page, "Try an actual value for 客户流失率").fill("4")
    page.get_by_role("button", name="Score the value for 客户流失率").click()
    expect(page.locator("output").filter(has_text="points").first).to_have_text("36.00 points")

    page.get_by_role("link", name="Publish…").click()  # a summary to confirm; here, what stops it
    expect(page.get_by_text("the weights add up to 99, not 100")).to_be_visible()
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    page.get_by_role("link", name="Back to the draft").click()

    page.get_by_role("link", name="Edit indicator collaboration").click()
    expect(field(page, "Scale")).to_have_value("10")
    field(page, "Weight").fill("10")
    page.get_by_role("button", name="Save indicator").click()
    page.get_by_role("link", name="Publish…").click()
    expect(page.get_by_role("heading", name=f"Publish {example['name']} as version 1?")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("alert").filter(has_text="Published version 1.")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download version 1 as JSON").click()
    download = download_info.value
    assert download.suggested_filename == "customer-manager-v1.json"
    with open(download.path(), encoding="utf-8") as downloaded:
        data = json.load(downloaded)
    assert plan_file_data(plan_file_parse(data)) == plan_file_data(plan_file_parse(example))
    assert data == example


def test_hr_builds_an_indicator_by_names_and_sees_the_formula_checked_while_typing(page: Page) -> None:
    publish()  # the seed plan: its new draft is where HR adds one
    User.objects.create_user(username="hr", password="secret-pass-1", role=Role.HR, display_name="孙丽")
    browser_login(page, "hr", "secret-pass-1")
    page.goto("/plans/customer-manager/")
    page.get_by_role("button", name="Edit as a new draft").click()
    page.get_by_role("link", name="Add indicator").click()

    field(page, "Name").fill("投诉率")
    field(page, "Method").select_option("proportional")
    field(page, "Direction").select_option("lower")
    field(page, "Target").fill("2")
    field(page, "Weight").fill("5")
    field(page, "Input label 1").fill("投诉数")
    page.get_by_role("button", name="Add input").click()
    field(page, "Input label 2").fill("客户总数")
    field(page, "Formula").fill("投诉数 / (客户总数 * 100")
    expect(page.locator("#formula-check")).to_have_text("The formula cannot be read: a “(” is not closed.")
    field(page, "Formula").fill("投诉数 / 客户总数 * 100")
    expect(page.locator("#formula-check")).to_have_text("")
    field(page, "Over-achievement earns extra points").check()
    field(page, "At most, as a share of the weight (%)").fill("120")
    page.get_by_role("button", name="Save indicator").click()

    card = page.get_by_role("article").filter(has_text="投诉率")
    expect(card.get_by_role("heading")).to_have_text("投诉率 tousulv")  # the code made from the name
    expect(card).to_contain_text("投诉数 / 客户总数 * 100")
    expect(card).to_contain_text("over-achievement earns extra points, at most 120% of the weight")
