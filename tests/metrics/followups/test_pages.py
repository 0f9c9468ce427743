"""The follow-ups pages: HR's list and decisions, the scorecard and the home page, in Chinese."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from metrics.followups.models import Decision, FollowUpDecision
from people.models import Department, Role, User
from plans.models import PlanTemplate
from tests.metrics.followups.conftest import MARCH, chinese, client_for, decide, person
from tests.metrics.results.test_cycle_pages import page_text

LIST = "/cycles/2026-03/follow-ups/"
CODES = ("promotion_candidate", "formal_warning", "no_action", "warning", "2026-03", "Follow-up", "None")


def no_codes(text: str) -> None:
    for code in CODES:
        assert code not in text, code


def test_hr_reads_the_month_s_flagged_people_in_chinese_with_words_not_codes(march: dict[str, User]) -> None:
    decide(march, "han.mei", Decision.FORMAL_WARNING, "请在下月提升客户满意度")

    text = page_text(chinese(march["hr"]).get(LIST).content)

    assert "2026年3月 跟进事项" in text
    assert "共 2 人有标记。 其中 1 人尚未决定。" in text
    assert "晋升候选 1" in text and "预警 1" in text and "数据不完整 0" in text
    # By user name: han.mei, then li.lei.
    han, li = text[text.index("韩梅梅") : text.index("李雷")], text[text.index("李雷") :]
    assert "客户部" in li and "客户管理员绩效方案" in li and "112.22" in li and "晋升候选" in li and "尚未决定" in li
    assert "26.23" in han and "C" in han and "预警" in han
    assert "正式警告" in han and "孙丽" in han and "请在下月提升客户满意度" in han and "尚未确认" in han
    no_codes(text)


def test_the_list_filters_by_flag_and_by_department(march: dict[str, User]) -> None:
    hr = chinese(march["hr"])
    other = Department.objects.create(name="客户二部")

    warned = page_text(hr.get(LIST, {"flag": "warning"}).content)
    candidates = page_text(hr.get(LIST, {"flag": "promotion_candidate"}).content)
    department = page_text(hr.get(LIST, {"department": str(march["li.lei"].department_id)}).content)
    elsewhere = page_text(hr.get(LIST, {"department": other.pk}).content)

    assert "韩梅梅" in warned and "李雷" not in warned
    assert "李雷" in candidates and "韩梅梅" not in candidates
    assert "李雷" in department and "韩梅梅" in department
    assert "李雷" not in elsewhere and "这里没有人被标记" in elsewhere


def test_an_unknown_flag_in_the_address_says_so_and_lists_everybody(march: dict[str, User]) -> None:
    text = page_text(chinese(march["hr"]).get(LIST, {"flag": "nope"}).content)

    assert "选择一个有效的选项" in text
    assert "李雷" in text and "韩梅梅" in text


def test_hr_records_a_promotion_from_the_person_s_page_and_the_list_shows_it(march: dict[str, User]) -> None:
    hr = chinese(march["hr"])
    form = page_text(hr.get(f"{LIST}li.lei/").content)
    assert "李雷 的跟进（2026年3月）" in form and "晋升候选" in form and "尚无决定。" in form
    for label in ("晋升", "培训", "荣誉称号", "扣减奖金", "正式警告", "不采取措施"):
        assert label in form

    response = hr.post(f"{LIST}li.lei/", {"decision": "promotion", "note": "晋升为高级客户经理"}, follow=True)

    text = page_text(response.content)
    assert response.redirect_chain[-1][0] == LIST
    assert "已记录 李雷（2026年3月）的决定。" in text
    row = text[text.index("李雷") :]
    assert "晋升" in row and "孙丽" in row and "晋升为高级客户经理" in row and "更改" in row
    no_codes(text)


def test_a_change_keeps_the_decision_before_in_the_history(march: dict[str, User]) -> None:
    hr = chinese(march["hr"])
    hr.post(f"{LIST}han.mei/", {"decision": "training", "note": "参加沟通培训"})
    hr.post(f"{LIST}han.mei/", {"decision": "formal_warning", "note": "两次未达标"})

    text = page_text(hr.get(f"{LIST}han.mei/").content)

    history = text.split("历史记录 ")[-1]
    assert history.index("正式警告") < history.index("培训")
    assert "两次未达标" in history and "参加沟通培训" in history
    assert "当前" in history and "已替换" in history
    assert "当前决定：正式警告。" in text
    assert FollowUpDecision.objects.filter(employee=march["han.mei"]).count() == 2


def test_a_bad_decision_is_refused_on_the_form_and_nothing_is_saved(march: dict[str, User]) -> None:
    hr = chinese(march["hr"])

    missing = page_text(hr.post(f"{LIST}li.lei/", {"decision": "", "note": "x"}).content)
    unknown = page_text(hr.post(f"{LIST}li.lei/", {"decision": "fired"}).content)
    long = page_text(hr.post(f"{LIST}li.lei/", {"decision": "promotion", "note": "很" * 2001}).content)

    assert "请选择一项决定。" in missing
    assert "请从列表中选择一项决定。" in unknown
    assert "2000" in long
    assert not FollowUpDecision.objects.exists()


def test_a_plan_s_own_decisions_are_edited_on_the_plan_s_page_and_offered_for_its_people(
    march: dict[str, User],
) -> None:
    hr = chinese(march["hr"])
    plan = page_text(hr.get("/plans/customer-manager/").content)
    assert "自定跟进决定" in plan

    saved = hr.post("/plans/customer-manager/follow-up-decisions/", {"names": "导师辅导\n\n 轮岗 \n"}, follow=True)
    refused = hr.post("/plans/customer-manager/follow-up-decisions/", {"names": "轮岗\n轮岗\n" + "长" * 101})

    assert "已保存该方案的自定跟进决定。" in page_text(saved.content)
    refusal = page_text(refused.content)
    assert "“轮岗”重复列出。" in refusal and "超过 100 个字符" in refusal
    assert PlanTemplate.objects.get(code="customer-manager").follow_up_decisions == ["导师辅导", "轮岗"]
    form = hr.get(f"{LIST}han.mei/").content.decode()
    assert "导师辅导" in form and "轮岗" in form
    hr.post(f"{LIST}han.mei/", {"decision": "plan:导师辅导", "note": ""})
    assert "导师辅导" in page_text(hr.get(LIST).content)


def test_the_cycle_page_links_to_its_follow_ups(march: dict[str, User]) -> None:
    content = chinese(march["hr"]).get("/cycles/2026-03/").content.decode()

    assert f'href="{LIST}"' in content and "跟进事项：晋升候选、预警及其他所有标记" in content


def test_the_list_makes_as_many_queries_for_two_decided_people_as_for_none(march: dict[str, User]) -> None:
    hr = client_for(march["hr"])
    with CaptureQueriesContext(connection) as none:
        hr.get(LIST)
    decide(march, "li.lei", Decision.PROMOTION)
    decide(march, "han.mei", Decision.FORMAL_WARNING)
    with CaptureQueriesContext(connection) as two:
        text = page_text(hr.get(LIST).content)

    assert "Formal warning" in text and "Promotion" in text
    assert len(none) == len(two)


# --- the employee and their manager -----------------------------------------------------------------


def test_the_employee_reads_the_warning_on_their_scorecard_and_acknowledges_it(march: dict[str, User]) -> None:
    decide(march, "han.mei", Decision.FORMAL_WARNING, "请在下月提升客户满意度")
    han = chinese(march["han.mei"])
    card = page_text(han.get("/scores/").content)
    march_card = card[card.index("2026年3月") : card.index("2026年2月")]
    assert "人力资源的跟进决定：正式警告" in march_card and "请在下月提升客户满意度" in march_card
    assert "尚未确认" in march_card and "我已阅读此警告" in march_card

    pk = FollowUpDecision.objects.get().pk
    response = han.post(f"/follow-ups/{pk}/acknowledge/", {"next": "/scores/"}, follow=True)

    text = page_text(response.content)
    assert response.redirect_chain[-1][0] == "/scores/"
    assert "您已确认 2026年3月 的正式警告。" in text and "已于" in text and "我已阅读此警告" not in text


def test_the_home_page_asks_the_employee_to_read_a_warning_until_they_acknowledge_it(
    march: dict[str, User],
) -> None:
    decide(march, "han.mei", Decision.FORMAL_WARNING, "请改进")
    decide(march, "li.lei", Decision.PROMOTION, "恭喜")
    han, li = chinese(march["han.mei"]), chinese(march["li.lei"])
    home = page_text(han.get("/").content)
    assert "您有一份正式警告待阅读" in home and "2026年3月：孙丽 于" in home and "请改进" in home
    assert "您有一份正式警告待阅读" not in page_text(li.get("/").content)

    pk = FollowUpDecision.objects.get(employee=march["han.mei"]).pk
    response = han.post(f"/follow-ups/{pk}/acknowledge/", {"next": "https://evil.example/"}, follow=True)

    assert response.redirect_chain[-1][0] == "/scores/"  # never another site
    assert "您有一份正式警告待阅读" not in page_text(han.get("/").content)
    twice = page_text(han.post(f"/follow-ups/{pk}/acknowledge/", follow=True).content)
    assert "您已于" in twice and "确认过此警告。" in twice


def test_hr_sees_who_has_acknowledged_and_who_has_not(march: dict[str, User]) -> None:
    warning = decide(march, "han.mei", Decision.FORMAL_WARNING)
    hr = chinese(march["hr"])
    assert "尚未确认" in page_text(hr.get(LIST).content)

    client_for(march["han.mei"]).post(f"/follow-ups/{warning.pk}/acknowledge/")

    text = page_text(hr.get(LIST).content)
    assert "尚未确认" not in text and "已于 2" in text and " 确认" in text


def test_the_manager_reads_their_report_s_decision_without_a_button(march: dict[str, User]) -> None:
    decide(march, "han.mei", Decision.FORMAL_WARNING, "请改进")

    text = page_text(chinese(march["wang.fang"]).get("/scores/han.mei/").content)

    assert "人力资源的跟进决定：正式警告" in text and "请改进" in text and "尚未确认" in text
    assert "我已阅读此警告" not in text


# --- access -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["li.lei", "wang.fang"])
@pytest.mark.parametrize(
    "url", [LIST, f"{LIST}li.lei/", f"{LIST}export.csv", f"{LIST}export.xlsx", "/plans/customer-manager/"]
)
def test_employees_and_managers_may_not_open_hr_s_pages(march: dict[str, User], username: str, url: str) -> None:
    assert client_for(march[username]).get(url).status_code == 403


def test_an_employee_may_not_record_a_decision(march: dict[str, User]) -> None:
    response = client_for(march["wang.fang"]).post(f"{LIST}li.lei/", {"decision": "promotion"})

    assert response.status_code == 403
    assert not FollowUpDecision.objects.exists()


def test_nobody_but_the_employee_acknowledges_their_warning(march: dict[str, User]) -> None:
    warning = decide(march, "han.mei", Decision.FORMAL_WARNING)

    for user in (march["li.lei"], march["wang.fang"], march["hr"]):
        assert client_for(user).post(f"/follow-ups/{warning.pk}/acknowledge/").status_code == 404
    assert Client().post(f"/follow-ups/{warning.pk}/acknowledge/").status_code == 302  # to sign in

    warning.refresh_from_db()
    assert warning.acknowledged_at is None


def test_another_team_s_manager_and_a_colleague_read_no_decision(march: dict[str, User]) -> None:
    decide(march, "han.mei", Decision.FORMAL_WARNING, "请改进")
    zhao = person("zhao.lei", Role.MANAGER, "赵磊")

    assert client_for(zhao).get("/scores/han.mei/").status_code == 404
    assert client_for(march["li.lei"]).get("/scores/han.mei/").status_code == 404
    assert "请改进" not in page_text(client_for(march["li.lei"]).get("/scores/").content)


@pytest.mark.parametrize("path", ["li.lei/", "nobody/"])
def test_a_person_without_a_flag_or_unknown_has_no_follow_up_page(march: dict[str, User], path: str) -> None:
    assert client_for(march["hr"]).get(f"/cycles/2026-02/follow-ups/{path}").status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in(march: dict[str, User]) -> None:
    response = Client().get(LIST)

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_period_out_of_range_is_404(march: dict[str, User]) -> None:
    assert client_for(march["hr"]).get("/cycles/1999-12/follow-ups/").status_code == 404


def test_the_english_page_reads_in_english(march: dict[str, User]) -> None:
    decide(march, "li.lei", Decision.PROMOTION)

    text = page_text(client_for(march["hr"]).get(LIST).content)

    assert "Follow-ups of March 2026" in text and "Promotion candidate" in text and "Promotion" in text
    assert MARCH.is_month
