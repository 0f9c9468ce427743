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


# --- The refusals, word for word, at and just past each bound ----------------------------------

SAVE_AS_UTF8 = (
    "Save it from Excel or WPS as “CSV UTF-8 (逗号分隔)” or as an Excel workbook (.xlsx), then upload it again."
)


def refusal(data: bytes | str) -> list[str]:
    with pytest.raises(TableError) as refused:
        table_read(data)
    return refused.value.messages


@pytest.mark.parametrize("name", ["team.xlsx", "team.xlsm", "TEAM.XLSM"])
def test_a_workbook_name_on_a_file_that_is_not_one_is_refused_saying_so(name: str) -> None:
    with pytest.raises(TableError) as refused:
        table_read_upload(name=name, data=b"employee,period\nli.lei,2026-01\n")
    assert refused.value.messages == ["The file is not an Excel workbook (.xlsx): save it again from Excel or WPS."]


def test_a_file_may_be_as_large_as_the_limit_and_not_a_byte_more(monkeypatch: pytest.MonkeyPatch) -> None:
    data = b"employee,period\nli.lei,2026-01\n"
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", len(data))
    assert table_read(data).rows[0].cells == {"employee": "li.lei", "period": "2026-01"}
    monkeypatch.setattr(tabular, "MAX_FILE_BYTES", len(data) - 1)
    # The message gives the limit in whole MB, rounded down: 0 for this test's limit of a few bytes.
    assert refusal(data) == ["The file is larger than 0 MB: split it into smaller files."]


def test_a_binary_file_is_told_by_a_nul_in_its_first_4096_bytes() -> None:
    assert refusal(b"\x00\x01\x02\x03 not text") == [
        "The file is not a text (CSV) file or an Excel workbook. " + SAVE_AS_UTF8
    ]
    header = b"employee,note\n"
    filler = b"li.lei," + b"x" * (4096 - len(header) - len(b"li.lei,")) + b"\n"
    # Byte 4096 (counting from 0) is past the bytes looked at: the NUL is one cell's.
    data = header + filler[:-1] + b"\x00\n"
    assert len(header + filler[:-1]) == 4096
    assert refusal(data) == ["Row 2, column “note”: a text may not contain the character NUL (\\0)"]
    assert refusal(header + filler[:-2] + b"\x00\n") == [
        "The file is not a text (CSV) file or an Excel workbook. " + SAVE_AS_UTF8
    ]


def test_bytes_neither_utf8_nor_gb18030_are_refused_saying_how_to_save_the_file() -> None:
    assert refusal(b"employee\n\x80x\n") == ["The file's characters are in an encoding we cannot read. " + SAVE_AS_UTF8]


@pytest.mark.parametrize(
    "data",
    [
        "employee\t姓名\nli.lei\t李雷\n".encode("utf-16-le").join([b"\xff\xfe", b""]),  # Unicode text, LE
        "employee\t姓名\nli.lei\t李雷\n".encode("utf-16-be").join([b"\xfe\xff", b""]),  # Unicode text, BE
        "employee,姓名\r\nli.lei,李雷\r\n".encode(),  # UTF-8 without a BOM
        "employee,姓名\r\nli.lei,李雷\r\n".encode("utf-8-sig"),
        "employee,姓名\r\nli.lei,李雷\r\n".encode("gb18030"),
        "\ufeffemployee,姓名\nli.lei,李雷\n",  # text already decoded, its BOM kept
    ],
)
def test_every_encoding_and_separator_excel_saves_reads_the_same(data: bytes | str) -> None:
    table = table_read(data)
    assert table.header == ["employee", "姓名"]
    assert [(row.number, row.cells) for row in table.rows] == [(2, {"employee": "li.lei", "姓名": "李雷"})]


def test_the_separator_is_told_by_the_header_line_alone() -> None:
    # Tabs in the header, a comma in a later cell: tab-separated.
    assert table_read("employee\tnote\nli.lei\ta, b\n").rows[0].cells == {"employee": "li.lei", "note": "a, b"}
    # A header with neither: commas, so a later comma splits the row.
    assert refusal("employee\nli.lei,extra\n") == ["Row 2: 2 cells but the header has 1 columns"]
    # A stray tab in a comma-separated header does not make it tab-separated.
    assert table_read("employee,period\t\nli.lei,2026-01\n").header == ["employee", "period"]


def test_old_mac_line_ends_and_line_breaks_inside_a_quoted_cell_are_kept() -> None:
    assert [row.cells for row in table_read(b"employee,period\rli.lei,2026-01\rhan.mei,2026-02\r").rows] == [
        {"employee": "li.lei", "period": "2026-01"},
        {"employee": "han.mei", "period": "2026-02"},
    ]
    table = table_read(b'employee,comment\r\nli.lei,"line one\r\nline two"\r\nhan.mei,ok\r\n')
    assert [row.cells["comment"] for row in table.rows] == ["line one\r\nline two", "ok"]


def test_a_row_after_a_line_break_in_a_quoted_cell_has_the_number_a_spreadsheet_shows() -> None:
    # Excel shows li.lei's two-line comment in one row, row 2, and han.mei on row 3: not line 4.
    assert refusal('employee,comment\nli.lei,"a\nb"\nhan.mei,x,extra\n') == [
        "Row 3: 3 cells but the header has 2 columns"
    ]


def test_rows_are_numbered_by_record_after_several_cells_broken_over_lines() -> None:
    text = (
        "employee,comment\r\n"
        'li.lei,"line one\r\nline two\r\nline three"\r\n'  # row 2, lines 2 to 4
        'han.mei,"one\ntwo"\r\n'  # row 3, lines 5 and 6
        "wang\x00fang,ok\r\n"  # row 4, line 7
        "zhao,ok,extra\r\n"  # row 5, line 8
    )
    assert refusal(text) == [
        "Row 4, column “employee”: a text may not contain the character NUL (\\0)",
        "Row 5: 3 cells but the header has 2 columns",
    ]
    table = table_read(text.replace("\x00", "").replace(",extra", ""))
    assert [(row.number, row.cells["employee"]) for row in table.rows] == [
        (2, "li.lei"),
        (3, "han.mei"),
        (4, "wangfang"),
        (5, "zhao"),
    ]


def test_rows_without_line_breaks_in_their_cells_keep_their_line_numbers() -> None:
    # A blank line is a row of the spreadsheet too: the rows after it keep their numbers.
    table = table_read('employee,comment\nli.lei,"a, b"\n\nhan.mei,x\nwang.fang,""\n')
    assert [(row.number, row.cells["employee"]) for row in table.rows] == [
        (2, "li.lei"),
        (4, "han.mei"),
        (5, "wang.fang"),
    ]
    assert refusal('employee,comment\nli.lei,"a"\nhan.mei,x\nwang.fang,y,z\n') == [
        "Row 4: 3 cells but the header has 2 columns"
    ]


def test_an_open_quote_after_a_multi_line_cell_names_the_line_where_the_file_ends() -> None:
    # The reader could make no row of it: the line where it stopped (the file's fourth, where han.mei's
    # row 3 starts and the file ends) is what there is to name.
    assert refusal(b'employee,comment\nli.lei,"a\nb"\nhan.mei,"open\n') == [
        "Row 4: the file is not a readable CSV file (unexpected end of data); a quote may be left open."
    ]


def test_an_open_quote_is_refused_naming_the_row_where_the_file_ends() -> None:
    assert refusal(b'employee,period\nli.lei,"2026-01\nhan.mei,2026-02\n') == [
        "Row 3: the file is not a readable CSV file (unexpected end of data); a quote may be left open."
    ]


@pytest.mark.parametrize("data", [b"", b"\n", b" , ,\nli.lei\n", "\ufeff"])
def test_a_file_without_a_header_is_refused_as_empty(data: bytes | str) -> None:
    assert refusal(data) == ["The file is empty: it needs a header row."]


def test_a_header_may_have_200_columns_and_not_201() -> None:
    names = [f"c{n}" for n in range(1, 202)]
    assert len(table_read(",".join(names[:200]) + ",,\n").header) == 200
    assert refusal(",".join(names) + "\n") == ["Row 1: a file may have at most 200 columns."]


def test_header_names_missing_or_given_twice_are_refused_each() -> None:
    assert refusal("employee,,period,period,employee,x,x,x\nli.lei\n") == [
        "Row 1: column 2 has no name",
        "Row 1: column “employee, period, x” appears twice",
    ]


def test_a_blank_line_between_rows_is_passed_over_and_the_rows_after_it_read() -> None:
    table = table_read("employee,period\nli.lei,2026-01\n\n , \nhan.mei,2026-02\n")
    assert [(row.number, row.cells["employee"]) for row in table.rows] == [(2, "li.lei"), (5, "han.mei")]


def test_every_faulty_row_is_reported_not_only_the_first() -> None:
    text = "employee,period\nli.lei,2026-01,x\nhan.mei,2026-02\nwang\x00fang,2026-01\nzhao,2026-01,y,z\n"
    assert refusal(text) == [
        "Row 2: 3 cells but the header has 2 columns",
        "Row 4, column “employee”: a text may not contain the character NUL (\\0)",
        "Row 5: 4 cells but the header has 2 columns",
    ]


def test_a_file_may_have_max_rows_data_rows_and_not_one_more(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tabular, "MAX_ROWS", 1_000)
    lines = ["employee", *(f"p{n}" for n in range(1_000))]
    assert len(table_read("\n".join(lines) + "\n\n").rows) == 1_000
    assert refusal("\n".join([*lines, "p1000"])) == ["The file has more than 1,000 rows: split it into smaller files."]


# --- A fixed header, and the messages other modules build ------------------------------------


def test_a_fixed_header_reports_missing_columns_then_unknown_ones() -> None:
    table = table_read("employee,period,score,remark\n")
    assert tabular.table_check_columns(table, required=["employee", "period"], optional=["score", "remark"]) == []
    assert tabular.table_check_columns(table, required=["employee", "period", "score", "remark"]) == []
    assert tabular.table_check_columns(table, required=["employee", "target", "period"], optional=["score"]) == [
        "Row 1: the column “target” is missing",
        "Row 1: unknown column “remark”",
    ]
    assert tabular.table_check_columns(table, required=["employee"]) == [
        "Row 1: unknown column “period”",
        "Row 1: unknown column “score”",
        "Row 1: unknown column “remark”",
    ]


def test_a_row_error_names_the_row_and_the_column_when_there_is_one() -> None:
    assert tabular.row_error(7, "score", "not a number") == "Row 7, score: not a number"
    assert tabular.row_error(7, "", "the employee is unknown") == "Row 7: the employee is unknown"
