"""Uploading a figures file: a template with the team, a preview, then all of it or nothing."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from metrics.models import ChangeSource, Cycle, CycleStatus, MetricChange, MetricEntry
from metrics.services import metrics_import
from tests.factories import csv_table
from tests.metrics import test_grid

team, wang = test_grid.team, test_grid.wang  # the grid's fixtures

HEADER = "employee,period,churn.lost,churn.total,satisfaction,new_customers,feedback.ok,feedback.total\n"


def upload(client, name: str, content: bytes):
    return client.post("/figures/upload/", {"file": SimpleUploadedFile(name, content)})


def test_the_csv_template_holds_the_team_and_the_month(wang):
    metrics_import(table=csv_table("employee,period,satisfaction\nli.lei,2026-02,9.2\n"))
    response = wang.get("/figures/2026-02/template.csv")
    assert response["Content-Disposition"] == 'attachment; filename="figures-2026-02.csv"'
    assert response.content.decode("utf-8-sig").splitlines() == [
        HEADER.strip(),
        "han.mei,2026-02,,,,,,",
        "li.lei,2026-02,,,9.2,,,",
    ]


def test_the_excel_template_holds_the_team_with_their_names(wang):
    response = wang.get("/figures/2026-02/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("employee", "period", "churn.lost")
    assert [row[:2] for row in rows[1:]] == [("han.mei", "2026-02"), ("li.lei", "2026-02")]
    assert sheet["A2"].comment.text == "韩梅梅"


def test_a_filled_template_uploads_back_after_a_preview(wang):
    metrics_import(table=csv_table("employee,period,satisfaction\nli.lei,2026-02,9\n"))
    workbook = openpyxl.load_workbook(io.BytesIO(wang.get("/figures/2026-02/template.xlsx").content))
    sheet = workbook.active
    for column, value in zip("CDEFGH", [1, 52, 9.2, 3, 40, 44], strict=True):
        sheet[f"{column}3"] = value  # li.lei
    data = io.BytesIO()
    workbook.save(data)

    preview = upload(wang, "figures.xlsx", data.getvalue())
    text = preview.content.decode()
    assert "1 value changes, 3 new, 0 unchanged." in text
    assert "li.lei 2026-02 satisfaction: 9 → 9.2" in text
    assert MetricEntry.objects.count() == 1  # nothing saved by the preview

    applied = wang.post("/figures/upload/", {"apply": "1"}, follow=True)
    assert "figures.xlsx saved: 3 new values, 1 changed." in applied.content.decode()
    assert MetricEntry.objects.count() == 4
    assert set(MetricChange.objects.values_list("source", flat=True)) == {ChangeSource.UPLOAD, ChangeSource.IMPORT}


def test_a_file_with_a_bad_row_lists_it_by_number_and_saves_nothing(wang):
    text = HEADER + "li.lei,2026-02,1,52,9.2,3,40,44\nhan.mei,2026-02,0,30,lots,5,20,20\n"
    page = upload(wang, "figures.csv", text.encode()).content.decode()
    assert "Nothing was saved" in page
    assert "Row 3, satisfaction: “lots” is not a number" in page
    assert "Apply these changes" not in page
    assert wang.post("/figures/upload/", {"apply": "1"}, follow=True).status_code == 200
    assert MetricEntry.objects.count() == 0


def test_only_the_file_checked_last_can_be_applied(wang):
    upload(wang, "good.csv", (HEADER + "li.lei,2026-02,1,52,9.2,3,40,44\n").encode())
    upload(wang, "bad.csv", (HEADER + "li.lei,2026-02,1,52,lots,3,40,44\n").encode())
    page = wang.post("/figures/upload/", {"apply": "1"}, follow=True).content.decode()
    assert "Upload the file again: its preview has expired." in page
    assert MetricEntry.objects.count() == 0


def test_another_teams_employee_in_a_file_is_unknown(wang):
    text = HEADER + "li.lei,2026-02,1,52,9.2,3,40,44\nother.person,2026-02,1,52,9.2,3,40,44\n"
    page = upload(wang, "figures.csv", text.encode()).content.decode()
    assert "Row 3, employee: unknown employee “other.person”" in page
    assert MetricEntry.objects.count() == 0


def test_a_closed_month_in_a_file_is_refused(wang):
    Cycle.objects.create(period="2026-02", status=CycleStatus.CLOSED)
    page = upload(wang, "figures.csv", (HEADER + "li.lei,2026-02,1,52,9.2,3,40,44\n").encode()).content.decode()
    assert "Row 2, period: 2026-02 is closed" in page


def test_a_file_that_is_not_a_table_says_so(wang):
    page = upload(wang, "figures.xlsx", b"not a workbook").content.decode()
    assert "The file is not an Excel workbook" in page
    page = upload(wang, "figures.pdf", b"%PDF").content.decode()
    assert "Upload a .csv or .xlsx file." in page


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_template_holds_only_the_users_team(wang, extension):
    content = wang.get(f"/figures/2026-02/template.{extension}").content
    assert b"other.person" not in content
