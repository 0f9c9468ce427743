"""Reading CSV and Excel files as real spreadsheets save them (SPEC.md section 7)."""

import io
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest

from plans import tabular
from plans.tabular import TableError, table_read, table_read_upload

FILES = Path(__file__).resolve().parent.parent / "files"
ROSTER_ROWS = [
    {
        "employee": "li.lei",
        "name": "李雷",
        "department": "客户部",
        "manager": "wang.fang",
        "plan": "customer-manager",
        "start": "2026-01",
        "monthly_bonus": "2000",
        "quarterly_bonus": "6000",
    },
    {
        "employee": "han.mei",
        "name": "韩梅梅",
        "department": "客户部",
        "manager": "wang.fang",
        "plan": "customer-manager",
        "start": "2026-02",
        "monthly_bonus": "2000",
        "quarterly_bonus": "6000",
    },
]


def workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(name: str) -> tabular.Table:
    return table_read((FILES / name).read_bytes())


def test_an_excel_sheet_reads_like_the_same_csv() -> None:
    data = workbook(
        [
            ["employee", "period", "satisfaction", "new_customers"],
            ["li.lei", "2026-01", 8.6, 4],
            [None, None, None, None],
            ["han.mei", "2026-02", 9.9, None],
        ]
    )
    table = table_read_upload(name="team.XLSX", data=data)
    assert table.header == ["employee", "period", "satisfaction", "new_customers"]
    assert [(row.number, row.cells) for row in table.rows] == [
        (2, {"employee": "li.lei", "period": "2026-01", "satisfaction": "8.6", "new_customers": "4"}),
        (4, {"employee": "han.mei", "period": "2026-02", "satisfaction": "9.9", "new_customers": ""}),
    ]


@pytest.mark.parametrize("name", ["roster-gb18030.csv", "roster-utf8-bom.csv", "roster-utf16.txt"])
def test_a_roster_with_chinese_names_reads_in_every_encoding_excel_saves(name: str) -> None:
    table = read(name)
    assert [row.cells for row in table.rows] == ROSTER_ROWS
    assert [row.number for row in table.rows] == [2, 3]


def test_a_file_is_told_apart_by_its_content_not_its_name() -> None:
    assert table_read_upload(name="team.txt", data=b"employee,period\nli.lei,2026-01\n").rows[0].cells == {
        "employee": "li.lei",
        "period": "2026-01",
    }
    with pytest.raises(TableError, match="not an Excel workbook"):
        table_read_upload(name="team.xlsx", data=b"employee,period\n")
    data = workbook([["employee", "period"], ["li.lei", "2026-01"]])
    assert table_read_upload(name="team.csv", data=data).rows[0].cells["employee"] == "li.lei"


def test_a_binary_file_or_an_unknown_encoding_is_refused_saying_how_to_save_it() -> None:
    with pytest.raises(TableError, match="CSV UTF-8"):
        table_read(b"\x00\x01\x02\x03 not text")
    with pytest.raises(TableError, match="not an Excel workbook"):
        table_read(b"PK\x03\x04 broken zip")


def test_a_workbook_as_excel_writes_it_shared_strings_styles_and_the_first_sheet() -> None:
    table = read("roster-excel.xlsx")
    assert table.header == ["employee", "name", "start", "monthly_bonus"]
    # The phonetic guide Excel keeps beside Chinese text is not part of the name; the date is a date.
    assert [(row.number, row.cells) for row in table.rows] == [
        (2, {"employee": "li.lei", "name": "李雷", "start": "2026-04-01", "monthly_bonus": "2500.5"})
    ]


@pytest.mark.parametrize("name", ["metrics-lying-dimension.xlsx", "metrics-stale-dimension.xlsx"])
def test_the_size_a_sheet_declares_is_not_trusted(name: str) -> None:
    table = read(name)
    assert [row.cells["employee"] for row in table.rows] == ["li.lei", "han.mei"]
    assert table.rows[1].cells["churn.total"] == "40"


def test_a_sheet_claiming_a_million_rows_by_16384_columns_reads_its_10000_rows_in_little_memory() -> None:
    rows = "".join(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>p{n}</t></is></c><c r="B{n}"><v>{n}</v></c></row>'
        for n in range(2, 10_002)
    )
    data = _sheet_workbook('<dimension ref="A1:XFD1048576"/>', header=("employee", "value"), rows=rows)
    assert len(data) < 200_000
    tracemalloc.start()
    try:
        table = table_read(data)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(table.rows) == 10_000
    assert table.rows[-1].cells == {"employee": "p10001", "value": "10001"}
    assert peak < 100 * 1024 * 1024


def _sheet_workbook(dimension: str, *, header: tuple[str, ...], rows: str) -> bytes:
    head = "".join(f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{name}</t></is></c>' for i, name in enumerate(header))
    out = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(workbook([["x"]])))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = (
                    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    f'{dimension}<sheetData><row r="1">{head}</row>{rows}</sheetData></worksheet>'
                ).encode()
            archive.writestr(item, content)
    return out.getvalue()


def test_merged_cells_are_refused_naming_the_range() -> None:
    with pytest.raises(TableError) as error:
        read("roster-merged.xlsx")
    assert error.value.messages == ["Cells C2:C3 are merged: unmerge them and fill in every cell."]


def test_a_formula_is_read_by_its_cached_value_and_refused_without_one() -> None:
    assert read("metrics-formula-cached.xlsx").rows[1].cells["satisfaction"] == "9.1"
    with pytest.raises(TableError) as error:
        read("metrics-formula-uncached.xlsx")
    assert error.value.messages == [
        "Cell C3 holds a formula without a saved value: open the file in Excel or WPS, save it, and upload it again."
    ]


def test_a_percentage_cell_reads_as_the_percentage_and_a_date_as_its_day() -> None:
    cells = read("metrics-percent-date.xlsx").rows[0].cells
    assert cells["churn"] == "12.9032%"
    assert cells["period"] == "2026-04-01"
    assert cells["feedback.ok"] == "46"


def test_an_error_value_is_refused_naming_the_cell() -> None:
    rows = '<row r="2"><c r="A2" t="inlineStr"><is><t>li.lei</t></is></c><c r="B2" t="e"><v>#DIV/0!</v></c></row>'
    with pytest.raises(TableError) as error:
        table_read(_sheet_workbook("", header=("employee", "value"), rows=rows))
    assert error.value.messages == ["Cell B2 holds the error #DIV/0!."]


def test_too_many_rows_or_columns_are_refused_with_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "MAX_ROWS", 3)
    text = "employee\n" + "".join(f"p{n}\n" for n in range(4))
    with pytest.raises(TableError, match="more than 3 rows"):
        table_read(text.encode())
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 7))
    with pytest.raises(TableError, match="more than 3 rows"):
        table_read(_sheet_workbook("", header=("value",), rows=rows))
    with pytest.raises(TableError, match="at most 200 columns"):
        table_read((",".join(f"c{n}" for n in range(201)) + "\n").encode())
    wide = '<row r="2"><c r="HA2"><v>1</v></c></row>'  # column 209
    with pytest.raises(TableError, match="Cell HA2: a file may have at most 200 columns"):
        table_read(_sheet_workbook("", header=("value",), rows=wide))


def test_a_file_over_50_mb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", 10)
    with pytest.raises(TableError, match="larger than"):
        table_read(b"employee,period\nli.lei,2026-01\n")


def test_a_zip_bomb_stops_as_it_inflates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "MAX_XML_BYTES", 50_000)
    rows = "".join(f'<row r="{n}"><c r="A{n}" s="0"/></row>' for n in range(2, 5000))
    with pytest.raises(TableError, match="larger than"):
        table_read(_sheet_workbook("", header=("value",), rows=rows))


def test_an_unclosed_quote_is_refused_not_swallowed() -> None:
    with pytest.raises(TableError, match="a quote may be left open"):
        table_read(b'employee,period\nli.lei,"2026-01\nhan.mei,2026-02\n')


def test_trailing_empty_columns_and_rows_are_ignored() -> None:
    table = table_read(b"employee,period,,\r\nli.lei,2026-01,,\r\n,,,\r\n")
    assert table.header == ["employee", "period"]
    assert [row.cells for row in table.rows] == [{"employee": "li.lei", "period": "2026-01"}]


def test_a_row_longer_than_the_header_is_refused_with_its_number() -> None:
    with pytest.raises(TableError) as error:
        table_read("employee,period\nli.lei,2026-01,extra\n")
    assert error.value.messages == ["Row 2: 3 cells but the header has 2 columns"]


def test_a_column_without_a_name_is_refused() -> None:
    with pytest.raises(TableError, match="Row 1: column 2 has no name"):
        table_read("employee,,period\nli.lei,x,2026-01\n")


def test_an_inline_string_keeps_its_text_not_its_phonetic_guide() -> None:
    rows = (
        '<row r="2"><c r="A2" t="inlineStr"><is><r><t>李</t></r><r><t>雷</t></r>'
        '<rPh sb="0" eb="2"><t>リーレイ</t></rPh></is></c></row>'
    )
    table = table_read(_sheet_workbook("", header=("name",), rows=rows))
    assert table.rows[0].cells == {"name": "李雷"}


def test_a_sheet_written_with_a_namespace_prefix_reads_the_same() -> None:
    rows = '<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>li.lei</x:t></x:is></x:c><x:c r="B2"><x:v>8.6</x:v></x:c></x:row>'
    data = _sheet_workbook("", header=("employee", "value"), rows="")
    # The header row is plain; the data row prefixed, as some writers do.
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                    b'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
                ).replace(b"</sheetData>", rows.encode() + b"</sheetData>")
            archive.writestr(item, content)
    assert table_read(out.getvalue()).rows[0].cells == {"employee": "li.lei", "value": "8.6"}


def test_a_nul_character_past_the_files_start_is_refused_naming_its_row_and_column() -> None:
    """The first 4 KB tell a binary file; a NUL further down is one cell's, and no column holds it."""
    lines = ["employee,period,satisfaction", *(f"e{n:04d},2026-01,9" for n in range(400)), "li.lei,2026-01,9\x00"]
    with pytest.raises(TableError) as refused:
        table_read(("\n".join(lines) + "\n").encode())
    assert refused.value.messages == ["Row 402, column “satisfaction”: a text may not contain the character NUL (\\0)"]
