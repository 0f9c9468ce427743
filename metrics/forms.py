"""Forms of the figures pages: the team grid, the month picker, the upload."""

from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from metrics.selectors import FiguresGrid, GridCell, GridRow
from metrics.services import CellError, Expected
from plans.periods import Period, PeriodError
from plans.tabular import Row, Table, TableError, cell_decimal, table_read_upload

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_CELL_LENGTH = 40


class MonthForm(forms.Form):
    period = forms.CharField(label=gettext_lazy("Month"), max_length=7)
    manager = forms.IntegerField(label=gettext_lazy("Manager"), required=False)

    def clean_period(self) -> Period:
        try:
            period = Period.parse(self.cleaned_data["period"])
        except PeriodError:
            period = None
        if period is None or not period.is_month:
            raise forms.ValidationError(_("Give a month like 2026-01."))
        return period


def value_name(employee: str, column: str) -> str:
    return f"v:{employee}:{column}"


def loaded_name(employee: str, column: str) -> str:
    return f"o:{employee}:{column}"


@dataclass
class BoundCell:
    cell: GridCell
    typed: bool  # False for a computed value or a column the plan lacks
    name: str = ""
    value: str = ""
    loaded_name: str = ""
    loaded: str = ""
    label: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class BoundRow:
    row: GridRow
    cells: list[BoundCell]
    errors: list[str] = field(default_factory=list)


class GridForm:
    """Every typed cell of the grid, with the value it was loaded with beside it (hidden).

    Only the cells someone changed are saved, each checked against what it was loaded with,
    so a save never writes back a stale value it merely displayed.

    Not a Django form: a team of 40 has some 900 inputs, and as many form fields and bound
    fields cost more than the rest of the page (bench_load: 120 ms a grid). Each cell is a
    short text, and its checks are the two below; the values are checked by metrics_import.
    """

    def __init__(self, data: QueryDict | None = None, *, grid: FiguresGrid) -> None:
        self.grid = grid
        self.data = data
        self.cleaned_data: dict[str, str] = {}
        self.cell_errors: dict[tuple[str, str], list[str]] = {}  # (employee, column) -> messages
        self.names = {
            name
            for row in grid.rows
            for cell in row.cells
            if cell.applies and not cell.column.computed
            for name in (value_name(row.employee, cell.column.name), loaded_name(row.employee, cell.column.name))
        }

    def foreign(self) -> bool:
        """True when the post names a cell that is not on this user's grid: another team's."""
        return self.data is not None and any(name[:2] in ("v:", "o:") and name not in self.names for name in self.data)

    def is_valid(self) -> bool:
        if self.data is None:
            return False
        self.cleaned_data = {name: str(self.data.get(name, "")).strip() for name in self.names}
        for row in self.grid.rows:
            for cell in row.cells:
                name = value_name(row.employee, cell.column.name)
                if name not in self.names:
                    continue
                given = self.cleaned_data[name]
                if len(given) > MAX_CELL_LENGTH:
                    self._error(
                        row.employee,
                        cell.column.name,
                        _("A figure has at most %(count)s characters.") % {"count": MAX_CELL_LENGTH},
                    )
                elif given == "" and self.cleaned_data[loaded_name(row.employee, cell.column.name)]:
                    self._error(
                        row.employee, cell.column.name, _("A figure cannot be emptied: type the right value instead.")
                    )
        return not self.cell_errors

    def _error(self, employee: str, column: str, message: str) -> None:
        self.cell_errors.setdefault((employee, column), []).append(message)

    def changes(self) -> tuple[Table, Expected]:
        """The changed cells as a metrics table (one row per person), and what each was loaded with."""
        columns = [c.name for c in self.grid.columns if not c.computed]
        period = str(self.grid.period)
        rows: list[Row] = []
        expected: dict[tuple[str, str, str], str] = {}
        for row in self.grid.rows:
            cells = {}
            for name in columns:
                given = self.cleaned_data.get(value_name(row.employee, name), "")
                loaded = self.cleaned_data.get(loaded_name(row.employee, name), "")
                if given != "" and not _same(given, loaded):
                    cells[name] = given
                    expected[(row.employee, period, name)] = loaded
            if cells:
                number = len(rows) + 2
                rows.append(
                    Row(
                        number=number,
                        cells={"employee": row.employee, "period": period, **dict.fromkeys(columns, ""), **cells},
                    )
                )
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
                self.cleaned_data[loaded_name(employee, column)] = error.current

    def rows(self) -> list[BoundRow]:
        """The cells as the page shows them: what was typed (or stored), and its errors."""
        bound = []
        for row in self.grid.rows:
            cells = []
            for cell in row.cells:
                name = value_name(row.employee, cell.column.name)
                errors = self.cell_errors.get((row.employee, cell.column.name), [])
                if name not in self.names:
                    cells.append(BoundCell(cell=cell, typed=False, errors=errors))
                    continue
                loaded = loaded_name(row.employee, cell.column.name)
                cells.append(
                    BoundCell(
                        cell=cell,
                        typed=True,
                        name=name,
                        value=self.cleaned_data.get(name, cell.text),
                        loaded_name=loaded,
                        loaded=self.cleaned_data.get(loaded, cell.text),
                        label=f"{row.name} {cell.column.label}",
                        errors=errors,
                    )
                )
            bound.append(BoundRow(row=row, cells=cells, errors=self.cell_errors.get((row.employee, ""), [])))
        return bound

    def general_errors(self) -> list[str]:
        return self.cell_errors.get(("", ""), [])


def _same(given: str, loaded: str) -> bool:
    """``8.60`` typed over ``8.6`` is no change."""
    a, b = cell_decimal(given), cell_decimal(loaded)
    return given == loaded or (a is not None and b is not None and Decimal(a) == Decimal(b))


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
        if (upload.size or 0) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload

    def table(self) -> tuple[str, bytes, Table]:
        upload = self.cleaned_data["file"]
        data = upload.read()
        try:
            return upload.name, data, table_read_upload(name=upload.name, data=data)
        except TableError as error:
            for message in error.errors:
                self.add_error("file", message)
            raise
