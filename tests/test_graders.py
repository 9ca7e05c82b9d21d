"""Each grader in the registry, on its own, with the edge cases a tampered form can send."""
from __future__ import annotations

import random

import pytest

from tutor.questions import REGISTRY, GradingSettings, grade, question_type
from tutor.questions.base import normalise_text
from tutor.questions.case import Case
from tutor.questions.choice import MultipleChoice, SingleChoice, TrueFalse
from tutor.questions.fill import Fill, stem_parts
from tutor.questions.matching import Matching, choices
from tutor.questions.ordering import Ordering
from tutor.questions.short import Short

COMMON = {"knowledge_point": "survey.methods", "stem": "题干", "explanation": "解析"}
PARTIAL = GradingSettings("partial")
single = SingleChoice(id="s", type="single", options=("甲", "乙", "丙"), answer="B", **COMMON)
multiple = MultipleChoice(id="m", type="multiple", options=("甲", "乙", "丙", "丁"),
                          answer=("A", "C", "D"), **COMMON)
truefalse = TrueFalse(id="t", type="truefalse", answer=False, **COMMON)
fill = Fill(id="f", type="fill", knowledge_point="survey.methods", explanation="解析",
            stem="邮件调查费用{{1}}，可靠性{{2}}。", blanks=(("最低", "最少"), ("最小", "最低")))
ordering = Ordering(id="o", type="ordering", items=("预备调查阶段", "正式调查阶段", "结果处理阶段"), **COMMON)
ordering_partial = ordering.model_copy(update={"partial_credit": True})
matching = Matching(id="mt", type="matching", pairs=(
    {"left": "实力有限", "right": "防守策略"}, {"left": "前景不利", "right": "撤退策略"},
    {"left": "优势明显", "right": "进攻策略"}, {"left": "短期难以抗衡", "right": "防守策略"}),
    distractors=("客户细分",), **COMMON)
short = Short(id="sh", type="short", rubric=(
    {"point": "双赢", "accept": ("双赢",), "points": 2},
    {"point": "数据库", "accept": ("数据库", "客户信息库")},
    {"point": "抱怨", "accept": ("抱怨", "投诉")}), model_answer="参考答案", **COMMON)
case = Case(id="c", type="case", knowledge_point="churn.causes", stem="案例", questions=(
    {"type": "single", "stem": "一", "options": ("甲", "乙"), "answer": "A", "explanation": "解析"},
    {"type": "fill", "stem": "二{{1}}", "blanks": (("价格",),), "explanation": "解析"},
    {"type": "short", "stem": "三", "rubric": ({"point": "p", "accept": ("品质",), "points": 2},),
     "model_answer": "品质", "explanation": "解析"}))


def test_registry_has_one_entry_per_type() -> None:
    assert list(REGISTRY) == ["single", "multiple", "truefalse", "fill", "ordering", "matching", "case", "short"]
    assert [t.label for t in REGISTRY.values()] == ["单选题", "多选题", "判断题", "填空题", "排序题",
                                                     "匹配题", "案例分析题", "简答题"]


def test_single_choice() -> None:
    assert grade(single, "B").correct and grade(single, "B").score == 1.0
    assert not grade(single, "A").correct and grade(single, "A").score == 0.0
    for tampered in (None, "", "b", ["B"], "Z", 1):
        assert not grade(single, tampered).correct


def test_multiple_choice_all_or_nothing_by_default() -> None:
    assert grade(multiple, ["A", "C", "D"]).correct
    assert grade(multiple, ("D", "A", "C")).score == 1.0
    for wrong in (["A", "C"], ["A", "B", "C", "D"], [], None, "ACD", ["A", "C", "C"], [1, 3], ["A", "C", "D", "D"]):
        result = grade(multiple, wrong)
        assert not result.correct and result.score == 0.0 and result.max_score == 1.0


def test_multiple_choice_partial_credit_setting() -> None:
    assert grade(multiple, ["A", "C"], PARTIAL).score == pytest.approx(2 / 3)
    assert not grade(multiple, ["A", "C"], PARTIAL).correct
    assert grade(multiple, ["A"], PARTIAL).score == pytest.approx(1 / 3)
    assert grade(multiple, ["A", "B"], PARTIAL).score == 0.0       # any wrong option earns nothing
    assert grade(multiple, ["A", "A"], PARTIAL).score == 0.0       # duplicated choices are refused
    assert grade(multiple, ["A", "C", "D"], PARTIAL).correct


def test_true_false() -> None:
    assert grade(truefalse, False).correct
    assert not grade(truefalse, True).correct
    for tampered in (None, "false", 0, "错"):
        assert not grade(truefalse, tampered).correct


def test_fill_forgives_width_spaces_and_trailing_punctuation_only() -> None:
    assert grade(fill, ["最低", "最小"]).correct
    assert grade(fill, [" 最 少 ", "最低。"]).correct
    assert normalise_text("ＶＩＰ客户！") == "VIP客户"
    result = grade(fill, ["最低", "较小"])
    assert not result.correct and result.score == 0.5 and result.parts == (True, False)
    assert grade(fill, ["低", "小"]).score == 0.0                    # strict otherwise
    for tampered in ([], ["最低"], ["最低", "最小", "多余"], None, "最低", ["", ""], [1, 2]):
        assert grade(fill, tampered).score == 0.0
    assert stem_parts(fill.stem) == ["邮件调查费用", 0, "，可靠性", 1, "。"]


def test_ordering_exact_and_partial() -> None:
    assert grade(ordering, [0, 1, 2]).correct
    assert grade(ordering, [1, 0, 2]).score == 0.0
    assert grade(ordering_partial, [1, 0, 2]).score == pytest.approx(1 / 3)
    for tampered in ([0, 1], [0, 0, 1], [0, 1, 5], None, "012", [0, 1, 2, 3]):
        assert grade(ordering_partial, tampered).score == 0.0


def test_ordering_layout_is_never_already_solved() -> None:
    rng = random.Random(1)
    for _ in range(50):
        assert question_type(ordering).layout(ordering, rng) != [0, 1, 2]
    assert question_type(ordering).layout(ordering, None) == [0, 1, 2]


def test_matching_credit_per_pair() -> None:
    options = choices(matching)
    assert options == ("防守策略", "撤退策略", "进攻策略", "客户细分")   # shared right items once
    key = question_type(matching).correct_response(matching)
    assert key == [0, 1, 2, 0] and grade(matching, key).correct
    result = grade(matching, [0, 2, 1, None])
    assert result.score == 0.25 and result.parts == (True, False, False, False)
    for tampered in ([0, 1, 2], [9, 9, 9, 9], [True, 1, 2, 0], None, ["0", "1", "2", "0"], [-4, 1, 2, 0]):
        assert grade(matching, tampered).score < 1.0
    assert grade(matching, [-4, 1, 2, 0]).parts[0] is False


def test_short_answer_scores_rubric_points_found() -> None:
    result = grade(short, "要树立双赢观念，并妥善处理客户投诉。")
    assert result.score == 3.0 and result.max_score == 4.0 and result.parts == (True, False, True)
    assert grade(short, "双赢；建立客户信息库；处理抱怨").correct
    assert grade(short, "").score == 0.0 and grade(short, None).score == 0.0 and grade(short, ["双赢"]).score == 0.0


def test_case_is_the_sum_of_its_parts() -> None:
    result = grade(case, ["A", ["价格"], "提高品质"])
    assert result.correct and result.score == 4.0 and result.max_score == 4.0
    result = grade(case, ["B", ["价格。"], ""])
    assert not result.correct and result.score == 1.0 and [p.correct for p in result.parts] == [False, True, False]
    assert grade(case, None).score == 0.0 and grade(case, ["A"]).score == 1.0


def test_every_type_has_a_fitting_layout() -> None:
    rng = random.Random(3)
    for q in (single, multiple, truefalse, fill, ordering, matching, short, case):
        kind = question_type(q)
        assert kind.layout_fits(q, kind.layout(q, rng))
        assert kind.layout_fits(q, kind.layout(q, None))
        assert grade(q, kind.correct_response(q)).correct or q.type == "short"
