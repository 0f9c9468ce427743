"""What changed between two versions of a plan, read from their plan-file data.

Pure code over the dicts of ``plan_file_write.plan_data`` (``plan_file_data``'s, as a rule): no model,
no query. Numbers are compared by value, so ``30``, ``30.0`` and ``Decimal("30.000000")`` are the same
weight.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans.numbers import number_text

# The plan file's keys as HR reads them; the diff and the builder's pages share these words.
FIELD_LABELS = {
    "code": gettext_lazy("code"),
    "name": gettext_lazy("name"),
    "goal": gettext_lazy("goal"),
    "unit": gettext_lazy("unit"),
    "frequency": gettext_lazy("frequency"),
    "weight": gettext_lazy("weight"),
    "direction": gettext_lazy("direction"),
    "target": gettext_lazy("target"),
    "method": gettext_lazy("method"),
    "floor": gettext_lazy("floor"),
    "cap": gettext_lazy("cap"),
    "bonus_per_unit": gettext_lazy("bonus per unit"),
    "penalty_per_unit": gettext_lazy("penalty per unit"),
    "tiers": gettext_lazy("tiers"),
    "scale": gettext_lazy("scale"),
    "formula": gettext_lazy("formula"),
    "inputs": gettext_lazy("inputs"),
    "stretch": gettext_lazy("stretch"),
    "min": gettext_lazy("minimum score"),
    "label": gettext_lazy("label"),
    "payout": gettext_lazy("payout %"),
    "flag": gettext_lazy("flag"),
    "flag_label": gettext_lazy("flag label"),
    "months": gettext_lazy("months"),
    "min_score": gettext_lazy("minimum score"),
    "calibration": gettext_lazy("calibration before release"),
    "band": gettext_lazy("band"),
}
# A distribution guideline's "min" and "max" are percentages of the people closed.
DISTRIBUTION_FIELD_LABELS = {**FIELD_LABELS, "min": gettext_lazy("at least %"), "max": gettext_lazy("at most %")}
# An indicator's "min" and "max" are the valid range of the value entered, not a band's score.
INDICATOR_FIELD_LABELS = {**FIELD_LABELS, "min": gettext_lazy("minimum"), "max": gettext_lazy("maximum")}


def show(value: object) -> str:
    """A plan-file value as a person writes it: 1.2, [[95, 15], [90, 12]], lost, total."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):  # the plan's "calibration": a word, not JSON's true
        return _("yes") if value else _("no")
    if isinstance(value, int | float | Decimal):
        number = _number(value)
        return number_text(number) if number is not None else str(value)
    if isinstance(value, Mapping):
        return ", ".join(f"{FIELD_LABELS.get(k, k)} {show(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        if all(isinstance(item, str | Mapping) for item in value):  # inputs: "lost (流失客户数, ≥ 0), total"
            return ", ".join(item if isinstance(item, str) else _input(item) for item in value)
        return "[" + ", ".join(show(item) for item in value) + "]"
    return str(value)


def _input(item: Mapping[str, Any]) -> str:
    """A formula input written as an object: its name, then its label and valid range."""
    details = [str(item["label"])] if item.get("label") else []
    details += [f"{INDICATOR_FIELD_LABELS[k]} {show(item[k])}" for k in ("min", "max") if item.get(k) is not None]
    name = str(item.get("name", ""))
    return f"{name} ({', '.join(details)})" if details else name


def _number(value: int | float | Decimal) -> Decimal | None:
    """A plan file's number by its value (30 and 30.0 are one weight), None for NaN and infinity."""
    number = Decimal(str(value))  # a float as it is written: 1.2, not its binary 1.19999…
    return number if number.is_finite() else None


def _same(old: object, new: object) -> bool:
    return _comparable(old) == _comparable(new)


def _comparable(value: object) -> object:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return _number(value)
    if isinstance(value, Mapping):
        return {k: _comparable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_comparable(item) for item in value]
    return value


class Part:
    PLAN = "plan"
    GOAL = "goal"
    INDICATOR = "indicator"
    BAND = "band"
    STREAK = "streak"
    DISTRIBUTION = "distribution"


class Action:
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"


@dataclass(frozen=True)
class Change:
    part: str  # a Part
    action: str  # an Action
    subject: str = ""  # the goal's or indicator's code, the band's label
    field: str = ""  # for a change: the plan-file key
    old: object = None
    new: object = None

    @property
    def text(self) -> str:
        """One readable line, in the language of the request."""
        part = {
            Part.PLAN: _("Plan"),
            Part.GOAL: _("Goal “%(subject)s”"),
            Part.INDICATOR: _("Indicator “%(subject)s”"),
            Part.BAND: _("Band “%(subject)s”"),
            Part.STREAK: _("Streak rule"),
            Part.DISTRIBUTION: _("Distribution guideline of band “%(subject)s”"),
        }[self.part] % {"subject": self.subject}
        if self.action == Action.ADDED:
            return _("%(part)s added") % {"part": part}
        if self.action == Action.REMOVED:
            return _("%(part)s removed") % {"part": part}
        labels = {Part.INDICATOR: INDICATOR_FIELD_LABELS, Part.DISTRIBUTION: DISTRIBUTION_FIELD_LABELS}.get(
            self.part, FIELD_LABELS
        )
        return _("%(part)s: %(field)s %(old)s → %(new)s") % {
            "part": part,
            "field": labels.get(self.field, self.field),
            "old": show(self.old),
            "new": show(self.new),
        }


def plan_diff(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> list[Change]:
    """Every difference from ``old`` to ``new`` (two plan files), plan first, then goals,
    indicators, bands and the streak rule. ``old`` None: the first version, nothing to compare."""
    if old is None:
        return []
    # "calibration" left out is false: turning it on is a change from "no", not from nothing.
    changes = _fields(
        Part.PLAN,
        "",
        {"name": old.get("name"), "calibration": bool(old.get("calibration"))},
        {"name": new.get("name"), "calibration": bool(new.get("calibration"))},
        ("name", "calibration"),
    )
    changes += _keyed(Part.GOAL, old.get("goals") or [], new.get("goals") or [], "code")
    changes += _keyed(Part.INDICATOR, old.get("indicators") or [], new.get("indicators") or [], "code")
    changes += _keyed(Part.BAND, old.get("bands") or [], new.get("bands") or [], "label")
    old_streak, new_streak = old.get("streak"), new.get("streak")
    if old_streak and not new_streak:
        changes.append(Change(Part.STREAK, Action.REMOVED))
    elif new_streak and not old_streak:
        changes.append(Change(Part.STREAK, Action.ADDED))
    elif old_streak and new_streak:
        changes += _fields(Part.STREAK, "", old_streak, new_streak, None)
    changes += _keyed(Part.DISTRIBUTION, old.get("distribution") or [], new.get("distribution") or [], "band")
    return changes


def _keyed(part: str, old_items: list[Any], new_items: list[Any], key: str) -> list[Change]:
    old_by_key = {item.get(key): item for item in old_items if isinstance(item, Mapping)}
    new_by_key = {item.get(key): item for item in new_items if isinstance(item, Mapping)}
    changes = [Change(part, Action.REMOVED, str(k)) for k in old_by_key if k not in new_by_key]
    for k, item in new_by_key.items():
        if k not in old_by_key:
            changes.append(Change(part, Action.ADDED, str(k)))
        else:
            changes += _fields(part, str(k), old_by_key[k], item, None)
    return changes


def _fields(
    part: str, subject: str, old: Mapping[str, Any], new: Mapping[str, Any], keys: tuple[str, ...] | None
) -> list[Change]:
    if keys is None:
        keys = tuple(dict.fromkeys([*old.keys(), *new.keys()]))  # the order of the files
    return [
        Change(part, Action.CHANGED, subject, field=k, old=old.get(k), new=new.get(k))
        for k in keys
        if not _same(old.get(k), new.get(k))
    ]
