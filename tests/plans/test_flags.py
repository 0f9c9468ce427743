"""`plans.flags.flag_text`: the one way a flag reads, and its template filter."""

import pytest
from django.template import Context, Template
from django.utils import translation

from plans.flags import flag_text, flag_texts


@pytest.mark.parametrize(
    ("code", "chinese", "english"),
    [
        ("warning", "预警", "Warning"),
        ("promotion_candidate", "晋升候选", "Promotion candidate"),
        ("incomplete", "数据不完整", "Incomplete"),
        ("calibrated", "已校准", "Calibrated"),
    ],
)
def test_the_products_own_flags_read_in_words_of_each_language(code: str, chinese: str, english: str) -> None:
    with translation.override("zh-hans"):
        assert flag_text(code) == chinese
    with translation.override("en"):
        assert flag_text(code) == english


def test_the_plans_label_wins_and_an_unknown_code_stays_as_written() -> None:
    labels = {"warning": "黄牌", "star": "明星员工", "blank": "  "}

    with translation.override("zh-hans"):
        assert flag_text("warning", labels) == "黄牌"
        assert flag_text("star", labels) == "明星员工"
        assert flag_text("blank", labels) == "blank"  # an empty label is no label
        assert flag_text("promotion_candidate", labels) == "晋升候选"
        assert flag_text("star") == "star"
        assert flag_texts(["warning", "incomplete"], labels) == ("数据不完整", "黄牌")  # by code, as exported


def test_the_template_filter_reads_the_same_with_and_without_labels() -> None:
    template = Template("{% load flags %}[{{ code|flag_text }}] [{{ code|flag_text:labels }}] [{{ none|flag_text }}]")

    with translation.override("zh-hans"):
        text = template.render(Context({"code": "warning", "labels": {"warning": "黄牌"}, "none": None}))

    assert text == "[预警] [黄牌] []"
