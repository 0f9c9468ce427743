"""Forms of the people pages: they check what was typed; the services check the rules."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from people.models import Department, User
from people.selectors import NO_PLAN, managers_all, plans_assignable
from plans.models import PlanTemplate
from plans.periods import Period, PeriodError

ROSTER_MAX_BYTES = 5 * 1024 * 1024
ROSTER_EXTENSIONS = (".csv", ".xlsx")


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("A CSV (UTF-8) or Excel (.xlsx) file with the columns of the template below."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ROSTER_EXTENSIONS)}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ROSTER_EXTENSIONS):
            raise ValidationError(_("Choose a .csv or .xlsx file."))
        if upload.size > ROSTER_MAX_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."))
        return upload


class PeopleFilterForm(forms.Form):
    """The people list's filters: a GET form, every field optional."""

    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.order_by("name"), required=False, empty_label=_("All")
    )
    manager = forms.ModelChoiceField(
        label=_("Manager"), queryset=User.objects.none(), required=False, empty_label=_("All")
    )
    plan = forms.ChoiceField(label=_("Plan"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager_field = self.fields["manager"]
        assert isinstance(manager_field, forms.ModelChoiceField)
        manager_field.queryset = managers_all()
        plan_field = self.fields["plan"]
        assert isinstance(plan_field, forms.ChoiceField)
        plan_field.choices = [
            ("", _("All")),
            (NO_PLAN, _("No plan")),
            *((plan.code, plan.name) for plan in plans_assignable()),
        ]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


def _month(value: str) -> str:
    try:
        period = Period.parse(value)
    except PeriodError:
        period = None
    if period is None or not period.is_month:
        raise ValidationError(_("“%(value)s” is not a month like 2026-01"), params={"value": value})
    return str(period)


class AssignForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Plan"),
        queryset=PlanTemplate.objects.none(),
        help_text=_("People get the plan's current published version."),
    )
    start = forms.CharField(
        label=_("First month"),
        max_length=7,
        help_text=_("Like 2026-02. The same first month again changes that assignment."),
        widget=forms.TextInput(attrs={"pattern": r"\d{4}-\d{2}", "placeholder": "2026-02"}),
    )
    monthly_bonus = forms.DecimalField(
        label=_("Monthly bonus"), min_value=Decimal(0), max_digits=14, decimal_places=2, initial=Decimal(0)
    )
    quarterly_bonus = forms.DecimalField(
        label=_("Quarterly bonus"), min_value=Decimal(0), max_digits=14, decimal_places=2, initial=Decimal(0)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan_field = self.fields["plan"]
        assert isinstance(plan_field, forms.ModelChoiceField)
        plan_field.queryset = plans_assignable()

    def clean_start(self) -> str:
        return _month(self.cleaned_data["start"])


class DepartmentAssignForm(AssignForm):
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("name"),
        help_text=_("Everyone in it with the employee role; managers keep their own plan."),
    )

    field_order = ["department", "plan", "start", "monthly_bonus", "quarterly_bonus"]
