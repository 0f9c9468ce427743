"""Reading CSV and Excel files into the same table."""

import io

import openpyxl
import pytest

from plans.tabular import TableError, table_read, table_read_upload


def workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_excel_sheet_reads_like_the_same_csv():
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


def test_a_file_that_is_not_a_workbook_is_refused_with_a_message():
    with pytest.raises(TableError, match="not an Excel workbook"):
        table_read_upload(name="team.xlsx", data=b"employee,period\n")


def test_a_csv_upload_with_a_bom_reads_as_csv():
    table = table_read_upload(name="team.csv", data="\ufeffemployee,period\nli.lei,2026-01\n".encode())
    assert table.rows[0].cells == {"employee": "li.lei", "period": "2026-01"}


def test_a_row_longer_than_the_header_is_refused_with_its_number():
    with pytest.raises(TableError) as error:
        table_read("employee,period\nli.lei,2026-01,extra\n")
    assert error.value.errors == ["Row 2: 3 cells but the header has 2 columns"]
