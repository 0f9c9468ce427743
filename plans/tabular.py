"""Reading the CSV files of SPEC.md section 4: UTF-8 with or without BOM, one header row.

Row numbers are the file's line numbers as a spreadsheet shows them: the header is row 1.
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import openpyxl
from django.utils.translation import gettext as _


class TableError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Row:
    number: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[Row]


def table_read_upload(*, name: str, data: bytes) -> Table:
    """A CSV or an Excel workbook (its first sheet), by the file's name."""
    if name.lower().endswith(".xlsx"):
        return table_read_xlsx(data)
    return table_read(data)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float):
        # Excel keeps numbers as binary floats: 8.6 comes back as 8.6, never 8.5999…
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value).strip()


def table_read_xlsx(data: bytes) -> Table:
    """The first sheet of a workbook as a table; row numbers are the sheet's."""
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
        raise TableError([_("The file is not an Excel workbook (.xlsx): %(error)s") % {"error": error}]) from error
    try:
        sheet = workbook.worksheets[0]
        lines = [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    while lines and lines[0] and not lines[0][-1]:  # trailing empty header cells
        lines[0].pop()
    width = len(lines[0]) if lines else 0
    text = io.StringIO()
    writer = csv.writer(text)
    for line in lines:
        while len(line) > width and not line[-1]:  # empty cells right of the header's last column
            line.pop()
        writer.writerow(line)
    return table_read(text.getvalue())


def table_read(data: bytes | str) -> Table:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise TableError([_("The file is not UTF-8 text: %(error)s") % {"error": error}]) from error
    data = data.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(data, newline=""))
    try:
        lines = list(reader)
    except csv.Error as error:
        raise TableError([_("The file is not a readable CSV file: %(error)s") % {"error": error}]) from error
    if not lines or not any(cell.strip() for cell in lines[0]):
        raise TableError([_("The file is empty: it needs a header row.")])
    header = [cell.strip() for cell in lines[0]]
    errors = []
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        errors.append(_("Row 1: column “%(column)s” appears twice") % {"column": ", ".join(duplicates)})
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in line):
            continue  # blank lines, e.g. at the end of a spreadsheet export
        if len(line) > len(header):
            errors.append(
                _("Row %(row)s: %(found)s cells but the header has %(expected)s columns")
                % {"row": number, "found": len(line), "expected": len(header)}
            )
            continue
        padded = [cell.strip() for cell in line] + [""] * (len(header) - len(line))
        rows.append(Row(number=number, cells=dict(zip(header, padded, strict=True))))
    if errors:
        raise TableError(errors)
    return Table(header=header, rows=rows)


def table_check_columns(table: Table, *, required: list[str], optional: list[str] | None = None) -> list[str]:
    """Errors for missing and unknown columns of a file with a fixed header."""
    allowed = set(required) | set(optional or [])
    errors = [
        _("Row 1: the column “%(column)s” is missing") % {"column": column}
        for column in required
        if column not in table.header
    ]
    errors += [
        _("Row 1: unknown column “%(column)s”") % {"column": column} for column in table.header if column not in allowed
    ]
    return errors


def row_error(row: int, column: str, message: str) -> str:
    if column:
        return _("Row %(row)s, %(column)s: %(message)s") % {"row": row, "column": column, "message": message}
    return _("Row %(row)s: %(message)s") % {"row": row, "message": message}


def cell_decimal(text: str) -> Decimal | None:
    """A number as people type it in a spreadsheet cell; None when it is not one."""
    try:
        number = Decimal(text.replace(",", "")) if text else None
    except InvalidOperation:
        return None
    return number if number is None or number.is_finite() else None
