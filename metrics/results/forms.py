"""Forms of the cycle pages, the results page's filters and the dashboard filters."""

from typing import Any

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from metrics.results.dashboards import DashboardFilters
from metrics.results.parts import Selection
from metrics.results.payroll import DEFAULT_SORT, NO_BAND, SORTS, PayrollFacets, PayrollFilters
from metrics.results.selectors import CycleBreakdown
from people.models import Department
from plans.formats import period_text
from plans.models import PlanTemplate


class ForceCloseForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that every missing value scores 0 and those results are flagged incomplete."),
        error_messages={"required": _("Tick the box to confirm the forced close.")},
    )


class CloseSelectionForm(forms.Form):
    """Which part of a period to close (SPEC.md section 8): nothing chosen is everybody still open."""

    departments = forms.MultipleChoiceField(label=_("Departments"), required=False, widget=forms.CheckboxSelectMultiple)
    plans = forms.MultipleChoiceField(label=_("Plans"), required=False, widget=forms.CheckboxSelectMultiple)
    complete = forms.BooleanField(
        label=_("Only those whose figures are all in (leave the others open)"), required=False
    )

    def __init__(self, *args: Any, breakdown: CycleBreakdown | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rows = breakdown or CycleBreakdown(departments=[], plans=[])
        for name, choices in (("departments", rows.departments), ("plans", rows.plans)):
            field = self.fields[name]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = [(row.key, row.label) for row in choices if row.key and row.open]

    def selection(self) -> Selection:
        data = self.cleaned_data
        return Selection(
            departments=tuple(data.get("departments") or ()),
            plans=tuple(data.get("plans") or ()),
            complete=bool(data.get("complete")),
        )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say why the cycle is reopened: the reason is kept in its history.")},
    )

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("Say why the cycle is reopened: the reason is kept in its history."))
        return reason


class ScorecardLookupForm(forms.Form):
    employee = forms.CharField(label=_("Employee ID"), max_length=150)

    def clean_employee(self) -> str:
        """A user name (letters, digits and @.+-_, as the roster allows): "a/b" has no scorecard URL."""
        employee = str(self.cleaned_data["employee"]).strip()
        try:
            UnicodeUsernameValidator()(employee)
        except forms.ValidationError:
            raise forms.ValidationError(_("“%(value)s” is not a valid user name"), params={"value": employee}) from None
        return employee


class DashboardFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False, empty_label=_("All departments")
    )
    plan = forms.ModelChoiceField(
        label=_("Plan"),
        queryset=PlanTemplate.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("All plans"),
    )

    def __init__(self, *args: Any, periods: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        period = self.fields["period"]
        assert isinstance(period, forms.ChoiceField)
        period.choices = [("", _("Latest")), *((p, period_text(p)) for p in reversed(periods))]
        for bound in self.fields.values():
            bound.widget.attrs["class"] = "form-select"

    def filters(self) -> DashboardFilters:
        """The filters chosen; a bad value falls back to 'all' (the form shows the error)."""
        data = self.cleaned_data if self.is_valid() else {}
        department = data.get("department")
        plan = data.get("plan")
        return DashboardFilters(
            period=data.get("period") or "",
            department_id=department.pk if department else None,
            plan=plan.code if plan else "",
        )


class PayrollFilterForm(forms.Form):
    """The results page's filters and order (a GET form, every field optional)."""

    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.order_by("name"), required=False, empty_label=_("All")
    )
    band = forms.ChoiceField(label=_("Band"), required=False)
    flag = forms.ChoiceField(label=_("Flag"), required=False)
    sort = forms.ChoiceField(
        required=False,
        widget=forms.HiddenInput,
        choices=[(key, key) for name in SORTS for key in (name, f"-{name}")],
    )

    def __init__(self, *args: Any, facets: PayrollFacets, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        band, flag = self.fields["band"], self.fields["flag"]
        assert isinstance(band, forms.ChoiceField) and isinstance(flag, forms.ChoiceField)
        band.choices = [("", _("All")), *((label or NO_BAND, label or _("No band")) for label in facets.bands)]
        flag.choices = [("", _("All")), *zip(facets.flags, facets.flag_words, strict=True)]
        for name in ("department", "band", "flag"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def filters(self) -> PayrollFilters:
        """The filters chosen; a bad value is that filter off (the form shows the error)."""
        if not self.is_bound:
            return PayrollFilters()
        self.is_valid()  # cleaned_data then holds the fields that are right
        data = self.cleaned_data
        department = data.get("department")
        return PayrollFilters(
            department_id=department.pk if department else None,
            band=data.get("band") or "",
            flag=data.get("flag") or "",
            sort=data.get("sort") or DEFAULT_SORT,
        )


class SimulationForm(forms.Form):
    """Trying a draft (SPEC.md section 9): which past period, and which people to list."""

    period = forms.ChoiceField(label=_("Period"), widget=forms.Select(attrs={"class": "form-select"}))
    department = forms.ChoiceField(
        label=_("Department"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    moved = forms.BooleanField(
        label=_("Only people whose band changes"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args: Any, periods: list[tuple[str, str]], departments: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        period = self.fields["period"]
        department = self.fields["department"]
        assert isinstance(period, forms.ChoiceField) and isinstance(department, forms.ChoiceField)
        period.choices = periods
        department.choices = [("", _("All departments")), *((name, name) for name in departments)]
