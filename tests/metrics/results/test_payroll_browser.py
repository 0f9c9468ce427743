"""In a real browser, in Chinese: HR opens a closed month's results, narrows them down, sorts,
pages and downloads the CSV for payroll."""

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from metrics.figures.services import metrics_import
from metrics.results import payroll
from people.models import Role, User
from people.staffing.roster import roster_import
from tests.factories import csv_table, publish
from tests.metrics.results.test_cycle_pages import close

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "secret-pass-1"
ROSTER = (
    "employee,name,department,manager,plan,start,monthly_bonus,quarterly_bonus\n"
    "li.lei,李雷,客户一部,wang.fang,customer-manager,2026-01,2000,6000\n"
    "han.mei,韩梅梅,客户一部,wang.fang,customer-manager,2026-01,2000,6000\n"
    "lin.feng,林峰,客户二部,zhao.lei,customer-manager,2026-01,2000,6000\n"
    "luo.na,罗娜,客户二部,zhao.lei,customer-manager,2026-01,2000,6000\n"
    "wu.di,吴迪,客户二部,zhao.lei,customer-manager,2026-01,2000,6000\n"
    "zhou.qi,周琪,客户二部,zhao.lei,customer-manager,2026-01,1800,6000\n"
)
# li.lei A; han.mei and zhou.qi B (76.91); lin.feng 20.99, luo.na 24.08, wu.di 27.16: C, a warning.
FIGURES = (
    "employee,period,churn.lost,churn.total,satisfaction,new_customers,feedback.ok,feedback.total\n"
    "li.lei,2026-01,2,50,8.6,4,46,48\n"
    "han.mei,2026-01,3,50,8,2,40,48\n"
    "lin.feng,2026-01,10,50,5,0,30,48\n"
    "luo.na,2026-01,10,50,6,0,30,48\n"
    "wu.di,2026-01,10,50,7,0,30,48\n"
    "zhou.qi,2026-01,3,50,8,2,40,48\n"
)


@pytest.fixture
def chinese_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A tab whose browser asks for Chinese, as HR's does."""
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def employees(page: Page) -> list[str]:
    return [row.split("\t")[0].strip() for row in page.locator("#results-table tbody tr").all_inner_texts()]


def test_hr_filters_sorts_pages_and_downloads_a_closed_months_results(
    chinese_page: Page, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(payroll, "RESULTS_PER_PAGE", 2)
    publish()
    roster_import(table=csv_table(ROSTER))
    metrics_import(table=csv_table(FIGURES))
    close("2026-01")
    User.objects.create_user(username="hr", password=PASSWORD, role=Role.HR, display_name="孙丽")
    page = chinese_page
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("hr")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    page.get_by_role("link", name="考核周期").first.click()
    page.get_by_role("link", name="2026年1月 的结果").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("2026年1月 的结果")
    expect(page.locator("#total-count")).to_have_text("6")
    assert employees(page) == ["han.mei", "li.lei"]

    page.get_by_label("部门", exact=True).select_option(label="客户二部")
    page.get_by_label("等级", exact=True).select_option(label="C")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/results/?*department=*")
    expect(page.locator("#total-count")).to_have_text("3")
    expect(page.locator("#totals-departments tbody")).to_have_text("客户二部 3 ¥0.00", use_inner_text=True)
    assert employees(page) == ["lin.feng", "luo.na"]
    expect(page.locator("#results-table tbody tr").first).to_contain_text("预警")

    # A click on 得分 sorts by it, a second the other way round: the best score first.
    page.get_by_role("link", name="得分", exact=True).click()
    expect(page.get_by_role("link", name="得分 ↑")).to_be_visible()
    page.get_by_role("link", name="得分 ↑").click()
    expect(page.get_by_role("link", name="得分 ↓")).to_be_visible()
    assert employees(page) == ["wu.di", "luo.na"]
    expect(page.get_by_text("第 1 页，共 2 页")).to_be_visible()
    page.get_by_role("link", name="下一页").click()
    expect(page.get_by_text("第 2 页，共 2 页")).to_be_visible()
    assert employees(page) == ["lin.feng"]
    row = page.locator("#results-table tbody tr").first
    expect(row).to_contain_text("林峰")
    expect(row).to_contain_text("客户管理员绩效方案，版本 1")
    expect(row).to_contain_text("20.99")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载 CSV").click()
    assert download.value.suggested_filename == "scores-2026-01.csv"
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # so that Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:7] == ["employee", "period", "score", "band", "payout", "bonus", "flags"]
    assert rows[0][-2:] == ["name", "department"]
    # Every result the filters keep, not the page shown, in the export's order (by employee).
    assert [(r[0], r[2], r[3], r[6], r[-2], r[-1]) for r in rows[1:]] == [
        ("lin.feng", "20.99", "C", "warning", "林峰", "客户二部"),
        ("luo.na", "24.08", "C", "warning", "罗娜", "客户二部"),
        ("wu.di", "27.16", "C", "warning", "吴迪", "客户二部"),
    ]
    assert errors == []
