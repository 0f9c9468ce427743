"""Forms of the review pages. They parse what was typed; the services decide what is allowed.

The quarterly ratings are checked once, by the metrics import under the services: its
messages are put back on the rating fields here.
"""

import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from people.models import Department, User
from people.staffing.selectors import plans_assignable
from plans.models import Indicator, PlanTemplate
from plans.periods import Period, PeriodError
from plans.tabular import TableError, row_error
from reviews.services import COMMENT, RATINGS_ROW
from reviews.team_grid import GridCell, GridRow, TeamGrid
from reviews.team_rating import GridChange, GridRefused


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


PEOPLE_NAMED_SHOWN = 5  # people listed when a name is not enough to tell them apart


class ReviewOpenForm(forms.Form):
    """Whose review to open, chosen by name (and department when two people share a name), or by
    ``person`` (the buttons of the team page), among the people the user may see."""

    name = forms.CharField(
        label=pgettext_lazy("person", "Name"),
        max_length=200,
        required=False,
        help_text=_("The person’s name, as on the people list."),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("name"),
        required=False,
        empty_label=_("Any department"),
        error_messages={"invalid_choice": _("Choose one of the departments listed.")},
    )
    person = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": _("This person is not among the people you can see.")},
    )
    period = QuarterField(label=_("Quarter"), max_length=7)

    def __init__(self, *args: Any, people: QuerySet[User], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "open_%s")  # beside the other forms of HR's page
        super().__init__(*args, **kwargs)
        self.people = people
        person_field = self.fields["person"]
        assert isinstance(person_field, forms.ModelChoiceField)
        person_field.queryset = people

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if data.get("person") is not None or "person" in self.errors:
            return data
        name, department = data.get("name", "").strip(), data.get("department")
        if not name:
            self.add_error("name", _("Give the name of the person whose review to open."))
            return data
        data["person"] = self._named(name, department)
        return data

    def _named(self, name: str, department: Department | None) -> User | None:
        people = self.people.select_related("department")
        if department is not None:
            people = people.filter(department=department)
        matches = list(people.filter(Q(display_name=name) | Q(display_name="", username=name))[:PEOPLE_NAMED_SHOWN])
        if not matches:
            matches = list(people.filter(display_name__icontains=name)[: PEOPLE_NAMED_SHOWN + 1])
        if len(matches) == 1:
            return matches[0]
        where = {"name": name, "department": department}
        if not matches:
            message = (
                _("Nobody called “%(name)s” in %(department)s is among the people you can see.")
                if department
                else _("Nobody called “%(name)s” is among the people you can see.")
            )
            self.add_error("name", message % where)
        else:
            found = ", ".join(
                f"{p.display_name or p.username} ({p.department.name if p.department else _('no department')})"
                for p in matches[:PEOPLE_NAMED_SHOWN]
            )
            self.add_error(
                "name",
                _("Several people match “%(name)s”: %(found)s. Give the full name, or choose the department.")
                % {**where, "found": found},
            )
        return None


class ReviewsOpenForm(forms.Form):
    """HR's opening of a quarter's reviews: everyone, or a department, or a plan (or both)."""

    period = QuarterField(label=_("Quarter"), max_length=7)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.order_by("name"),
        required=False,
        empty_label=_("Every department"),
        error_messages={"invalid_choice": _("Choose one of the departments listed.")},
    )
    plan = forms.ModelChoiceField(
        label=_("Plan"),
        queryset=PlanTemplate.objects.none(),
        required=False,
        empty_label=_("Every plan"),
        error_messages={"invalid_choice": _("Choose one of the plans listed.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "many_%s")  # beside the other forms of HR's page
        super().__init__(*args, **kwargs)
        plan_field = self.fields["plan"]
        assert isinstance(plan_field, forms.ModelChoiceField)
        plan_field.queryset = plans_assignable()  # shown by name


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


MAX_GRID_CHANGES = 5000  # cells in one save of the team grid: a page holds far fewer
MAX_COMMENT_LENGTH = 5000
MAX_RATING_LENGTH = 40
GRID_CHANGE_KEYS = frozenset({"employee", "column", "value", "loaded"})
# A comment may hold line breaks and tabs; nothing else of the control characters, nor a lone surrogate.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


class TeamGridForm:
    """A save of the team's grid: the one ``changes`` field that ``static/js/review_grid.js`` fills,
    a JSON list of the changed cells ``{"employee", "column", "value", "loaded"}``, every one text.

    Not a Django form, as the figures grid's is not: a team of 40 would be 80 fields or more.
    """

    def __init__(self, data: Any = None) -> None:
        self.data = data
        self.changes: list[GridChange] = []
        self.error = ""

    def is_valid(self) -> bool:
        try:
            self.changes = self._read(None if self.data is None else self.data.get("changes"))
        except forms.ValidationError as error:
            self.error = " ".join(error.messages)
            return False
        return True

    def _read(self, text: str | None) -> list[GridChange]:
        if not text:
            return []  # nothing changed (or no JavaScript): a submit may still go on
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):
            raise forms.ValidationError(_("The grid’s changes could not be read: reload the page.")) from None
        if not isinstance(data, list) or len(data) > MAX_GRID_CHANGES:
            raise forms.ValidationError(_("The grid’s changes could not be read: reload the page."))
        changes: dict[tuple[str, str], GridChange] = {}
        for item in data:
            if not isinstance(item, dict) or set(item) != GRID_CHANGE_KEYS:
                raise forms.ValidationError(_("The grid’s changes could not be read: reload the page."))
            limit = MAX_COMMENT_LENGTH if item.get("column") == COMMENT else MAX_RATING_LENGTH
            for key in GRID_CHANGE_KEYS:
                value = item[key]
                if not isinstance(value, str) or len(value) > limit or _CONTROL.search(value):
                    raise forms.ValidationError(
                        _("A rating has at most %(rating)s characters and a comment at most %(comment)s.")
                        % {"rating": MAX_RATING_LENGTH, "comment": MAX_COMMENT_LENGTH}
                    )
            change = GridChange(
                employee=item["employee"],
                column=item["column"],
                value=item["value"].strip(),
                loaded=item["loaded"].strip(),
            )
            changes[(change.employee, change.column)] = change
        return list(changes.values())

    def employees(self) -> set[str]:
        return {change.employee for change in self.changes}

    def bound(self, grid: TeamGrid, refused: GridRefused | None) -> list["BoundRow"]:
        """The rows as the page shows them: what was typed (a refused save keeps it), what each
        cell was loaded with (a conflict's value saved meanwhile, so that saving again replaces
        it deliberately), and each cell's errors."""
        typed = {(change.employee, change.column): change for change in self.changes} if refused else {}
        cells = refused.cells if refused else {}
        current = refused.current if refused else {}

        def bind(row: GridRow, column: str, stored: str, cell: GridCell | None = None) -> BoundCell:
            key = (row.employee, column)
            change = typed.get(key)
            return BoundCell(
                cell=cell,
                value=change.value if change else stored,
                loaded=current.get(key, change.loaded if change else stored),
                errors=cells.get(key, []),
            )

        return [
            BoundRow(
                row=row,
                cells=[bind(row, cell.column.code, cell.text, cell) for cell in row.cells],
                comment=bind(row, COMMENT, row.comment),
                errors=cells.get((row.employee, ""), []),
            )
            for row in grid.rows
        ]


@dataclass
class BoundCell:
    cell: GridCell | None  # None: the comment
    value: str
    loaded: str
    errors: list[str] = field(default_factory=list)


@dataclass
class BoundRow:
    row: GridRow
    cells: list[BoundCell]
    comment: BoundCell
    errors: list[str]
