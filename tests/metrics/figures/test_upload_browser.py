"""A manager uploads April's figures in a real browser, in Chinese, and lands on April's grid."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect
from pytest_django.live_server_helper import LiveServer

from metrics.figures.models import MetricEntry
from people.models import User
from plans.models import PlanVersion
from tests.metrics.figures import test_grid

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

team = test_grid.team  # wang.fang's reports li.lei and han.mei, on the seed plan

PASSWORD = "secret-pass-1"
APRIL = (
    "employee,period,churn.lost,churn.total,satisfaction,new_customers,feedback.ok,feedback.total\n"
    "li.lei,2026-04,2,50,8.6,4,46,48\n"
    "han.mei,2026-04,1,40,9.1,3,30,30\n"
)


@pytest.fixture
def zh_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A tab whose browser asks for Chinese, as the manager's does."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_a_manager_uploads_aprils_figures_and_lands_on_aprils_grid_with_them(zh_page: Page, team: PlanVersion) -> None:
    page = zh_page
    wang = User.objects.get(username="wang.fang")
    wang.set_password(PASSWORD)
    wang.save()

    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("wang.fang")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/")
    page.get_by_role("link", name="我的团队").click()
    page.get_by_role("link", name="上传文件").click()
    page.get_by_label("数据文件（CSV 或 Excel .xlsx）").set_input_files(
        FilePayload(name="四月.csv", mimeType="text/csv", buffer=APRIL.encode())
    )
    page.get_by_role("button", name="检查文件").click()
    expect(page.locator("#upload-summary")).to_contain_text("新增 8 项")
    assert not MetricEntry.objects.exists()  # the preview saves nothing

    page.get_by_role("button", name="应用这些变更").click()

    page.wait_for_url("**/figures/2026-04/")
    expect(page.get_by_role("alert").filter(has_text="四月.csv")).to_contain_text("已保存")
    li = page.locator('tr[data-employee="li.lei"]')
    expect(li.locator('input[data-column="satisfaction"]')).to_have_value("8.6")
    expect(li.locator('input[data-column="churn.lost"]')).to_have_value("2")
    han = page.locator('tr[data-employee="han.mei"]')
    expect(han.locator('input[data-column="satisfaction"]')).to_have_value("9.1")
    expect(page.locator("#figures-progress")).to_contain_text("已填写 8 / 8")
    assert MetricEntry.objects.filter(period="2026-04").count() == 8
