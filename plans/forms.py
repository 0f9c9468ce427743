"""The plan builder's forms: they read what HR typed; ``plan_file`` decides what a valid plan is."""

import re
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.core.validators import RegexValidator
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from plans.models import Direction, Frequency, Goal, Indicator, Method, PlanVersion
from plans.plan_file import _CODE, _INPUT, _PLAN_CODE
from plans.scoring import Method as ScoringMethod
from plans.selectors import number_tidy
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


def _number(label: Any, *, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        max_digits=18,
        decimal_places=6,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
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
        max_length=64,
        validators=[RegexValidator(_PLAN_CODE, _("Use only letters, digits, “-” and “_”."))],
        help_text=_("Letters, digits, “-” and “_”, e.g. customer-manager. It cannot change later."),
    )
    name = forms.CharField(label=_("Plan name"), max_length=200)

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"]
        if code in RESERVED_CODES:  # the plan pages' own addresses
            raise forms.ValidationError(_("“%(code)s” is taken by the pages themselves."), params={"code": code})
        return code


class DraftSettingsForm(_BootstrapForm):
    name = forms.CharField(label=_("Plan name"), max_length=200)
    streak_months = forms.IntegerField(label=_("Streak months"), required=False, min_value=1)
    streak_min_score = _number(_("Streak minimum score"))
    streak_flag = forms.CharField(
        label=_("Streak flag"), max_length=64, required=False, help_text=_("e.g. promotion_candidate")
    )

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
    code = forms.CharField(
        label=_("Code"), max_length=64, validators=[RegexValidator(_CODE, _("Use only letters, digits, “-” and “_”."))]
    )
    name = forms.CharField(label=_("Name"), max_length=200)


class BandForm(_BootstrapForm):
    minimum = _number(_("Minimum score"), required=True)
    label = forms.CharField(label=_("Label"), max_length=32)
    payout = _number(_("Payout %"), required=True)
    flag = forms.CharField(label=_("Flag"), max_length=64, required=False, help_text=_("e.g. warning"))


class IndicatorForm(_BootstrapForm):
    code = forms.CharField(
        label=_("Code"),
        max_length=64,
        validators=[RegexValidator(_CODE, _("Use only letters, digits, “-” and “_”."))],
        help_text=_("It names the column of the metrics file, e.g. churn."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    goal = forms.ModelChoiceField(label=_("Goal"), queryset=Goal.objects.none(), required=False)
    unit = forms.CharField(label=_("Unit"), max_length=32, required=False)
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
        label=_("Formula"), max_length=500, required=False, help_text=_("e.g. lost / total * 100")
    )
    inputs = forms.CharField(
        label=_("Formula inputs"), max_length=500, required=False, help_text=_("Names separated by commas: lost, total")
    )
    stretch_target = _number(_("Stretch target"))
    stretch_bonus = _number(_("Stretch bonus"))

    def __init__(self, *args: Any, draft: PlanVersion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        goal_field = self.fields["goal"]
        assert isinstance(goal_field, forms.ModelChoiceField)
        goal_field.queryset = Goal.objects.filter(version=draft).order_by("position", "pk")
        self.tier_rows: list[tuple[str, str]] = []
        if self.is_bound:
            data = cast(QueryDict, self.data)
            thresholds = data.getlist("tier_threshold")
            points = data.getlist("tier_points")
            self.tier_rows = list(zip(thresholds, points, strict=False))
        else:
            self.tier_rows = [(str(t), str(p)) for t, p in self.initial.get("tiers", [])]

    @staticmethod
    def initial_for(indicator: Indicator) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "code": indicator.code, "name": indicator.name, "goal": indicator.goal_id, "unit": indicator.unit,
            "frequency": indicator.frequency, "direction": indicator.direction, "method": indicator.method,
            "formula": indicator.formula, "inputs": ", ".join(indicator.inputs),
            "tiers": [(number_tidy(t), number_tidy(p)) for t, p in indicator.tiers],
        }  # fmt: skip
        for name in ("weight", "target", "floor", "cap", "penalty_per_unit", "bonus_per_unit", "scale"):
            initial[name] = number_tidy(getattr(indicator, name))
        initial["stretch_target"] = number_tidy(indicator.stretch_target)
        initial["stretch_bonus"] = number_tidy(indicator.stretch_bonus)
        return initial

    def clean_inputs(self) -> tuple[str, ...]:
        names = tuple(name for name in re.split(r"[\s,，]+", self.cleaned_data["inputs"]) if name)
        for name in names:
            if not _INPUT.match(name):
                raise forms.ValidationError(
                    _("“%(name)s” is not a name of letters, digits and “_”."), params={"name": name}
                )
        return names

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        tiers: list[tuple[Decimal, Decimal]] = []
        for number, (threshold, points) in enumerate(self.tier_rows, start=1):
            if not threshold.strip() and not points.strip():
                continue  # the empty row left for a new tier
            try:
                tiers.append((Decimal(threshold.strip()), Decimal(points.strip())))
            except ArithmeticError:
                self.add_error(None, _("Tier %(n)s needs a number as threshold and as points.") % {"n": number})
        cleaned["tiers"] = tuple(tiers)
        return cleaned

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
            stretch_target=data.get("stretch_target"),
            stretch_bonus=data.get("stretch_bonus"),
            **settings,
        )


class PlanUploadForm(_BootstrapForm):
    file = forms.FileField(label=_("Plan file (JSON)"))


class TryForm(forms.Form):
    actual = forms.DecimalField(label=_("Actual value"), max_digits=18, decimal_places=6)
