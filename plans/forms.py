"""The plan builder's forms: they read what HR typed; ``plan_file`` decides what a valid plan is.

Every number is read by ``plans.numbers`` (full-width digits, ``1,234.5``; no NaN, no 1e999, at
most 6 decimals), and every text has the length of SPEC.md section 7, so that what a form
accepts is what the database stores and what a plan file may hold.
"""

import unicodedata
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.validators import RegexValidator
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from plans.models import Direction, Frequency, Goal, Indicator, Method, PlanTemplate, PlanVersion
from plans.numbers import PLACES, NumberError, number_parse, number_tidy
from plans.plan_file import STREAK_MONTHS_MAX, InputDefinition
from plans.plan_file_check import (
    CODE,
    CODE_MAX_LENGTH,
    FLAG,
    FORMULA_MAX_LENGTH,
    INPUT_NAME,
    NAME_MAX_LENGTH,
    PLAN_CODE,
    SHORT_MAX_LENGTH,
)
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
RESERVED_CODES = {"new", "upload", "library"}
METHOD_SETTINGS = ("target", "floor", "cap", "penalty_per_unit", "bonus_per_unit", "scale", "tiers")


class NumberField(forms.CharField):
    """A number as HR types it, read by ``plans.numbers``: ``１２．５`` and ``1,234.5`` are fine;
    NaN, Infinity, 1e999 and more than 6 decimals are refused on the field, never rounded."""

    def __init__(self, *, minimum: Decimal | None = None, places: int = PLACES, **kwargs: Any) -> None:
        # A text box, not type="number": a browser empties a number box holding full-width digits.
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)
        self.minimum, self.places = minimum, places

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text is None or text in self.empty_values:
            return None
        try:
            return number_parse(text, places=self.places, minimum=self.minimum)
        except NumberError as error:
            raise forms.ValidationError(error.message, code="invalid") from error


def _number(label: Any, *, required: bool = False, **kwargs: Any) -> NumberField:
    return NumberField(label=label, required=required, **kwargs)


def _row_number(text: str) -> Decimal | None:
    """A number typed in a row of the tiers or inputs; empty is None. Raises ``NumberError``."""
    return number_parse(text) if text.strip() else None


def _code(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=CODE_MAX_LENGTH,
        validators=[RegexValidator(CODE, _("Use only letters, digits, “-” and “_”."))],
        **kwargs,
    )


def _flag(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=SHORT_MAX_LENGTH,
        required=False,
        validators=[RegexValidator(FLAG, _("Use only letters, digits, “-” and “_”."))],
        **kwargs,
    )


class _BootstrapForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class PlanCodeForm(_BootstrapForm):
    """The code and name of a new plan (created empty, cloned or started from the library)."""

    code = forms.CharField(
        label=_("Plan code"),
        max_length=CODE_MAX_LENGTH,
        validators=[RegexValidator(PLAN_CODE, _("Use only letters, digits, “-” and “_”."))],
        help_text=_("Letters, digits, “-” and “_”, e.g. customer-manager. It cannot change later."),
    )
    name = forms.CharField(label=_("Plan name"), max_length=NAME_MAX_LENGTH)

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if code in RESERVED_CODES:  # the plan pages' own addresses
            raise forms.ValidationError(_("“%(code)s” is taken by the pages themselves."), params={"code": code})
        return code


class FollowUpDecisionsForm(_BootstrapForm):
    """HR's own follow-up decisions of a plan, one a line (the built-in ones need no line)."""

    names = forms.CharField(
        label=_("Own follow-up decisions"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One a line, e.g. Mentoring. The follow-ups page offers them beside promotion, training, honour, "
            "bonus deduction, formal warning and no action."
        ),
    )

    @classmethod
    def for_template(cls, template: PlanTemplate) -> "FollowUpDecisionsForm":
        return cls(initial={"names": "\n".join(template.follow_up_decisions)})

    def names_list(self) -> list[str]:
        return str(self.cleaned_data["names"]).splitlines()


class DraftSettingsForm(_BootstrapForm):
    name = forms.CharField(label=_("Plan name"), max_length=NAME_MAX_LENGTH)
    streak_months = forms.IntegerField(
        label=_("Streak months"), required=False, min_value=1, max_value=STREAK_MONTHS_MAX
    )
    streak_min_score = _number(_("Streak minimum score"))
    streak_flag = _flag(_("Streak flag"), help_text=_("e.g. promotion_candidate"))

    @classmethod
    def for_draft(cls, draft: PlanVersion) -> "DraftSettingsForm":
        return cls(
            initial={
                "name": draft.name,
                "streak_months": draft.streak_months,
                "streak_min_score": number_tidy(draft.streak_min_score),
                "streak_flag": draft.streak_flag,
            }
        )


class GoalForm(_BootstrapForm):
    code = _code(_("Code"))
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)


class BandForm(_BootstrapForm):
    minimum = _number(_("Minimum score"), required=True)
    label = forms.CharField(label=_("Label"), max_length=SHORT_MAX_LENGTH)
    payout = _number(_("Payout %"), required=True, minimum=Decimal(0))
    flag = _flag(_("Flag"), help_text=_("e.g. warning"))


class IndicatorForm(_BootstrapForm):
    code = _code(_("Code"), help_text=_("It names the column of the metrics file, e.g. churn."))
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)
    goal = forms.ModelChoiceField(label=_("Goal"), queryset=Goal.objects.none(), required=False)
    unit = forms.CharField(label=_("Unit"), max_length=SHORT_MAX_LENGTH, required=False)
    minimum = _number(_("Minimum"), help_text=_("The lowest value that may be entered, e.g. 0. Empty: no limit."))
    maximum = _number(_("Maximum"), help_text=_("The highest value that may be entered, e.g. 100. Empty: no limit."))
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    weight = _number(_("Weight"), required=True)
    method = forms.ChoiceField(label=_("Method"), choices=Method.choices)
    target = _number(_("Target"))
    floor = _number(_("Floor"))
    cap = _number(_("Cap"))
    penalty_per_unit = _number(_("Penalty per unit"))
    bonus_per_unit = _number(_("Bonus per unit"))
    scale = _number(_("Scale"))
    formula = forms.CharField(
        label=_("Formula"), max_length=FORMULA_MAX_LENGTH, required=False, help_text=_("e.g. lost / total * 100")
    )
    stretch_target = _number(_("Stretch target"))
    stretch_bonus = _number(_("Stretch bonus"))

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
        for name in ("weight", "target", "floor", "cap", "penalty_per_unit", "bonus_per_unit", "scale"):
            initial[name] = number_tidy(getattr(indicator, name))
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
        return cleaned

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
        for number, (name, label, minimum, maximum) in enumerate(self.input_rows, start=1):
            name, label = name.strip(), label.strip()
            if not (name or label or minimum.strip() or maximum.strip()):
                continue  # the empty row left for a new input
            problem = _input_problem(name, label, names)
            try:
                low, high = _row_number(minimum), _row_number(maximum)
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
            code=data["code"].strip(),
            name=data["name"].strip(),
            goal=data.get("goal"),
            unit=data.get("unit", "").strip(),
            frequency=data["frequency"],
            weight=data["weight"],
            direction=data["direction"],
            method=data["method"],
            tiers=data["tiers"] if "tiers" in used else (),
            formula=data.get("formula", "").strip(),
            inputs=data.get("inputs", ()),
            input_details=data.get("input_details", ()),
            stretch_target=data.get("stretch_target"),
            stretch_bonus=data.get("stretch_bonus"),
            minimum=data.get("minimum"),
            maximum=data.get("maximum"),
            **settings,
        )


def _tidy(value: Decimal | None) -> str:
    tidy = number_tidy(value)
    return "" if tidy is None else str(tidy)


def _input_problem(name: str, label: str, taken: list[str]) -> str:
    if not name:
        return str(_("a name is needed"))
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


class PlanUploadForm(_BootstrapForm):
    file = forms.FileField(label=_("Plan file (JSON)"))


class TryForm(forms.Form):
    actual = NumberField(label=_("Actual value"))
