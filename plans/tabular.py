"""The one reader of tabular files (SPEC.md sections 4 and 7): CSV and XLSX, as real spreadsheets save them.

A file is told apart by its content, never its name: an XLSX workbook is a zip archive, anything
else is read as CSV text whose encoding is detected (UTF-8 with or without BOM, UTF-16 with a BOM
as Excel's "Unicode text", GB18030 as Excel saves "CSV (逗号分隔)" on a Chinese Windows).

An XLSX sheet is read from its XML, not through the size it declares (a 5 KB file may claim a
million rows by sixteen thousand columns): only the cells that are there count. A percentage
cell comes back as ``5%`` (it holds 0.05), a date cell as ``2026-04-01`` (also in the formats a
Chinese Excel names by their id alone, such as 2026年4月), a time cell as the fraction of a day it
holds (12:00 as ``0.5``), a formula cell as its cached value; a formula without one, an error value
and merged cells are refused by their place.

Row numbers are the file's as a spreadsheet shows them: the header is row 1, and a CSV record whose
quoted cells break over several lines is one row.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Context, InvalidOperation
from posixpath import dirname, join, normpath
from typing import IO
from xml.etree.ElementTree import Element, ParseError, iterparse
from xml.parsers.expat import ExpatError, ParserCreate

from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

from plans.errors import ApplicationError
from plans.numbers import number_text

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_ROWS = 200_000  # data rows, the header not counted
MAX_COLUMNS = 200
# What a sheet's XML may unpack to: a 50 MB workbook of real data stays well below it, a zip bomb
# is stopped as it inflates.
MAX_XML_BYTES = 512 * 1024 * 1024


class TableError(ApplicationError):
    """A file refused: ``messages``, each naming the row and column (or the cell)."""


@dataclass(frozen=True)
class Row:
    number: int
    cells: dict[str, str]


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[Row]


def table_read_upload(*, name: str, data: bytes) -> Table:
    """An uploaded file, read by its content; its name only makes a refusal clearer."""
    if name.lower().endswith((".xlsx", ".xlsm")) and not data.startswith(b"PK\x03\x04"):
        raise TableError([_("The file is not an Excel workbook (.xlsx): save it again from Excel or WPS.")])
    return table_read(data)


def table_read(data: bytes | str) -> Table:
    """A CSV or XLSX file as a table: one header row, then the data rows."""
    if isinstance(data, str):
        return _table(_csv_lines(data))
    if len(data) > MAX_FILE_BYTES:
        raise TableError([_too_large_message()])
    if data.startswith(b"PK\x03\x04"):
        return _table(_xlsx_lines(data))
    return _table(_csv_lines(_decode(data)))


def _too_large_message() -> str:
    return _("The file is larger than %(size)s MB: split it into smaller files.") % {
        "size": MAX_FILE_BYTES // (1024 * 1024)
    }


# --- CSV -------------------------------------------------------------------------------------


def _save_as_utf8() -> str:
    return _(
        "Save it from Excel or WPS as “CSV UTF-8 (逗号分隔)” or as an Excel workbook (.xlsx), then upload it again."
    )


def _decode(data: bytes) -> str:
    """The text of a CSV file, whatever Excel or WPS saved it as."""
    if data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ["utf-16"]
    elif b"\x00" in data[:4096]:
        raise TableError([_("The file is not a text (CSV) file or an Excel workbook.") + " " + _save_as_utf8()])
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError([_("The file's characters are in an encoding we cannot read.") + " " + _save_as_utf8()])


def _csv_lines(text: str) -> Iterator[tuple[int, list[str]]]:
    text = text.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    # Excel's "Unicode text" separates with tabs; its CSV with commas.
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        # A spreadsheet shows one row per record, however many lines its quoted cells break over:
        # rows are counted by record, not by ``reader.line_num`` (the line where a record ends).
        yield from enumerate(reader, start=1)
    except csv.Error as error:
        # The reader could not make a record: the line it stopped at is all there is to name.
        raise TableError(
            [
                _("Row %(row)s: the file is not a readable CSV file (%(error)s); a quote may be left open.")
                % {"row": reader.line_num, "error": error}
            ]
        ) from error


# --- XLSX ------------------------------------------------------------------------------------

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_CELL_REFERENCE = re.compile(r"([A-Z]{1,3})(\d+)")
_PERCENT_FORMAT = re.compile(r'%(?=(?:[^"]*"[^"]*")*[^"]*$)')  # a % outside quoted text
_EXCEL_PRECISION = Context(prec=15)  # what Excel shows of a binary float: 8.6, never 8.5999…
# The built-in formats whose code depends on the language of Excel (ECMA-376 Part 1, 18.8.30),
# as a Chinese (zh-CN) Excel shows them: it writes their ids without a code, so openpyxl's
# BUILTIN_FORMATS, which has only the formats every language shares, does not know them.
_ZH_CN_FORMATS = {
    27: 'yyyy"年"m"月"',
    28: 'm"月"d"日"',
    29: 'm"月"d"日"',
    30: "m-d-yy",
    31: 'yyyy"年"m"月"d"日"',
    32: 'h"时"mm"分"',
    33: 'h"时"mm"分"ss"秒"',
    34: '上午/下午h"时"mm"分"',
    35: '上午/下午h"时"mm"分"ss"秒"',
    36: 'yyyy"年"m"月"',
    50: 'yyyy"年"m"月"',
    51: 'm"月"d"日"',
    52: 'yyyy"年"m"月"',
    53: 'm"月"d"日"',
    54: 'm"月"d"日"',
    55: '上午/下午h"时"mm"分"',
    56: '上午/下午h"时"mm"分"ss"秒"',
    57: 'yyyy"年"m"月"',
    58: 'm"月"d"日"',
}
# What of a format code shows no part of the date or time: quoted text, [brackets] other than the
# elapsed [h], [m] and [s], and the character after \, _ or * (escaped, a space's width, a fill).
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\[(?![hms]+\])[^\]]*\]|[\\_*].', re.IGNORECASE)
_DAY_PARTS = re.compile(r"[dyebg]", re.IGNORECASE)  # day, year, era (e, g), Buddhist year (b)


def _xlsx_lines(data: bytes) -> Iterator[tuple[int, list[str]]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        workbook = _Workbook(archive)
        lines = workbook.first_sheet_lines()
    except (zipfile.BadZipFile, KeyError, ParseError, ValueError, EOFError) as error:
        if isinstance(error, TableError):
            raise
        raise TableError(
            [_("The file is not an Excel workbook (.xlsx) we can read: %(error)s") % {"error": error}]
        ) from error
    return iter(lines)


def _is_time_format(code: str) -> bool:
    """A format showing a time of day or a duration and no date (h:mm, 上午/下午h"时"mm"分"): its
    cell is a fraction of a day, not a date, and reads as the number it holds."""
    shown = _FORMAT_LITERALS.sub("", code.split(";", 1)[0])
    return re.search("[hs]", shown, re.IGNORECASE) is not None and not _DAY_PARTS.search(shown)


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


def _cell_name(row: int, column: int) -> str:
    letters = ""
    column += 1
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return f"{letters}{row}"


class _Workbook:
    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        book_path = self._office_document()
        book = self._xml(book_path)
        properties = book.find(f"{_MAIN}workbookPr")
        self.epoch = (
            datetime(1904, 1, 1)  # noqa: DTZ001 - a calendar date, no time zone
            if properties is not None and properties.get("date1904") in ("1", "true")
            else datetime(1899, 12, 30)  # noqa: DTZ001
        )
        sheet = book.find(f"{_MAIN}sheets/{_MAIN}sheet")
        if sheet is None:
            raise TableError([_("The workbook has no sheet.")])
        targets = self._relationships(book_path)
        self.sheet_path = targets[sheet.get(_RELATIONSHIP, "")]
        self.strings = self._shared_strings(targets)
        self.percent_styles, self.date_styles = self._styles(targets)

    def _office_document(self) -> str:
        for relation in self._xml("_rels/.rels").iter(_PACKAGE_RELS):
            if relation.get("Type", "").endswith("/officeDocument"):
                return relation.get("Target", "").lstrip("/")
        return "xl/workbook.xml"

    def _relationships(self, path: str) -> dict[str, str]:
        rels = join(dirname(path), "_rels", path.rsplit("/", 1)[-1] + ".rels")
        targets = {}
        for relation in self._xml(rels).iter(_PACKAGE_RELS):
            target = relation.get("Target", "")
            resolved = target.lstrip("/") if target.startswith("/") else normpath(join(dirname(path), target))
            targets[relation.get("Id", "")] = resolved
            targets[relation.get("Type", "").rsplit("/", 1)[-1]] = resolved
        return targets

    def _xml(self, path: str) -> Element:
        with self._open(path) as stream:
            root: Element | None = None
            for _event, element in iterparse(stream, events=("end",)):
                root = element
            assert root is not None
            return root

    def _open(self, path: str) -> _Bounded:
        info = self.archive.getinfo(path)
        if info.file_size > MAX_XML_BYTES:
            raise TableError([_too_large_message()])
        return _Bounded(self.archive.open(info), MAX_XML_BYTES)

    def _shared_strings(self, targets: dict[str, str]) -> list[str]:
        path = targets.get("sharedStrings")
        if path is None or path not in self.archive.namelist():
            return []
        strings = []
        with self._open(path) as stream:
            for _event, element in iterparse(stream, events=("end",)):
                if element.tag == f"{_MAIN}si":
                    # Plain text, or rich-text runs; never the phonetic guide (rPh) of East Asian text.
                    parts = [t.text or "" for t in element.findall(f"{_MAIN}t")]
                    parts += [t.text or "" for t in element.findall(f"{_MAIN}r/{_MAIN}t")]
                    strings.append("".join(parts))
                    element.clear()
        return strings

    def _styles(self, targets: dict[str, str]) -> tuple[set[int], set[int]]:
        path = targets.get("styles")
        if path is None or path not in self.archive.namelist():
            return set(), set()
        styles = self._xml(path)
        formats: dict[int, str] = BUILTIN_FORMATS | _ZH_CN_FORMATS
        for number_format in styles.iter(f"{_MAIN}numFmt"):
            formats[int(number_format.get("numFmtId", "0"))] = number_format.get("formatCode", "")
        percent, dates = set(), set()
        cell_formats = styles.find(f"{_MAIN}cellXfs")
        for index, xf in enumerate(cell_formats if cell_formats is not None else []):
            code = formats.get(int(xf.get("numFmtId", "0")), "")
            if _PERCENT_FORMAT.search(code):
                percent.add(index)
            elif is_date_format(code) and not _is_time_format(code):
                dates.add(index)
        return percent, dates

    def first_sheet_lines(self) -> list[tuple[int, list[str]]]:
        sheet = _SheetReader(self)
        with self._open(self.sheet_path) as stream:
            sheet.read(stream)
        if sheet.errors:
            raise TableError(sheet.errors)
        return [
            (number, [cells.get(column, "") for column in range(max(cells) + 1)])
            for number, cells in sorted(sheet.rows.items())
        ]

    def cell_text(self, cell: _Cell, errors: list[str]) -> str:
        """What a cell shows, as text; a problem with it goes to ``errors``."""
        raw = "".join(cell.text)
        if cell.kind == "inlineStr":
            return raw.strip()
        if not raw:
            if cell.has_formula:
                errors.append(
                    _(
                        "Cell %(cell)s holds a formula without a saved value: open the file in Excel or WPS, save it, and upload it again."
                    )
                    % {"cell": _cell_name(cell.row, cell.column)}
                )
            return ""
        if cell.kind == "s":
            return self.strings[int(raw)].strip()
        if cell.kind in ("str", "d"):
            return raw.strip()
        if cell.kind == "b":
            return "TRUE" if raw == "1" else "FALSE"
        if cell.kind == "e":
            errors.append(
                _("Cell %(cell)s holds the error %(error)s.")
                % {"cell": _cell_name(cell.row, cell.column), "error": raw}
            )
            return ""
        try:
            number = _EXCEL_PRECISION.create_decimal(raw)
        except InvalidOperation:
            return raw.strip()
        if cell.style in self.percent_styles:
            return f"{number_text(number * 100)}%"
        if cell.style in self.date_styles:
            try:
                moment = self.epoch + timedelta(days=float(number))
            except OverflowError:
                return number_text(number)
            return moment.date().isoformat()
        return number_text(number)


@dataclass(slots=True)
class _Cell:
    row: int
    column: int
    kind: str
    style: int
    text: list[str]
    has_formula: bool = False


class _SheetReader:
    """A sheet's cells by expat's callbacks: no element tree, so a sheet of 200,000 rows streams
    through in constant memory (iterparse built and dropped an element per cell, twice as slow)."""

    def __init__(self, workbook: _Workbook) -> None:
        self.workbook = workbook
        self.rows: dict[int, dict[int, str]] = {}
        self.errors: list[str] = []
        self.row_number = 0
        self.column = -1
        self.cell: _Cell | None = None
        self.collecting = False
        self.phonetic = False

    def read(self, stream: _Bounded) -> None:
        parser = ParserCreate()
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.characters
        parser.StartDoctypeDeclHandler = self.doctype
        parser.buffer_text = True
        try:
            parser.ParseFile(stream)
        except ExpatError as error:
            raise TableError(
                [_("The file is not an Excel workbook (.xlsx) we can read: %(error)s") % {"error": error}]
            ) from error

    def doctype(self, *_args: object) -> None:
        raise TableError([_("The file is not an Excel workbook (.xlsx) we can read: %(error)s") % {"error": "DOCTYPE"}])

    def start(self, name: str, attributes: dict[str, str]) -> None:
        tag = name.rpartition(":")[2]  # some writers prefix the namespace (x:row)
        if tag == "c":
            reference = _CELL_REFERENCE.fullmatch(attributes.get("r", ""))
            self.column = _column_index(reference[1]) if reference else self.column + 1
            self.cell = _Cell(
                row=self.row_number,
                column=self.column,
                kind=attributes.get("t", "n"),
                style=int(attributes.get("s") or 0),
                text=[],
            )
        elif self.cell is not None and tag in ("v", "t"):
            if tag == "v" or (self.cell.kind == "inlineStr" and not self.phonetic):
                self.collecting = True
        elif tag == "f" and self.cell is not None:
            self.cell.has_formula = True
        elif tag == "row":
            self.row_number = int(attributes.get("r") or self.row_number + 1)
            self.column = -1
        elif tag == "rPh":
            self.phonetic = True  # the reading guide beside East Asian text is not the text
        elif tag == "mergeCell":
            self.errors.append(
                _("Cells %(range)s are merged: unmerge them and fill in every cell.")
                % {"range": attributes.get("ref", "")}
            )

    def end(self, name: str) -> None:
        tag = name.rpartition(":")[2]
        if tag in ("v", "t"):
            self.collecting = False
        elif tag == "rPh":
            self.phonetic = False
        elif tag == "c" and self.cell is not None:
            cell, self.cell = self.cell, None
            text = self.workbook.cell_text(cell, self.errors)
            if text:
                if cell.column >= MAX_COLUMNS:
                    raise TableError(
                        [
                            _("Cell %(cell)s: a file may have at most %(columns)s columns.")
                            % {"cell": _cell_name(cell.row, cell.column), "columns": MAX_COLUMNS}
                        ]
                    )
                self.rows.setdefault(cell.row, {})[cell.column] = text
                if len(self.rows) > MAX_ROWS + 1:
                    raise TableError([_too_many_rows_message()])

    def characters(self, data: str) -> None:
        if self.collecting and self.cell is not None:
            self.cell.text.append(data)


class _Bounded(io.RawIOBase):
    """A stream that refuses to give more than ``limit`` bytes: a zip bomb stops as it inflates."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self.stream, self.left = stream, limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.stream.read(len(buffer))
        self.left -= len(data)
        if self.left < 0:
            raise TableError([_too_large_message()])
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.stream.close()
        super().close()


# --- Both ------------------------------------------------------------------------------------


def _too_many_rows_message() -> str:
    return _("The file has more than %(rows)s rows: split it into smaller files.") % {"rows": f"{MAX_ROWS:,}"}


def _table(lines: Iterator[tuple[int, list[str]]]) -> Table:
    header, errors = _header(lines)
    rows, row_errors = _rows(lines, header)
    errors += row_errors
    if errors:
        raise TableError(errors)
    return Table(header=header, rows=rows)


NUL = "\x00"  # the one character a text may not hold: PostgreSQL refuses it


def _header(lines: Iterator[tuple[int, list[str]]]) -> tuple[list[str], list[str]]:
    """The column names of the first line, and what is wrong with them."""
    header_line = next(lines, None)
    if header_line is None or not any(cell.strip() for cell in header_line[1]):
        raise TableError([_("The file is empty: it needs a header row.")])
    header = [cell.strip() for cell in header_line[1]]
    while header and not header[-1]:  # empty cells right of the last column
        header.pop()
    if len(header) > MAX_COLUMNS:
        raise TableError([_("Row 1: a file may have at most %(columns)s columns.") % {"columns": MAX_COLUMNS}])
    errors = [
        _("Row 1: column %(position)s has no name") % {"position": position}
        for position, name in enumerate(header, start=1)
        if not name
    ]
    duplicates = sorted({name for name in header if name and header.count(name) > 1})
    if duplicates:
        errors.append(_("Row 1: column “%(column)s” appears twice") % {"column": ", ".join(duplicates)})
    return header, errors


def _rows(lines: Iterator[tuple[int, list[str]]], header: list[str]) -> tuple[list[Row], list[str]]:
    """The data rows by their column names, and the rows longer than the header."""
    rows: list[Row] = []
    errors: list[str] = []
    for number, line in lines:
        cells = [cell.strip() for cell in line]
        while len(cells) > len(header) and not cells[-1]:
            cells.pop()  # empty cells right of the header's last column
        if not any(cells):
            continue  # blank lines, e.g. at the end of a spreadsheet export
        if len(rows) >= MAX_ROWS:
            raise TableError([_too_many_rows_message()])
        if len(cells) > len(header):
            errors.append(
                _("Row %(row)s: %(found)s cells but the header has %(expected)s columns")
                % {"row": number, "found": len(cells), "expected": len(header)}
            )
            continue
        padded = cells + [""] * (len(header) - len(cells))
        held = [name for name, cell in zip(header, padded, strict=True) if NUL in cell]
        if held:  # no database column can store it
            errors.append(
                _("Row %(row)s, column “%(column)s”: a text may not contain the character NUL (\\0)")
                % {"row": number, "column": held[0]}
            )
            continue
        rows.append(Row(number=number, cells=dict(zip(header, padded, strict=True))))
    return rows, errors


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
