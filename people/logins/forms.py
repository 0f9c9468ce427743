"""Forms of the logins' pages: the audit's filters, HR's invitations, and the password reset email in the person's language."""

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from people.logins.models import AccessKind
from people.logins.selectors import InviteScope
from people.models import Department
from people.selectors import person_language


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


USERNAME_MAX_LENGTH = 150


class InviteForm(forms.Form):
    """Whom HR invites from the People page: one person (a row's button), the people ticked, a
    department, or everybody without a login."""

    scope = forms.ChoiceField(choices=InviteScope.CHOICES, required=False)
    person = forms.CharField(required=False, max_length=USERNAME_MAX_LENGTH)
    people = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("name"),
        required=False,
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def clean_people(self) -> list[str]:
        usernames = self.cleaned_data["people"] or []
        if not isinstance(usernames, list) or any(len(name) > USERNAME_MAX_LENGTH for name in usernames):
            raise ValidationError(_("Tick people in the list."))
        return [str(name) for name in usernames]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # A row's own button names its person; the others say which scope.
        if data.get("person"):
            data["scope"] = InviteScope.PERSON
        if not data.get("scope"):
            raise ValidationError(_("Choose whom to invite."))
        if data["scope"] == InviteScope.DEPARTMENT and data.get("department") is None:
            self.add_error("department", _("Choose a department."))
        return data

    def usernames(self) -> list[str]:
        """The user names chosen by a row's button or the ticks (a valid form's)."""
        if self.cleaned_data["scope"] == InviteScope.PERSON:
            return [self.cleaned_data["person"]]
        return list(self.cleaned_data["people"])


class PersonPasswordResetForm(PasswordResetForm):
    """Django's reset form (which never says whether an address is known), its email written in
    the language of the person it goes to."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        with translation.override(person_language(user=context["user"])):
            super().send_mail(
                subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name
            )
