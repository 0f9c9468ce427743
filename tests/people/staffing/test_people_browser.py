"""HR's people pages in a real browser: a roster with a bad row, the list, a department's plan."""

from decimal import Decimal

import pytest
from playwright.sync_api import FilePayload, Page

from people.models import Role, User
from people.staffing.roster import ROSTER_COLUMNS
from plans.models import Assignment
from tests.conftest import browser_login
from tests.factories import publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROSTER = (
    ",".join(ROSTER_COLUMNS)
    + "\n"
    + (
        "li.lei,李雷,客户一部,wang.fang,customer-manager,2026-01,2000,6000\n"
        "lin.feng,林峰,客户二部,zhao.lei,customer-manager,2026-13,2000,6000\n"
        "luo.na,罗娜,客户二部,zhao.lei,,,,\n"
    )
)


def upload(page: Page, text: str) -> None:
    page.goto("/people/roster/")
    page.get_by_label("Roster file").set_input_files(
        FilePayload(name="roster.csv", mimeType="text/csv", buffer=text.encode())
    )
    page.get_by_role("button", name="Import").click()
    page.wait_for_load_state()


def test_hr_fixes_a_roster_lists_a_department_and_assigns_it_a_plan(page: Page) -> None:
    publish()
    User.objects.create_user(username="hr", password="secret-pass-1", role=Role.HR, display_name="孙丽")
    browser_login(page, "hr", "secret-pass-1")
    page.get_by_role("link", name="People").first.click()
    page.get_by_role("link", name="Upload a roster").click()

    upload(page, ROSTER)
    alert = page.get_by_role("alert")
    assert "1 problem to fix" in alert.inner_text()
    assert "Row 3, start: “2026-13” is not a month like 2026-01" in alert.inner_text()
    assert not User.objects.filter(username="li.lei").exists()

    upload(page, ROSTER.replace("2026-13", "2026-02"))
    page.wait_for_url("**/people/")
    assert "People: 5 new, 0 updated. Assignments: 2 new, 0 updated." in page.get_by_role("alert").inner_text()

    # Filter with the keyboard: choose the department, then Enter on the button.
    page.get_by_label("Department").select_option(label="客户二部")
    page.get_by_role("button", name="Filter").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/people/?department=*")
    shown = page.locator("table tbody tr").all_inner_texts()
    assert [row.split("\t")[2] for row in shown] == ["lin.feng", "luo.na"]  # after the tick box and the name

    page.get_by_role("link", name="Assign a department").click()
    page.get_by_label("Department").select_option(label="客户二部")
    page.get_by_label("Plan").select_option(label="客户管理员绩效方案")
    page.get_by_label("First month").fill("2026-04")
    page.get_by_label("Monthly bonus").fill("1800")
    page.get_by_label("Quarterly bonus").fill("5400")
    page.get_by_role("button", name="Preview").click()

    # The preview first: lin.feng is on the plan already, with amounts of his own: kept, unless
    # HR ticks "Overwrite everyone's amounts". Nothing is saved yet.
    preview = page.locator("#assign-preview")
    assert "lin.feng" not in preview.inner_text()  # people by name
    assert "their own, kept" in preview.locator("tr", has_text="林峰").inner_text()
    assert not Assignment.objects.filter(employee__username="luo.na").exists()
    page.get_by_role("button", name="Confirm and save").click()

    page.wait_for_url("**/people/?department=*")
    assert "Plan assigned. New assignments: 1, changed: 0, unchanged: 1." in page.locator(".alert-success").inner_text()
    luo = page.locator("table tbody tr").filter(has_text="luo.na").inner_text()
    assert "April 2026" in luo and "¥1,800.00" in luo and "¥5,400.00" in luo
    assignment = Assignment.objects.get(employee__username="luo.na")
    assert (assignment.start, assignment.monthly_bonus) == ("2026-04", Decimal("1800"))
