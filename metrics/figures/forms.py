"""Forms of the figures pages: the team grid, the month picker, the upload."""

import json
import re
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrics.figures.checks import CellError, Expected
from metrics.figures.selectors import FiguresGrid, GridCell, GridRow, figures_managers
from people.models import Department, User
from plans.errors import ApplicationError
from plans.formats import period_text
from plans.numbers import NumberError, number_parse
from plans.periods import Period, PeriodError
from plans.tabular import MAX_FILE_BYTES, Row, Table, TableError, table_read_upload

MAX_CELL_LENGTH = 40


class MonthForm(forms.Form):
    period = forms.CharField(label=gettext_lazy("Month"), max_length=7)

    def clean_period(self) -> Period:
        try:
            period = Period.parse(self.cleaned_data["period"])
        except PeriodError:
            period = None
        if period is None or not period.is_month:
            raise forms.ValidationError(_("Give a month like 2026-01."))
        return period


class PeriodsForm(forms.Form):
    """The periods an upload touched, in a link: ``?periods=2026-03,2026-04,2026-Q1``."""

    periods = forms.CharField(max_length=2000)

    def clean_periods(self) -> list[Period]:
        try:
            return [Period.parse(text) for text in self.cleaned_data["periods"].split(",")]
        except PeriodError as error:
            raise forms.ValidationError(_("“%(value)s” is not a period") % {"value": error.text}) from None


class GridFilterForm(forms.Form):
    """HR's narrowing of the grid to a department or a manager's team: a GET form, every field
    optional. A value that is no choice (``?manager=abc``, a deleted department) is said so beside
    its field and not applied."""

    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"),
        queryset=Department.objects.order_by("name"),
        required=False,
        empty_label=gettext_lazy("All"),
    )
    manager = forms.ModelChoiceField(
        label=gettext_lazy("Manager"), queryset=User.objects.none(), required=False, empty_label=gettext_lazy("All")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager_field = self.fields["manager"]
        assert isinstance(manager_field, forms.ModelChoiceField)
        manager_field.queryset = figures_managers()
        for name, item in self.fields.items():
            item.widget.attrs.update({"class": "form-select", "id": f"figures-{name}"})

    def filters(self) -> dict[str, int]:
        """The valid filters as ids: ``{"department_id": 3, "manager_id": 7}``."""
        self.is_valid()
        chosen = {name: self.cleaned_data.get(name) for name in ("department", "manager")}
        return {f"{name}_id": value.pk for name, value in chosen.items() if value is not None}


MAX_CHANGES = 5000  # cells in one save: a page holds far fewer, a test client may send more
MAX_TEXT_LENGTH = 200  # of any text in a change; a figure has its own, shorter limit
CHANGE_KEYS = frozenset({"employee", "column", "value", "loaded"})
# No input of the page holds a control character or a lone surrogate (JSON's "\ud800"), and
# PostgreSQL and UTF-8 refuse them.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class CellChange:
    """A cell someone changed: its employee and column, what is typed and what it was loaded with."""

    employee: str
    column: str
    value: str
    loaded: str


class GridChangesError(ApplicationError):
    pass


def grid_changes_read(text: str | None) -> list[CellChange]:
    """The ``changes`` field of a grid save: a JSON list of cells ``{"employee", "column",
    "value", "loaded"}``, every one of them text. Raises ``GridChangesError`` with a message."""
    if text is None:
        raise GridChangesError(
            _("The grid sent no changes: reload the page and type them again (saving the grid needs JavaScript).")
        )
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested too deep to read
        raise GridChangesError(
            _("The grid's changes could not be read: reload the page and type them again.")
        ) from None
    if not isinstance(data, list):
        raise GridChangesError(_("The grid's changes must be a list of cells."))
    if len(data) > MAX_CHANGES:
        raise GridChangesError(
            _("A save takes at most %(count)s cells; this one has %(given)s: save them in parts.")
            % {"count": MAX_CHANGES, "given": len(data)}
        )
    changes: list[CellChange] = []
    seen: set[tuple[str, str]] = set()
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict) or set(item) != CHANGE_KEYS:
            raise GridChangesError(
                _("Change %(number)s must have exactly an employee, a column, a value and a loaded value.")
                % {"number": number}
            )
        for key in ("employee", "column", "value", "loaded"):
            value = item[key]
            if not isinstance(value, str) or len(value) > MAX_TEXT_LENGTH or _CONTROL.search(value):
                raise GridChangesError(
                    _("Change %(number)s: “%(key)s” must be text of at most %(count)s characters.")
                    % {"number": number, "key": key, "count": MAX_TEXT_LENGTH}
                )
        change = CellChange(
            employee=item["employee"], column=item["column"], value=item["value"].strip(), loaded=item["loaded"].strip()
        )
        if (change.employee, change.column) in seen:
            raise GridChangesError(
                _("Change %(number)s: %(employee)s %(column)s is given twice.")
                % {"number": number, "employee": change.employee, "column": change.column}
            )
        seen.add((change.employee, change.column))
        changes.append(change)
    return changes


@dataclass
class BoundCell:
    cell: GridCell
    typed: bool  # False for a computed value or a column the plan lacks
    value: str = ""
    loaded: str = ""
    label: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class BoundRow:
    row: GridRow
    cells: list[BoundCell]
    errors: list[str] = field(default_factory=list)


class GridForm:
    """A grid save: only the cells someone changed, each with the value it was loaded with.

    The page posts one field, ``changes``, that ``static/js/grid.js`` fills on submit (see
    ``grid_changes_read``), not a field per cell: a team of 84 on the seed plan had more than
    Django's 1,000 fields. Each change is checked against what it was loaded with, so a save
    never writes back a stale value it merely displayed.

    Not a Django form: its checks are the few below; the values are checked by metrics_import.
    """

    def __init__(self, data: QueryDict | None = None) -> None:
        self.data = data
        self.changes: list[CellChange] = []
        self.cell_errors: dict[tuple[str, str], list[str]] = {}  # (employee, column) -> messages
        self.current: dict[tuple[str, str], str] = {}  # a conflict's value saved meanwhile
        self.unreadable = False  # the post is no list of changes: no page sends that

    def is_valid(self) -> bool:
        """The post reads as a list of changes (not yet checked against a grid)."""
        if self.data is None:
            return False
        try:
            self.changes = grid_changes_read(self.data.get("changes"))
        except GridChangesError as error:
            self._error("", "", str(error))
            self.unreadable = True
            return False
        return True

    def employees(self) -> set[str]:
        return {change.employee for change in self.changes}

    def check(self, grid: FiguresGrid) -> bool:
        """Each change is a typed cell of its person's row in ``grid``, short, and not emptied."""
        rows = {row.employee: {cell.column.name: cell for cell in row.cells} for row in grid.rows}
        for change in self.changes:
            cells = rows.get(change.employee)
            cell = cells.get(change.column) if cells is not None else None
            if cells is None:
                self._error(
                    change.employee,
                    "",
                    _("%(employee)s has no plan in %(period)s.")
                    % {"employee": change.employee, "period": period_text(grid.period)},
                )
            elif cell is None or not cell.applies or cell.column.computed:
                self._error(
                    change.employee,
                    "",
                    _("“%(column)s” is not a figure to type for %(employee)s.")
                    % {"column": change.column, "employee": change.employee},
                )
            elif len(change.value) > MAX_CELL_LENGTH:
                self._error(
                    change.employee,
                    change.column,
                    _("A figure has at most %(count)s characters.") % {"count": MAX_CELL_LENGTH},
                )
            elif change.value == "" and change.loaded:
                self._error(
                    change.employee, change.column, _("A figure cannot be emptied: type the right value instead.")
                )
        return not self.cell_errors

    def _error(self, employee: str, column: str, message: str) -> None:
        self.cell_errors.setdefault((employee, column), []).append(message)

    def table(self, grid: FiguresGrid) -> tuple[Table, Expected]:
        """The changed cells as a metrics table (one row per person), and what each was loaded with.

        Only the columns someone changed are in it, so a person's row never names a column of
        another plan of the grid.
        """
        period = str(grid.period)
        changed: dict[str, dict[str, str]] = {}
        expected: dict[tuple[str, str, str], str] = {}
        for change in self.changes:
            if change.value != "" and not _same(change.value, change.loaded):
                changed.setdefault(change.employee, {})[change.column] = change.value
                expected[(change.employee, period, change.column)] = change.loaded
        given = {column for cells in changed.values() for column in cells}
        columns = [c.name for c in grid.columns if c.name in given]
        rows = [
            Row(
                number=number,
                cells={
                    "employee": row.employee,
                    "period": period,
                    **dict.fromkeys(columns, ""),
                    **changed[row.employee],
                },
            )
            for number, row in enumerate((row for row in grid.rows if row.employee in changed), start=2)
        ]
        return Table(header=["employee", "period", *columns], rows=rows), expected

    def refused(self, table: Table, errors: list[CellError]) -> None:
        """Put each error of a refused save in its cell; a conflict also shows the value saved
        meanwhile as the one loaded, so that saving again deliberately replaces it."""
        employees = {row.number: row.cells["employee"] for row in table.rows}
        for error in errors:
            employee = employees.get(error.row, "")
            column = error.column if error.column not in ("employee", "period") else ""
            self._error(employee, column, error.message)
            if error.current is not None:
                self.current[(employee, column)] = error.current

    def bound(self, grid: FiguresGrid) -> tuple[list[BoundRow], list[str]]:
        """The page's rows as it shows them (what was typed, or what is stored, and the errors),
        and the errors that belong to no cell of the page."""
        typed = {(change.employee, change.column): change for change in self.changes}
        shown: set[tuple[str, str]] = set()
        bound = []
        for row in grid.rows:
            cells = []
            for cell in row.cells:
                key = (row.employee, cell.column.name)
                shown.add(key)
                errors = self.cell_errors.get(key, [])
                if not cell.applies or cell.column.computed:
                    cells.append(BoundCell(cell=cell, typed=False, errors=errors))
                    continue
                change = typed.get(key)
                cells.append(
                    BoundCell(
                        cell=cell,
                        typed=True,
                        value=change.value if change else cell.text,
                        loaded=self.current.get(key, change.loaded if change else cell.text),
                        label=f"{row.name} {cell.column.label}",
                        errors=errors,
                    )
                )
            shown.add((row.employee, ""))
            bound.append(BoundRow(row=row, cells=cells, errors=self.cell_errors.get((row.employee, ""), [])))
        elsewhere = [
            " ".join(filter(None, (employee, column, message)))
            for (employee, column), messages in self.cell_errors.items()
            if (employee, column) not in shown
            for message in messages
        ]
        return bound, elsewhere


def _same(given: str, loaded: str) -> bool:
    """``8.60`` or ``８．６`` typed over ``8.6`` is no change."""
    if given == loaded:
        return True
    try:
        return number_parse(given, percent=True) == number_parse(loaded, percent=True)
    except NumberError:
        return False


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Figures file (CSV or Excel .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        name = upload.name or ""
        if not name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if (upload.size or 0) > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB: split it into smaller files.")
                % {"size": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload

    def table(self) -> tuple[str, bytes, Table]:
        upload = self.cleaned_data["file"]
        data = upload.read()
        try:
            return upload.name, data, table_read_upload(name=upload.name, data=data)
        except TableError as error:
            for message in error.messages:
                self.add_error("file", message)
            raise
