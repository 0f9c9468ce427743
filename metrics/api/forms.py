from django import forms
from django.utils.translation import gettext_lazy as _

from metrics.api.models import Scope
from people.models import Department
from plans.models import PlanTemplate


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=64,
        help_text=_("The integration's name, e.g. crm: the audit of its figures says “API · crm”."),
    )
    scopes = forms.MultipleChoiceField(label=_("May"), choices=Scope.choices, widget=forms.CheckboxSelectMultiple)
    departments = forms.ModelMultipleChoiceField(
        label=_("Only these departments"),
        queryset=Department.objects.order_by("name"),
        required=False,
        help_text=_("None chosen: every department."),
    )
    plans = forms.ModelMultipleChoiceField(
        label=_("Only these plans"),
        queryset=PlanTemplate.objects.order_by("code"),
        required=False,
        help_text=_("None chosen: every plan."),
    )
