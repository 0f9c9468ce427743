"""Forms of the people pages: they check what was typed; the services check the rules."""

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from people.models import Department, User
from people.selectors import managers_all
from people.staffing.roster import month_problem
from people.staffing.selectors import NO_PLAN, plans_assignable
from plans.forms import NumberField
from plans.models import PlanTemplate
from plans.numbers import MONEY_PLACES
from plans.tabular import MAX_FILE_BYTES

ROSTER_MAX_BYTES = MAX_FILE_BYTES
ROSTER_EXTENSIONS = (".csv", ".xlsx")


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file"),
        help_text=_("A CSV or Excel (.xlsx) file with the columns of the template below."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ROSTER_EXTENSIONS)}),
    )
    invite = forms.BooleanField(
        label=_("Invite the new people"),
        required=False,
        help_text=_(
            "Each person the file adds gets an email with a link to set their password "
            "(those with an email address in the file)."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ROSTER_EXTENSIONS):
            raise ValidationError(_("Choose a .csv or .xlsx file."))
        if upload.size > ROSTER_MAX_BYTES:
            raise ValidationError(
                _("The file is larger than %(size)s MB.") % {"size": ROSTER_MAX_BYTES // (1024 * 1024)}
            )
        return upload


class PeopleFilterForm(forms.Form):
    """The people list's filters: a GET form, every field optional."""

    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.order_by("name"), required=False, empty_label=_("All")
    )
    # Typed, not chosen: a company has hundreds of managers, too many for a list on every page.
    manager = forms.CharField(
        label=_("Manager"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("user name")}),
    )
    plan = forms.ChoiceField(label=_("Plan"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan_field = self.fields["plan"]
        assert isinstance(plan_field, forms.ChoiceField)
        plan_field.choices = [
            ("", _("All")),
            (NO_PLAN, _("No plan")),
            *((plan.code, plan.name) for plan in plans_assignable()),
        ]
        for name in ("department", "plan"):
            self.fields[name].widget.attrs["class"] = "form-select"

    def clean_manager(self) -> User | None:
        username = self.cleaned_data["manager"].strip()
        if not username:
            return None
        manager = managers_all().filter(username=username).first()
        if manager is None:
            raise ValidationError(_("Nobody called “%(username)s” manages anyone."), params={"username": username})
        return manager


class MonthField(forms.CharField):
    """A month from a month picker (``<input type="month">`` sends ``2026-02``).

    Where a browser shows a plain text box instead, what a person types is read as a file's
    cell is: ``2026/2`` and ``2026年2月`` are February.
    """

    widget = forms.TextInput(attrs={"type": "month", "min": "2000-01", "max": "2100-12", "placeholder": "2026-02"})

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=32, **kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        month, problem = month_problem(text)
        if problem:
            raise ValidationError(problem)
        return month


class AssignForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Plan"),
        queryset=PlanTemplate.objects.none(),
        help_text=_("People get the plan's current published version."),
    )
    start = MonthField(
        label=_("First month"),
        help_text=_(
            "The same first month again changes that assignment. A change to months that are closed "
            "applies from the first open month."
        ),
    )
    # A bonus amount as a person types it: 2,500.50, full-width digits; 0 or more, 2 decimals, below 10^9.
    monthly_bonus = NumberField(label=_("Monthly bonus"), initial=Decimal(0), places=MONEY_PLACES, minimum=Decimal(0))
    quarterly_bonus = NumberField(
        label=_("Quarterly bonus"), initial=Decimal(0), places=MONEY_PLACES, minimum=Decimal(0)
    )
    # The year's bonus at 100 % payout (SPEC.md section 10); left empty, 0.
    annual_bonus = NumberField(
        label=_("Annual bonus"), initial=Decimal(0), places=MONEY_PLACES, minimum=Decimal(0), required=False
    )

    def clean_annual_bonus(self) -> Decimal:
        value = self.cleaned_data.get("annual_bonus")
        return Decimal(0) if value is None else value

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan_field = self.fields["plan"]
        assert isinstance(plan_field, forms.ModelChoiceField)
        plan_field.queryset = plans_assignable()


class DepartmentAssignForm(AssignForm):
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("name"),
        help_text=_("Everyone in it with the employee role; managers keep their own plan."),
    )
    overwrite_amounts = forms.BooleanField(
        label=_("Overwrite everyone's amounts"),
        required=False,
        help_text=_(
            "Unticked, people who already have bonus amounts keep their own; people without any get these. "
            "The preview shows whose amounts change before anything is saved."
        ),
    )

    field_order = [
        "department",
        "plan",
        "start",
        "monthly_bonus",
        "quarterly_bonus",
        "annual_bonus",
        "overwrite_amounts",
    ]
