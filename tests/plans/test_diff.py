"""What changed between two versions: a pure function over two plan files."""

import copy
from decimal import Decimal

from plans.diff import Action, Change, Part, plan_diff
from tests.factories import plan_data


def texts(changes: list[Change]) -> list[str]:
    return [change.text for change in changes]


def test_the_first_version_has_nothing_to_compare() -> None:
    assert plan_diff(None, plan_data()) == []


def test_the_same_plan_has_no_change_whatever_the_number_types() -> None:
    new = copy.deepcopy(plan_data())
    new["indicators"][0]["weight"] = Decimal("30.000000")
    new["indicators"][0]["cap"] = Decimal("1.2")
    new["indicators"][3]["tiers"][0] = [Decimal(95), 15.0]
    assert plan_diff(plan_data(), new) == []


def test_changed_fields_read_old_to_new() -> None:
    new = copy.deepcopy(plan_data())
    new["name"] = "客户经理方案"
    new["indicators"][0]["cap"] = 1.3
    new["indicators"][3]["tiers"] = [[95, 15], [85, 10]]
    new["indicators"][0]["stretch"] = {"target": 2, "bonus": 5}
    assert texts(plan_diff(plan_data(), new)) == [
        "Plan: name 客户管理员绩效方案 → 客户经理方案",
        "Indicator “churn”: cap 1.2 → 1.3",
        "Indicator “churn”: stretch target 3, bonus 5 → target 2, bonus 5",
        "Indicator “feedback”: tiers [[95, 15], [90, 12], [80, 8]] → [[95, 15], [85, 10]]",
    ]


def test_a_key_that_appears_or_disappears_is_a_change_from_or_to_nothing() -> None:
    new = copy.deepcopy(plan_data())
    new["indicators"][1]["floor"] = 0.5
    del new["indicators"][0]["unit"]
    assert texts(plan_diff(plan_data(), new)) == [
        "Indicator “churn”: unit % → —",
        "Indicator “satisfaction”: floor — → 0.5",
    ]


def test_indicators_and_goals_added_and_removed() -> None:
    new = copy.deepcopy(plan_data())
    new["indicators"] = [i for i in new["indicators"] if i["code"] != "collaboration"]
    new["goals"] = [g for g in new["goals"] if g["code"] != "teamwork"] + [{"code": "quality", "name": "质量"}]
    new["indicators"].append({"code": "errors", "name": "差错", "weight": 10, "method": "binary", "target": 0})
    changes = plan_diff(plan_data(), new)
    assert [(c.part, c.action, c.subject) for c in changes] == [
        (Part.GOAL, Action.REMOVED, "teamwork"),
        (Part.GOAL, Action.ADDED, "quality"),
        (Part.INDICATOR, Action.REMOVED, "collaboration"),
        (Part.INDICATOR, Action.ADDED, "errors"),
    ]
    assert texts(changes)[3] == "Indicator “errors” added"


def test_bands_and_streak() -> None:
    new = copy.deepcopy(plan_data())
    new["bands"][1]["payout"] = 75
    new["bands"][2].pop("flag")
    new["bands"].append({"min": 95, "label": "S", "payout": 120})
    new["streak"]["months"] = 4
    assert texts(plan_diff(plan_data(), new)) == [
        "Band “B”: payout % 70 → 75",
        "Band “C”: flag warning → —",
        "Band “S” added",
        "Streak rule: months 3 → 4",
    ]
    del new["streak"]
    assert texts(plan_diff(plan_data(), new))[-1] == "Streak rule removed"
    assert texts(plan_diff(new, plan_data()))[-1] == "Streak rule added"
