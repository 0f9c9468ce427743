"""Forms of the review pages. They parse what was typed; the services decide what is allowed.

The quarterly ratings are checked once, by the metrics import under the services: its
messages are put back on the rating fields here.
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from people.models import User
from plans.models import Indicator
from plans.periods import Period, PeriodError
from plans.tabular import TableError, row_error
from reviews.services import RATINGS_ROW


def _scale(indicator: Indicator) -> str:
    return f"{indicator.scale.normalize():f}" if indicator.scale is not None else ""


def _rating_label(indicator: Indicator) -> str:
    if indicator.scale is None:
        return indicator.name
    return gettext("%(indicator)s (0 to %(scale)s)") % {"indicator": indicator.name, "scale": _scale(indicator)}


def _rating_field(indicator: Indicator, *, required: bool = True, initial: Decimal | None = None) -> forms.Field:
    return forms.DecimalField(
        label=_rating_label(indicator),
        required=required,
        initial=initial,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


class QuarterField(forms.CharField):
    """A quarter typed as 2026-Q1, cleaned to a ``Period`` (None when left empty)."""

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return None
        try:
            period = Period.parse(text)
        except PeriodError:
            period = None
        if period is None or not period.is_quarter:
            raise forms.ValidationError(_("Give a quarter like 2026-Q1."))
        return period


class QuarterChoiceForm(forms.Form):
    period = QuarterField(label=_("Quarter"), required=False, max_length=7)


class ReviewOpenForm(forms.Form):
    employee = forms.CharField(label=_("Employee id"), max_length=150)
    period = QuarterField(label=_("Quarter"), max_length=7)


class SelfAssessmentForm(forms.Form):
    text = forms.CharField(label=_("Your self-assessment"), widget=forms.Textarea(attrs={"rows": 6}))


class FeedbackRequestForm(forms.Form):
    colleague = forms.ModelChoiceField(label=_("Colleague"), queryset=User.objects.none())
    indicator = forms.TypedChoiceField(label=_("Indicator"), coerce=int)

    def __init__(self, *args: Any, colleagues: QuerySet[User], indicators: list[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        colleague_field = self.fields["colleague"]
        indicator_field = self.fields["indicator"]
        assert isinstance(colleague_field, forms.ModelChoiceField)
        assert isinstance(indicator_field, forms.TypedChoiceField)
        colleague_field.queryset = colleagues
        # The review's few indicators are at hand already: no query to list them again.
        self.indicators = {indicator.pk: indicator for indicator in indicators}
        indicator_field.choices = [(indicator.pk, indicator.name) for indicator in indicators]

    def clean_indicator(self) -> Indicator:
        return self.indicators[self.cleaned_data["indicator"]]


class RatingsForm(forms.Form):
    """One field a quarterly indicator, named after its code, then a comment."""

    comment_label = _("Comment for the employee")

    def __init__(self, *args: Any, indicators: list[Indicator], current: dict[str, Decimal | None], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[indicator.code] = _rating_field(indicator, initial=current.get(indicator.code))
        self.fields["comment"] = forms.CharField(label=self.comment_label, widget=forms.Textarea(attrs={"rows": 4}))

    def ratings(self) -> dict[str, Decimal]:
        return {indicator.code: self.cleaned_data[indicator.code] for indicator in self.indicators}

    def add_import_errors(self, error: TableError) -> None:
        """The metrics import's messages on the field they are about, without the row number."""
        add_import_errors(self, error, codes=[i.code for i in self.indicators])


class FeedbackAnswerForm(forms.Form):
    rating = forms.DecimalField(
        label=_("Rating"), max_digits=8, decimal_places=2, widget=forms.NumberInput(attrs={"step": "any"})
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rating"].label = _rating_label(indicator)


class AppealForm(forms.Form):
    reason = forms.CharField(label=_("Why you appeal"), widget=forms.Textarea(attrs={"rows": 4}))


class Decision:
    RESCORE = "rescore"
    UPHOLD = "uphold"


class ResolveForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(Decision.UPHOLD, _("Uphold the rating")), (Decision.RESCORE, _("Re-score"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, indicators: list[Indicator], current: dict[str, Decimal | None], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[indicator.code] = _rating_field(indicator, required=False, initial=current.get(indicator.code))
        self.order_fields(["decision", *(i.code for i in indicators), "reason"])

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if data.get("decision") == Decision.RESCORE:
            for indicator in self.indicators:
                if data.get(indicator.code) is None and indicator.code not in self.errors:
                    self.add_error(indicator.code, _("Give the new rating."))
        return data

    def ratings(self) -> dict[str, Decimal]:
        return {indicator.code: self.cleaned_data[indicator.code] for indicator in self.indicators}

    def add_import_errors(self, error: TableError) -> None:
        add_import_errors(self, error, codes=[i.code for i in self.indicators])


def add_import_errors(form: forms.Form, error: TableError, *, codes: list[str]) -> None:
    for message in error.messages:
        field: str | None = None
        for column in [*codes, "employee", "period"]:
            prefix = row_error(RATINGS_ROW, column, "")
            if message.startswith(prefix):
                field = column if column in codes else None
                message = message[len(prefix) :]
                break
        else:
            prefix = row_error(RATINGS_ROW, "", "")
            message = message.removeprefix(prefix)
        form.add_error(field, message[:1].upper() + message[1:])
