"""Forms of the logins' pages: the audit's filters."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from people.logins.models import AccessKind


class AccessFilterForm(forms.Form):
    """The audit page's filters: a GET form, every field optional."""

    # Typed, not chosen: a company has too many people for a list on every page.
    person = forms.CharField(
        label=_("Person"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("user name or full name")}),
    )
    kind = forms.ChoiceField(
        label=_("What"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    day = forms.DateField(
        label=_("Day"),
        required=False,
        widget=forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [("", _("All")), *AccessKind.choices]
