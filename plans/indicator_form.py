"""The builder's indicator form: an indicator's name, method and the settings its method uses,
its valid range, its formula and the formula's inputs; checked as ``load_plan`` checks a file.

Split from ``plans.forms`` (the other forms and the number and code fields they share).
"""

import re
import unicodedata
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from plans import formula as formulas
from plans.codes import input_name_from_label
from plans.forms import HUNDRED, BootstrapForm, code_field, number_field, row_number
from plans.models import Direction, Frequency, Goal, Indicator, Method, PlanVersion
from plans.numbers import NumberError, number_parse, number_tidy
from plans.plan_file import InputDefinition, PlanFileError, plan_file_parse
from plans.plan_file_check import (
    CODE_MAX_LENGTH,
    FORMULA_MAX_LENGTH,
    INPUT_NAME,
    NAME_MAX_LENGTH,
    SHORT_MAX_LENGTH,
)
from plans.plan_file_write import IndicatorValues, PlanValues, plan_data
from plans.scoring import ZERO, BandRule
from plans.scoring import Method as ScoringMethod
from plans.selectors import input_details
from plans.services import IndicatorFields

# Which of an indicator's settings each method uses (SPEC.md section 2); the page shows only
# these, and the others are cleared when an indicator is saved.
METHOD_FIELDS: dict[str, tuple[str, ...]] = {
    ScoringMethod.PROPORTIONAL: ("target", "floor", "cap"),
    ScoringMethod.PER_UNIT: ("target", "penalty_per_unit", "bonus_per_unit", "cap"),
    ScoringMethod.TIERS: ("tiers", "cap"),
    ScoringMethod.RATING: ("scale",),
    ScoringMethod.BINARY: ("target",),
}
# The settings shown in the method's box (the cap is the over-achievement choice, shown on its own).
METHOD_SETTINGS = ("target", "floor", "cap", "penalty_per_unit", "bonus_per_unit", "scale", "tiers")


class IndicatorForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)
    code = code_field(
        _("Code"), help_text=_("Optional: made from the name when left empty. It names the column of the metrics file.")
    )
    goal = forms.ModelChoiceField(label=_("Goal"), queryset=Goal.objects.none(), required=False)
    unit = forms.CharField(label=_("Unit"), max_length=SHORT_MAX_LENGTH, required=False)
    minimum = number_field(_("Minimum"), help_text=_("The lowest value that may be entered, e.g. 0. Empty: no limit."))
    maximum = number_field(
        _("Maximum"), help_text=_("The highest value that may be entered, e.g. 100. Empty: no limit.")
    )
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    weight = number_field(_("Weight"), required=True)
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    target = number_field(_("Target"))
    floor = number_field(_("Floor"), minimum=ZERO, help_text=_("Below this share of the target: 0 points, e.g. 0.5."))
    overachieve = forms.BooleanField(label=_("Over-achievement earns extra points"), required=False)
    cap = number_field(
        _("At most, as a share of the weight (%)"),
        minimum=ZERO,
        help_text=_("e.g. 120 for up to 1.2 times the weight. Unticked: at most the weight."),
    )
    penalty_per_unit = number_field(_("Penalty per unit"), minimum=ZERO)
    bonus_per_unit = number_field(_("Bonus per unit"), minimum=ZERO)
    scale = number_field(_("Scale"))
    formula = forms.CharField(
        label=_("Formula"),
        max_length=FORMULA_MAX_LENGTH,
        required=False,
        help_text=_("With the inputs' labels or names, e.g. Lost customers / All customers * 100"),
    )
    stretch_target = number_field(_("Stretch target"))
    stretch_bonus = number_field(_("Stretch bonus"))

    def __init__(self, *args: Any, draft: PlanVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        goal_field = self.fields["goal"]
        assert isinstance(goal_field, forms.ModelChoiceField)
        goal_field.queryset = Goal.objects.filter(version=draft).order_by("position", "pk")
        self.tier_rows: list[tuple[str, str]] = []
        # The formula's inputs, a row each: name, label, minimum, maximum.
        self.input_rows: list[tuple[str, str, str, str]] = []
        if self.is_bound:
            data = cast(QueryDict, self.data)
            thresholds = data.getlist("tier_threshold")
            points = data.getlist("tier_points")
            self.tier_rows = list(zip(thresholds, points, strict=False))
            columns = [data.getlist(f"input_{key}") for key in ("name", "label", "min", "max")]
            length = max(len(column) for column in columns)
            self.input_rows = [
                cast(tuple[str, str, str, str], tuple(c[i] if i < len(c) else "" for c in columns))
                for i in range(length)
            ]
        else:
            self.tier_rows = [(str(t), str(p)) for t, p in self.initial.get("tiers", [])]
            self.input_rows = list(self.initial.get("input_rows", []))

    @staticmethod
    def initial_for(indicator: Indicator) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "code": indicator.code, "name": indicator.name, "goal": indicator.goal_id, "unit": indicator.unit,
            "frequency": indicator.frequency, "direction": indicator.direction, "method": indicator.method,
            "formula": indicator.formula,
            "tiers": [(number_tidy(t), number_tidy(p)) for t, p in indicator.tiers],
        }  # fmt: skip
        details = {detail.name: detail for detail in input_details(indicator=indicator)}
        initial["input_rows"] = [
            (name, details[name].label, _tidy(details[name].minimum), _tidy(details[name].maximum))
            if name in details
            else (name, "", "", "")
            for name in indicator.inputs
        ]
        for name in ("weight", "target", "floor", "penalty_per_unit", "bonus_per_unit", "scale"):
            initial[name] = number_tidy(getattr(indicator, name))
        # The cap as the share of the weight HR reads: 1.2 is "over-achievement, at most 120 %".
        cap = indicator.cap if indicator.cap is not None else Decimal(1)
        initial["overachieve"] = cap > 1
        initial["cap"] = number_tidy(cap * HUNDRED) if cap != 1 else None
        labels = {row[0]: row[1] for row in initial["input_rows"] if row[1]}
        if indicator.formula and len(labels) == len(indicator.inputs):
            initial["formula"] = formulas.rename(indicator.formula, labels)
        initial["stretch_target"] = number_tidy(indicator.stretch_target)
        initial["stretch_bonus"] = number_tidy(indicator.stretch_bonus)
        initial["minimum"] = number_tidy(indicator.minimum)
        initial["maximum"] = number_tidy(indicator.maximum)
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        minimum, maximum = cleaned.get("minimum"), cleaned.get("maximum")
        if minimum is not None and maximum is not None and minimum > maximum:
            self.add_error("maximum", _("The maximum is below the minimum."))
        cleaned["tiers"] = self._tiers()
        cleaned["inputs"], cleaned["input_details"] = self._inputs()
        self._cap(cleaned)
        self._settings(cleaned)
        self._formula(cleaned)
        if not self.errors:
            self._as_plan_file(cleaned)
        return cleaned

    def _cap(self, cleaned: dict[str, Any]) -> None:
        """The over-achievement choice as the plan's ``cap`` (a share of the weight): ticked with 120,
        1.2; unticked, the default 1 (at most the weight)."""
        percent = cleaned.get("cap")
        if not cleaned.get("overachieve"):
            cleaned["cap"] = None
        elif percent is None or percent <= HUNDRED:
            self.add_error("cap", _("Give the most points as a share of the weight above 100, e.g. 120."))
        else:
            cleaned["cap"] = percent / HUNDRED

    def _settings(self, cleaned: dict[str, Any]) -> None:
        """The plan file's checks of the method's settings, next to the field they concern."""
        method = cleaned.get("method")
        used = METHOD_FIELDS.get(method or "", ())
        weight = cleaned.get("weight")
        if weight is not None and weight <= 0:
            self.add_error("weight", _("The weight must be greater than 0."))
        target, scale = cleaned.get("target"), cleaned.get("scale")
        if "target" in used and target is None and "target" not in self.errors:
            self.add_error("target", _("This method needs a target."))
        if method == ScoringMethod.PROPORTIONAL and target is not None and target <= 0:
            self.add_error("target", _("A proportional indicator needs a target greater than 0."))
        penalty_missing = cleaned.get("penalty_per_unit") is None and "penalty_per_unit" not in self.errors
        if method == ScoringMethod.PER_UNIT and penalty_missing:
            self.add_error("penalty_per_unit", _("This method needs the points taken off per unit below target."))
        if method == ScoringMethod.RATING:
            if scale is None and "scale" not in self.errors:
                self.add_error("scale", _("A rating needs its scale, e.g. 10 for a rating out of 10."))
            elif scale is not None and scale <= 0:
                self.add_error("scale", _("The scale must be greater than 0."))
        if method == ScoringMethod.TIERS and not cleaned["tiers"] and not self.non_field_errors():
            self.add_error(None, _("Give at least one tier: a threshold and its points."))
        if "target" in used and target is not None:
            minimum, maximum = cleaned.get("minimum"), cleaned.get("maximum")
            if maximum is not None and target > maximum:
                self.add_error("target", _("The target is above the highest value that may be entered."))
            elif minimum is not None and target < minimum:
                self.add_error("target", _("The target is below the lowest value that may be entered."))
        stretch_target, stretch_bonus = cleaned.get("stretch_target"), cleaned.get("stretch_bonus")
        if stretch_target is not None and stretch_bonus is None and "stretch_bonus" not in self.errors:
            self.add_error("stretch_bonus", _("Give the extra points the stretch target earns."))
        if stretch_bonus is not None and stretch_target is None and "stretch_target" not in self.errors:
            self.add_error("stretch_target", _("Give the value that earns the extra points."))
        if stretch_bonus is not None and stretch_bonus < 0:
            self.add_error("stretch_bonus", _("The extra points cannot be negative."))

    def _formula(self, cleaned: dict[str, Any]) -> None:
        """The formula, written with the inputs' labels or names, read into names; its problems on it."""
        text = (cleaned.get("formula") or "").strip()
        names: tuple[str, ...] = cleaned["inputs"]
        labels = {detail.label: detail.name for detail in cleaned["input_details"] if detail.label}
        formula, problem = formula_read(text, names=names, labels=labels)
        cleaned["formula"] = formula
        if problem:
            self.add_error("formula", problem)
        elif names and not text:
            self.add_error("formula", _("The inputs are given without a formula: write the formula, or remove them."))

    def _as_plan_file(self, cleaned: dict[str, Any]) -> None:
        """What the plan file (``load_plan``) would still refuse of this indicator, said before saving."""
        fields = self.indicator_fields()
        values = IndicatorValues(
            code=fields.code or "x",
            name=fields.name,
            frequency=fields.frequency,
            weight=fields.weight,
            method=fields.method,
            unit=fields.unit,
            minimum=fields.minimum,
            maximum=fields.maximum,
            direction=fields.direction,
            target=fields.target,
            floor=fields.floor,
            penalty_per_unit=fields.penalty_per_unit,
            bonus_per_unit=fields.bonus_per_unit,
            cap=fields.cap,
            tiers=fields.tiers,
            scale=fields.scale,
            formula=fields.formula,
            inputs=fields.inputs,
            input_details=fields.input_details,
            stretch_target=fields.stretch_target,
            stretch_bonus=fields.stretch_bonus,
        )
        plan = PlanValues(
            code="x", name="x", goals=(), indicators=(values,), bands=(BandRule(ZERO, "x", ZERO),), streak=None
        )
        try:
            plan_file_parse(plan_data(plan, number_tidy))
        except PlanFileError as error:
            for message in error.messages:
                where, separator, problem = message.partition(": ")
                if separator and where.startswith("indicators["):  # not the plan's: the weights' total…
                    self.add_error(None, problem)

    def _tiers(self) -> tuple[tuple[Decimal, Decimal], ...]:
        tiers: list[tuple[Decimal, Decimal]] = []
        for number, (threshold, points) in enumerate(self.tier_rows, start=1):
            if not threshold.strip() and not points.strip():
                continue  # the empty row left for a new tier
            try:
                tiers.append((number_parse(threshold), number_parse(points)))
            except NumberError as error:
                self.add_error(None, _("Tier %(n)s: %(problem)s") % {"n": number, "problem": error.message})
        return tuple(tiers)

    def _inputs(self) -> tuple[tuple[str, ...], tuple[InputDefinition, ...]]:
        names: list[str] = []
        details: list[InputDefinition] = []
        given = {row[0].strip() for row in self.input_rows}
        for number, (name, label, minimum, maximum) in enumerate(self.input_rows, start=1):
            name, label = name.strip(), label.strip()
            if not (name or label or minimum.strip() or maximum.strip()):
                continue  # the empty row left for a new input
            if not name and label:  # made from the label: 流失客户数 → liushikehushu
                name = input_name_from_label(label, taken={*names, *given})
            problem = _input_problem(name, label, names)
            try:
                low, high = row_number(minimum), row_number(maximum)
            except NumberError as error:
                problem = problem or error.message
            else:
                if not problem and low is not None and high is not None and low > high:
                    problem = str(_("the maximum is below the minimum"))
            if problem:
                self.add_error(None, _("Input %(n)s: %(problem)s") % {"n": number, "problem": problem})
                continue
            names.append(name)
            if label or low is not None or high is not None:
                details.append(InputDefinition(name=name, label=label, minimum=low, maximum=high))
        return tuple(names), tuple(details)

    def indicator_fields(self) -> IndicatorFields:
        data = self.cleaned_data
        used = METHOD_FIELDS[data["method"]]
        settings = {name: data.get(name) if name in used else None for name in METHOD_SETTINGS if name != "tiers"}
        return IndicatorFields(
            code=(data.get("code") or "").strip(),
            name=data["name"].strip(),
            goal=data.get("goal"),
            unit=data.get("unit", "").strip(),
            frequency=data["frequency"],
            weight=data["weight"],
            direction=data["direction"],
            method=data["method"],
            tiers=data["tiers"] if "tiers" in used else (),
            formula=(data.get("formula") or "").strip(),
            inputs=data.get("inputs", ()),
            input_details=data.get("input_details", ()),
            stretch_target=data.get("stretch_target"),
            stretch_bonus=data.get("stretch_bonus"),
            minimum=data.get("minimum"),
            maximum=data.get("maximum"),
            **settings,
        )


_FORMULA_PROBLEMS = {
    "missing )": _("a “(” is not closed"),
    "unexpected end of formula": _("it ends too early: a number or an input is missing"),
    "empty formula": _("it is empty"),
}


def formula_read(text: str, *, names: tuple[str, ...], labels: dict[str, str]) -> tuple[str, str]:
    """The formula HR wrote, with the inputs' labels or names, as the plan file keeps it (names
    only), and what is wrong with it ("" when nothing): the builder's form and its live check."""
    if not text:
        return "", ""
    if labels:  # the longest label first: 客户总数 is not 客户 then 总数
        pattern = re.compile("|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True)))
        text = pattern.sub(lambda match: labels[match.group()], text)
    try:
        used = formulas.names(formulas.parse(text))
    except formulas.FormulaTooLong:
        return text, str(_("The formula is longer than %(max)s characters.") % {"max": FORMULA_MAX_LENGTH})
    except formulas.FormulaTooDeep:
        return text, str(_("The formula nests too many parentheses or minus signs."))
    except formulas.FormulaError as error:
        reason = str(error)
        found = re.match(r"unexpected (?:character )?'(.+)'$", reason)
        if text.count("(") > text.count(")"):
            problem = str(_FORMULA_PROBLEMS["missing )"])
        elif text.count(")") > text.count("("):
            problem = str(_("a “)” has no “(” before it"))
        elif found:
            problem = str(
                _("“%(text)s” cannot be read: use numbers, inputs, + - * / and parentheses") % {"text": found.group(1)}
            )
        else:
            problem = str(_FORMULA_PROBLEMS.get(reason, reason))
        return text, str(_("The formula cannot be read: %(problem)s.") % {"problem": problem})
    unknown = sorted(used - set(names))
    if unknown:
        return text, str(
            _("The formula uses %(names)s, which is not one of its inputs: add it below.")
            % {"names": "、".join(unknown)}
        )
    return text, ""


def _tidy(value: Decimal | None) -> str:
    tidy = number_tidy(value)
    return "" if tidy is None else str(tidy)


def _input_problem(name: str, label: str, taken: list[str]) -> str:
    if not name:
        return str(_("a label or a name is needed"))
    if not INPUT_NAME.match(name):
        return str(
            _("“%(name)s” is not a name: a letter, then letters, digits and “_”, at most %(max)s")
            % {"name": name[:40], "max": CODE_MAX_LENGTH}
        )
    if name in taken:
        return str(_("“%(name)s” is listed twice") % {"name": name})
    if len(label) > NAME_MAX_LENGTH:
        return str(_("the label is longer than %(max)s characters") % {"max": NAME_MAX_LENGTH})
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in label):
        return str(_("the label holds a control character"))
    return ""
