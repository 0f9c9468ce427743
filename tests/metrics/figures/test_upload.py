"""Uploading a figures file: a template with the team, a preview, then all of it or nothing."""

import html
import io
import re
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from metrics.cycles.models import Cycle, CycleStatus
from metrics.figures.models import ChangeSource, MetricChange, MetricEntry, UploadPreview
from metrics.figures.services import metrics_import
from metrics.figures.uploads import PREVIEWS_KEPT
from people.models import Role
from plans.models import PlanVersion
from tests.factories import UserFactory, csv_table
from tests.metrics.figures import test_grid
from tests.typed import Response

team, wang = test_grid.team, test_grid.wang  # the grid's fixtures

HEADER = "employee,period,churn.lost,churn.total,satisfaction,new_customers,feedback.ok,feedback.total\n"


def upload(client: Client, name: str, content: bytes) -> Response:
    return client.post("/figures/upload/", {"file": SimpleUploadedFile(name, content)})


def token(preview: Response) -> str:
    """The preview's own token, as its Apply button posts it."""
    found = re.search(r'name="token" value="([^"]+)"', preview.content.decode())
    assert found is not None
    return found[1]


def apply(client: Client, preview: Response) -> Response:
    return client.post("/figures/upload/", {"apply": "1", "token": token(preview)}, follow=True)


def test_the_csv_template_holds_the_team_and_the_month(wang: Client) -> None:
    metrics_import(table=csv_table("employee,period,satisfaction\nli.lei,2026-02,9.2\n"))
    response = wang.get("/figures/2026-02/template.csv")
    assert response["Content-Disposition"] == 'attachment; filename="figures-2026-02.csv"'
    assert response.content.decode("utf-8-sig").splitlines() == [
        HEADER.strip(),
        "han.mei,2026-02,,,,,,",
        "li.lei,2026-02,,,9.2,,,",
    ]


def test_the_excel_template_holds_the_team_with_their_names(wang: Client) -> None:
    response = wang.get("/figures/2026-02/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("employee", "period", "churn.lost")
    assert [row[:2] for row in rows[1:]] == [("han.mei", "2026-02"), ("li.lei", "2026-02")]
    assert sheet["A2"].comment.text == "韩梅梅"


def test_a_filled_template_uploads_back_after_a_preview(wang: Client) -> None:
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

    applied = apply(wang, preview)
    assert "figures.xlsx saved: 3 new values, 1 changed." in applied.content.decode()
    assert applied.redirect_chain[-1][0] == "/figures/2026-02/"  # the month of the file
    assert MetricEntry.objects.count() == 4
    assert set(MetricChange.objects.values_list("source", flat=True)) == {ChangeSource.UPLOAD, ChangeSource.IMPORT}


def test_a_file_with_a_bad_row_lists_it_by_number_and_saves_nothing(wang: Client) -> None:
    text = HEADER + "li.lei,2026-02,1,52,9.2,3,40,44\nhan.mei,2026-02,0,30,lots,5,20,20\n"
    page = upload(wang, "figures.csv", text.encode()).content.decode()
    assert "Nothing was saved" in page
    assert "Row 3, satisfaction: “lots” is not a number" in page
    assert "Apply these changes" not in page
    assert wang.post("/figures/upload/", {"apply": "1"}, follow=True).status_code == 200
    assert MetricEntry.objects.count() == 0


def test_an_apply_without_its_preview_says_the_preview_expired(wang: Client) -> None:
    upload(wang, "good.csv", (HEADER + "li.lei,2026-02,1,52,9.2,3,40,44\n").encode())
    for data in ({"apply": "1"}, {"apply": "1", "token": "made-up"}):
        page = wang.post("/figures/upload/", data, follow=True).content.decode()
        assert "Upload the file again: its preview has expired." in page
    assert MetricEntry.objects.count() == 0


def test_each_preview_applies_its_own_file(wang: Client) -> None:
    # Two tabs: each previews a file, then tab 1 applies.
    first = upload(wang, "first.csv", (HEADER + "li.lei,2026-02,,,9.2,,,\n").encode())
    second = upload(wang, "second.csv", (HEADER + "li.lei,2026-02,,,7.7,,,\n").encode())
    assert "first.csv saved: 1 new values, 0 changed." in apply(wang, first).content.decode()
    assert MetricEntry.objects.get().value == Decimal("9.2")
    # Tab 2's file was previewed before tab 1's saved: its Apply is checked against that.
    page = apply(wang, second).content.decode()
    assert "Row 2, satisfaction: changed since the preview by wang.fang to 9.2" in page
    assert MetricEntry.objects.get().value == Decimal("9.2")


def test_an_apply_refuses_what_changed_since_its_preview_and_saves_nothing(wang: Client, team: PlanVersion) -> None:
    metrics_import(table=csv_table("employee,period,satisfaction\nli.lei,2026-02,8\n"))
    preview = upload(wang, "figures.csv", (HEADER + "li.lei,2026-02,,,7.7,3,,\n").encode())
    assert "li.lei 2026-02 satisfaction: 8 → 7.7" in preview.content.decode()
    hr = UserFactory.create(username="hr", role=Role.HR)
    metrics_import(table=csv_table("employee,period,satisfaction\nli.lei,2026-02,9.9\n"), user=hr)
    changes = MetricChange.objects.count()

    page = html.unescape(apply(wang, preview).content.decode())
    assert "Nothing was saved" in page
    assert (
        "Row 2, satisfaction: changed since the preview by hr to 9.9; check the file again to replace it with yours"
        in page
    )
    assert {e.indicator.code: e.value for e in MetricEntry.objects.select_related("indicator")} == {
        "satisfaction": Decimal("9.9")
    }
    assert MetricChange.objects.count() == changes
    # Checked again, the file replaces HR's value knowingly.
    again = upload(wang, "figures.csv", (HEADER + "li.lei,2026-02,,,7.7,3,,\n").encode())
    assert "li.lei 2026-02 satisfaction: 9.9 → 7.7" in again.content.decode()
    assert "figures.csv saved: 1 new values, 1 changed." in apply(wang, again).content.decode()


def test_a_user_keeps_only_their_latest_previews(wang: Client) -> None:
    previews = [upload(wang, f"f{n}.csv", (HEADER + f"li.lei,2026-02,,,{n},,,\n").encode()) for n in range(1, 8)]
    assert UploadPreview.objects.count() == PREVIEWS_KEPT
    assert "Upload the file again" in apply(wang, previews[0]).content.decode()
    assert "f7.csv saved" in apply(wang, previews[-1]).content.decode()


def test_an_upload_of_aprils_figures_goes_back_to_aprils_grid(wang: Client) -> None:
    preview = upload(wang, "april.csv", (HEADER + "li.lei,2026-04,,,9,,,\n").encode())
    assert apply(wang, preview).redirect_chain[-1][0] == "/figures/2026-04/"


def test_another_teams_employee_in_a_file_is_named_on_its_row(wang: Client) -> None:
    text = HEADER + "li.lei,2026-02,1,52,9.2,3,40,44\nother.person,2026-02,1,52,9.2,3,40,44\n"
    page = html.unescape(upload(wang, "figures.csv", text.encode()).content.decode())
    assert "Row 3, employee: “other.person” is not one of your reports" in page
    assert "unknown column" not in page
    assert MetricEntry.objects.count() == 0


def test_a_file_of_only_another_teams_or_unknown_people_names_them_not_its_columns(wang: Client) -> None:
    text = HEADER + "other.person,2026-02,1,52,9.2,3,40,44\nx,2026-02,1,52,9.2,3,40,44\n"
    page = html.unescape(upload(wang, "figures.csv", text.encode()).content.decode())
    assert "Row 2, employee: “other.person” is not one of your reports" in page
    assert "Row 3, employee: unknown employee “x”" in page
    assert "unknown column" not in page


def test_a_closed_month_in_a_file_is_refused(wang: Client) -> None:
    Cycle.objects.create(period="2026-02", status=CycleStatus.CLOSED)
    page = upload(wang, "figures.csv", (HEADER + "li.lei,2026-02,1,52,9.2,3,40,44\n").encode()).content.decode()
    assert "Row 2, period: 2026-02 is closed" in page


def test_a_file_that_is_not_a_table_says_so(wang: Client) -> None:
    page = upload(wang, "figures.xlsx", b"not a workbook").content.decode()
    assert "The file is not an Excel workbook" in page
    page = upload(wang, "figures.pdf", b"%PDF").content.decode()
    assert "Upload a .csv or .xlsx file." in page


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_the_template_holds_only_the_users_team(wang: Client, extension: str) -> None:
    content = wang.get(f"/figures/2026-02/template.{extension}").content
    assert b"other.person" not in content
