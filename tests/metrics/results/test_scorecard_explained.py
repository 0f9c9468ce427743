"""The scorecard explains itself, in Chinese (issue 12, part 5) and with the plan's flag labels (part 2)."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation

from metrics.results.scorecards import _floor_reason, shown_text
from people.models import Role, User
from plans.models import Band, Direction, Indicator, Method
from tests.metrics.results.test_cycle_pages import client_for, close, examples_loaded, page_text, person
from tests.metrics.results.test_scorecard import section

ZH = {"accept-language": "zh-hans"}


@pytest.fixture
def quarter_closed(db: None, examples: Path) -> None:
    examples_loaded(examples)
    for period in ("2026-01", "2026-02", "2026-03", "2026-Q1"):
        close(period)


def zh_page(client: Client, url: str) -> str:
    with translation.override("zh-hans"):
        return page_text(client.get(url, headers=ZH).content)


def test_the_month_writes_out_its_points_its_weights_and_the_scaling(quarter_closed: None) -> None:
    text = zh_page(client_for(User.objects.get(username="li.lei")), "/scores/")

    january = section(text, "2026年1月", None)
    assert "96.89 分 ÷ 本月权重 90 × 100 = 107.66 分。" in january
    # Units beside the target as beside the actual; a rate to the decimals it needs.
    assert "客户流失率 4 % 5 %" in january
    assert "95.83 %" in january and "95.8333" not in january
    quarter = section(text, "2026年第1季度", "2026年3月")
    assert "各项得分合计：" in quarter and "= 107.32 分。" in quarter


def test_the_rounded_actual_keeps_its_exact_value_in_a_tooltip(quarter_closed: None) -> None:
    html = client_for(User.objects.get(username="li.lei")).get("/scores/").content.decode()

    assert 'title="95.8333 %"' in html


def test_a_reason_is_a_plain_sentence() -> None:
    with translation.override("zh-hans"):
        higher = Indicator(method=Method.PROPORTIONAL, direction=Direction.HIGHER, floor=Decimal("0.5"))
        lower = Indicator(method=Method.PROPORTIONAL, direction=Direction.LOWER, floor=Decimal("0"))
        assert _floor_reason(higher) == "实际值低于目标值的 50%，不得分。"
        assert _floor_reason(lower) == "实际值超出目标值 100% 以上，不得分。"
        assert (
            _floor_reason(Indicator(method=Method.PROPORTIONAL, floor=Decimal(0))) == "实际值低于目标值的 0%，不得分。"
        )


@pytest.mark.parametrize(
    ("value", "text"),
    [(Decimal("12.903200"), "12.9"), (Decimal("95.833300"), "95.83"), (Decimal("5.000000"), "5"), (None, "")],
)
def test_an_actual_shows_at_most_two_decimals(value: Decimal | None, text: str) -> None:
    assert shown_text(value) == text


def test_a_flag_reads_as_the_plan_labels_it_on_the_scorecard_and_the_results_page(quarter_closed: None) -> None:
    assert Band.objects.filter(flag="warning").update(flag_label="预警（方案）") > 0

    scorecard = zh_page(client_for(User.objects.get(username="han.mei")), "/scores/")
    assert "预警（方案）" in section(scorecard, "2026年3月", "2026年2月")

    results = zh_page(client_for(person("hr", Role.HR)), "/cycles/2026-03/results/")
    assert "预警（方案）" in results
    assert "warning" not in results
