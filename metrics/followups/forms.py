"""Forms of the follow-ups pages: the filters of a period's list, and HR's decision."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from metrics.followups.models import NOTE_MAX_LENGTH
from metrics.results.period_flags import FlagCount
from people.models import Department


class FollowUpFilterForm(forms.Form):
    flag = forms.ChoiceField(label=_("Flag"), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False, empty_label=_("All departments")
    )

    def __init__(self, *args: Any, flags: list[FlagCount], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        flag = self.fields["flag"]
        assert isinstance(flag, forms.ChoiceField)
        flag.choices = [("", _("Every flag")), *((f.flag, f"{f.label} ({f.count})") for f in flags)]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def chosen(self) -> tuple[str, int | None]:
        """The flag and department id chosen; a bad value falls back to 'all' (the form shows the error)."""
        data = self.cleaned_data if self.is_valid() else {}
        department = data.get("department")
        return data.get("flag") or "", department.pk if department else None


class RankingFilterForm(forms.Form):
    """A year's ranking: of one plan or every one, of one department or every one."""

    plan = forms.ChoiceField(label=_("Plan"), required=False)
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.all(), required=False, empty_label=_("All departments")
    )

    def __init__(self, *args: Any, plans: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plan = self.fields["plan"]
        assert isinstance(plan, forms.ChoiceField)
        plan.choices = [("", _("All plans")), *plans]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def chosen(self) -> tuple[str, int | None]:
        """The plan code and department id chosen; a bad value falls back to 'all' (the form shows the error)."""
        data = self.cleaned_data if self.is_valid() else {}
        department = data.get("department")
        return data.get("plan") or "", department.pk if department else None


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        error_messages={"required": _("Choose a decision."), "invalid_choice": _("Choose a decision from the list.")},
    )
    note = forms.CharField(
        label=_("Note for the employee"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The employee reads it on their scorecard, with the decision."),
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        decision = self.fields["decision"]
        assert isinstance(decision, forms.ChoiceField)
        decision.choices = [("", "—"), *choices]
