"""The plan builder's forms: they read what HR typed; ``plan_file`` decides what a valid plan is.

Every number is read by ``plans.numbers`` (full-width digits, ``1,234.5``; no NaN, no 1e999, at
most 6 decimals), and every text has the length of SPEC.md section 7, so that what a form
accepts is what the database stores and what a plan file may hold.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from plans.codes import RESERVED_PLAN_CODES
from plans.models import PlanTemplate, PlanVersion
from plans.numbers import PLACES, NumberError, number_parse, number_tidy
from plans.plan_file import STREAK_MONTHS_MAX, DistributionRule
from plans.plan_file_check import (
    CODE,
    CODE_MAX_LENGTH,
    FLAG,
    NAME_MAX_LENGTH,
    PLAN_CODE,
    SHORT_MAX_LENGTH,
)

RESERVED_CODES = RESERVED_PLAN_CODES
HUNDRED = Decimal(100)
OPTIONAL_CODE = _("Optional: made from the name when left empty. Files and the API use it.")


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


def number_field(label: Any, *, required: bool = False, **kwargs: Any) -> NumberField:
    return NumberField(label=label, required=required, **kwargs)


def row_number(text: str) -> Decimal | None:
    """A number typed in a row of the tiers or inputs; empty is None. Raises ``NumberError``."""
    return number_parse(text) if text.strip() else None


def code_field(label: Any, **kwargs: Any) -> forms.CharField:
    kwargs.setdefault("required", False)
    kwargs.setdefault("help_text", OPTIONAL_CODE)
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


class BootstrapForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class PlanCodeForm(BootstrapForm):
    """The name and code of a new plan (created empty, cloned or started from the library); without
    a code, the service makes a free one from the name."""

    name = forms.CharField(label=_("Plan name"), max_length=NAME_MAX_LENGTH)
    code = forms.CharField(
        label=_("Plan code"),
        max_length=CODE_MAX_LENGTH,
        required=False,
        validators=[RegexValidator(PLAN_CODE, _("Use only letters, digits, “-” and “_”."))],
        help_text=_(
            "Optional: made from the name when left empty (Customer manager → customer-manager). It names the plan in "
            "addresses and files, and can change until the plan is first published."
        ),
    )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        if code in RESERVED_CODES:  # the plan pages' own addresses
            raise forms.ValidationError(_("“%(code)s” is taken by the pages themselves."), params={"code": code})
        return code


class FollowUpDecisionsForm(BootstrapForm):
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


class DraftSettingsForm(BootstrapForm):
    name = forms.CharField(label=_("Plan name"), max_length=NAME_MAX_LENGTH)
    code = forms.CharField(
        label=_("Plan code"),
        max_length=CODE_MAX_LENGTH,
        required=False,
        validators=[RegexValidator(PLAN_CODE, _("Use only letters, digits, “-” and “_”."))],
        help_text=_("Until the plan is first published. Empty: made from the name."),
    )
    streak_months = forms.IntegerField(
        label=_("Streak months"), required=False, min_value=1, max_value=STREAK_MONTHS_MAX
    )
    streak_min_score = number_field(_("Streak minimum score"))
    streak_flag_label = forms.CharField(
        label=_("Streak flag"),
        max_length=SHORT_MAX_LENGTH,
        required=False,
        help_text=_("What people read, e.g. Promotion candidate."),
    )
    streak_flag = _flag(_("Streak flag code"), help_text=_("Optional: made from the flag when left empty."))

    def __init__(self, *args: Any, published: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if published:  # a published plan's code is in files and addresses: it stays
            del self.fields["code"]

    @classmethod
    def for_draft(cls, draft: PlanVersion, *, published: bool) -> "DraftSettingsForm":
        return cls(
            initial={
                "name": draft.name,
                "code": draft.template.code,
                "streak_months": draft.streak_months,
                "streak_min_score": number_tidy(draft.streak_min_score),
                "streak_flag_label": draft.streak_flag_label,
                "streak_flag": draft.streak_flag,
            },
            published=published,
        )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        if code in RESERVED_CODES:
            raise forms.ValidationError(_("“%(code)s” is taken by the pages themselves."), params={"code": code})
        return code


class GoalForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX_LENGTH)
    code = code_field(_("Code"))


class BandForm(BootstrapForm):
    minimum = number_field(_("Minimum score"), required=True)
    label = forms.CharField(label=_("Label"), max_length=SHORT_MAX_LENGTH)
    payout = number_field(_("Payout %"), required=True, minimum=Decimal(0))
    flag_label = forms.CharField(
        label=_("Flag (optional)"),
        max_length=SHORT_MAX_LENGTH,
        required=False,
        help_text=_("Added to the results of this band, e.g. Warning; the follow-ups page lists them."),
    )
    flag = _flag(_("Flag code"), help_text=_("Optional: made from the flag when left empty."))


class PlanUploadForm(BootstrapForm):
    file = forms.FileField(label=_("Plan file (JSON)"))


class TryForm(forms.Form):
    actual = NumberField(label=_("Actual value"))


class DraftGuidelineForm(forms.Form):
    """The draft's calibration and its distribution guideline: at least and at most a percentage of
    the people closed in a period, per band (SPEC.md section 10); checked again when it is published."""

    calibration = forms.BooleanField(
        label=_("Calibrate before release: employees see closed results only once HR releases the period"),
        required=False,
    )

    def __init__(self, *args: Any, bands: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bands = bands
        for index, band in enumerate(bands):
            for end, label in (("min", _("Band %(band)s: at least %%")), ("max", _("Band %(band)s: at most %%"))):
                field = number_field(label % {"band": band}, minimum=Decimal(0))
                field.widget.attrs["class"] = "form-control"
                self.fields[f"{end}_{index}"] = field
        self.fields["calibration"].widget.attrs["class"] = "form-check-input"

    @classmethod
    def for_draft(cls, draft: PlanVersion, bands: list[str]) -> "DraftGuidelineForm":
        initial: dict[str, Any] = {"calibration": draft.calibration}
        for item in draft.distribution:
            if item.get("band") in bands:
                index = bands.index(item["band"])
                for end in ("min", "max"):
                    if item.get(end) is not None:
                        initial[f"{end}_{index}"] = number_tidy(Decimal(item[end]))
        return cls(initial=initial, bands=bands)

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(band, self[f"min_{index}"], self[f"max_{index}"]) for index, band in enumerate(self.bands)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for index, band in enumerate(self.bands):
            low, high = data.get(f"min_{index}"), data.get(f"max_{index}")
            for end, value in (("min", low), ("max", high)):
                if value is not None and value > 100:
                    self.add_error(f"{end}_{index}", _("A percentage is at most 100."))
            if low is not None and high is not None and low > high:
                self.add_error(f"min_{index}", _("Band %(band)s: at least is above at most.") % {"band": band})
        return data

    def guideline(self) -> list[DistributionRule]:
        rules = []
        for index, band in enumerate(self.bands):
            low, high = self.cleaned_data.get(f"min_{index}"), self.cleaned_data.get(f"max_{index}")
            if low is not None or high is not None:
                rules.append(DistributionRule(band=band, minimum=low, maximum=high))
        return rules
