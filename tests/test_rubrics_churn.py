"""The churn short-answer rubrics after the content review (December 2026), graded by the real
grader on the real content tree: the review's gaming answers (mappings swapped between the
categories) score low, and right answers score full marks in every layout, including a numbered
list of bare names. Also pins the review's content fixes in the churn files that a bank-wide rule
does not already hold."""
from __future__ import annotations

from pathlib import Path

import pytest

from tutor.content.loader import load
from tutor.questions import grade

ROOT = Path(__file__).resolve().parents[1]
COURSE = load(ROOT / "content").course("chapter8")
QUESTIONS = {q.id: q for q in COURSE.questions}


def score(question_id: str, answer: str) -> tuple[float, float]:
    result = grade(QUESTIONS[question_id], answer)
    return result.score, result.max_score


# --- review #11: churn.competitive_strategies-s01 -------------------------------------------------

STRATEGIES = "churn.competitive_strategies-s01"
STRATEGIES_RIGHT = [
    "1.进攻：集中力量，改进品质，正面竞争\n2.防守：能力有限，优惠价格，巩固现有市场\n3.撤退：前景不利，放弃产品，腾出资源",
    "（1）进攻策略：发挥自身优势，提高服务质量，主动与对手正面竞争。（2）防守策略：实力有限，"
    "无法与对手平等竞争时，提高服务水平，实行优惠价格，保持现有市场。（3）撤退策略：市场分析显示"
    "前景不利时，放弃这种产品，开发新产品、开辟新市场。",
]
# each strategy given the situation and methods of another one: the review's gaming answer
STRATEGIES_SWAPPED = [
    "进攻策略：能力有限时实行优惠价格，巩固现有市场。防守策略：前景不利时放弃产品，腾出资源。"
    "撤退策略：集中力量发挥优势，改进商品品质，正面竞争。",
    "1.进攻 前景不利，放弃产品\n2.防守 发挥优势，正面竞争\n3.撤退 能力有限，优惠价格",
    "进攻策略适用于前景对自己不利的情况，要放弃该产品；防守策略要集中力量、正面竞争；"
    "撤退策略在能力有限时实行优惠价格。",
]


@pytest.mark.parametrize("answer", STRATEGIES_RIGHT)
def test_strategies_right_answers_score_full_marks(answer: str) -> None:
    got, total = score(STRATEGIES, answer)
    assert got == total == 6


@pytest.mark.parametrize("answer", STRATEGIES_SWAPPED)
def test_strategies_swapped_mappings_score_nothing(answer: str) -> None:
    assert score(STRATEGIES, answer)[0] == 0


def test_strategies_one_right_strategy_among_swapped_ones_earns_only_its_own_points() -> None:
    # 防守 is right, 进攻 and 撤退 swapped: only the two 防守 points count
    answer = "进攻策略：前景不利时放弃产品。防守策略：能力有限时实行优惠价格。撤退策略：集中力量，正面竞争。"
    assert score(STRATEGIES, answer)[0] == 2


# --- review #12: churn.handling-s01 ---------------------------------------------------------------

HANDLING = "churn.handling-s01"
HANDLING_RIGHT = [
    "1.自然：平和心态，认识必然性，控制在合理范围\n2.竞争：有计划地采取措施，进攻、防守、撤退\n"
    "3.过失：高度重视，找出根源，妥善处理，树立信誉和形象",
    "对自然流失要心态平和，认识其必然性；对竞争流失要有计划地处理，可选进攻策略、防守策略或撤退策略；"
    "对过失流失必须高度重视，查清根源、妥善处理，维护企业的信誉与形象。",
]
# every type given the handling of another one: the review's gaming answer scored 3/5
HANDLING_SWAPPED = [
    "自然流失要有计划地采取进攻、防守、撤退策略；竞争流失要高度重视，找出根源，妥善处理，维护信誉和形象；"
    "过失流失要保持平和心态，认识其必然性，控制在合理范围。",
    "1.自然：有计划，进攻防守撤退\n2.竞争：高度重视，根源，信誉形象\n3.过失：平和心态，必然性，合理范围",
    "对自然流失应高度重视、查找根源；对竞争流失要保持平和心态、认识必然性；对过失流失应有计划地选择进攻、防守或撤退。",
]


@pytest.mark.parametrize("answer", HANDLING_RIGHT)
def test_handling_right_answers_score_full_marks(answer: str) -> None:
    got, total = score(HANDLING, answer)
    assert got == total == 5


@pytest.mark.parametrize("answer", HANDLING_SWAPPED)
def test_handling_swapped_mappings_score_nothing(answer: str) -> None:
    assert score(HANDLING, answer)[0] == 0


def test_handling_a_bare_name_heading_ties_the_competitive_points_as_the_full_name_does() -> None:
    # the 竞争 label was missing: "2.竞争：有计划…" lost both competitive points
    bare = score(HANDLING, "竞争：有计划地采取措施，选择进攻、防守或撤退策略")
    full = score(HANDLING, "竞争流失：有计划地采取措施，选择进攻、防守或撤退策略")
    assert bare == full == (2, 5)


# --- review #14: churn.loyalty_types-s01 -----------------------------------------------------------

LOYALTY = "churn.loyalty_types-s01"
LOYALTY_RIGHT = [
    "1.垄断 2.亲缘 3.利益 4.方便 5.信赖",
    "（1）垄断\n（2）亲缘\n（3）利益\n（4）方便\n（5）信赖",
    "垄断、亲缘、利益、方便、信赖",
    "①垄断忠诚②亲缘忠诚③利益忠诚④方便忠诚⑤信赖忠诚",
    "客户忠诚分为垄断忠诚、亲缘忠诚、利益忠诚、方便忠诚和信赖忠诚等。",
]
LOYALTY_WRONG = [
    "客户忠诚分为信用忠诚、满意忠诚和价值忠诚。",
    "忠诚 垄断 亲缘 利益 方便 信赖 满意 信用 价值 关系",     # a keyword dump beyond the list cap
    "客户忠诚不分垄断、亲缘，没有利益忠诚，也没有方便忠诚和信赖忠诚。",
]


@pytest.mark.parametrize("answer", LOYALTY_RIGHT)
def test_loyalty_types_bare_names_in_any_layout_score_full_marks(answer: str) -> None:
    got, total = score(LOYALTY, answer)
    assert got == total == 5


@pytest.mark.parametrize("answer", LOYALTY_WRONG)
def test_loyalty_types_wrong_names_dumps_and_denials_score_at_most_40_percent(answer: str) -> None:
    got, total = score(LOYALTY, answer)
    assert got <= 0.4 * total


# --- content fixes of the review in the churn files ------------------------------------------------

def churn_questions():
    return [q for q in COURSE.questions if q.knowledge_point.startswith("churn.")]


def test_beyond_source_churn_items_say_so_in_their_explanation() -> None:
    beyond = [q for q in churn_questions() if q.beyond_source]
    assert len(beyond) >= 10           # the loyalty-type meanings and the churn-type definitions
    assert [q.id for q in beyond if "教材外拓展" not in q.explanation] == []


def test_chapter_based_loyalty_type_items_stay_in_the_mock_exam_pool() -> None:
    pool = [q for q in COURSE.by_knowledge_point["churn.loyalty_types"]
            if not q.beyond_source and q.type in ("single", "multiple", "truefalse")]
    assert {q.type for q in pool} == {"single", "multiple", "truefalse"}
    assert len(pool) >= 8


def test_the_loyalty_lesson_starts_churn_analysis_with_why_customers_leave() -> None:
    # review #1: the source says 首先应该分析客户流失的原因
    section = COURSE.section_of["churn.loyalty_types"][1]
    assert "第一步，是先弄清客户为什么“留下来”" not in section.explanation
    assert "首先要分析的是客户为什么流失" in section.explanation


def test_strategy_questions_are_tagged_with_the_strategies_knowledge_point() -> None:
    # review #41: the list of the three strategies is the content of churn.competitive_strategies
    assert QUESTIONS["churn.handling-12"].knowledge_point == "churn.competitive_strategies"
    assert "进攻" in QUESTIONS["churn.handling-19"].stem and QUESTIONS["churn.handling-19"].answer is True
