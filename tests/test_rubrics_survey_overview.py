"""The review's gaming answers (content-review-2026-12, #10 #13 #15 #16 #17 #18) against the real
overview, survey and segmentation questions, graded by the real grader: each game now scores low,
and right answers, numbered lists with bare names among them, still score full marks."""
from __future__ import annotations

from pathlib import Path

import pytest

from tutor.content.loader import load
from tutor.questions import grade

ROOT = Path(__file__).resolve().parents[1]
COURSE = load(ROOT / "content").course()
QUESTIONS = {q.id: q for q in COURSE.questions}


def total(question) -> float:
    return sum(point.points for point in question.rubric)


def assert_full(question_id: str, *answers: str) -> None:
    question = QUESTIONS[question_id]
    for answer in answers:
        result = grade(question, answer)
        assert result.score == total(question), (answer, result)


def assert_low(question_id: str, *answers: str) -> None:
    question = QUESTIONS[question_id]
    for answer in answers:
        result = grade(question, answer)
        assert result.fraction <= 0.4, (answer, result)


# review #10: members of each category put under another category scored full marks
def test_segmentation_standards_swapped_or_dumped_categories_score_low() -> None:
    swapped = ("1.按关系：VIP客户、主要客户、普通客户、小客户\n"
               "2.按价值：信用度、满意度、忠诚度\n"
               "3.按指标：现有客户、潜在客户、历史客户、竞争者客户")
    every_name = "现有客户、潜在客户、历史客户、竞争者客户、VIP客户、主要客户、普通客户、小客户、信用度、满意度、忠诚度"
    dumped = f"1.按关系：{every_name}\n2.按价值：{every_name}\n3.按指标：{every_name}"
    assert_low("segmentation.standards-s01", swapped, dumped)
    # only the three standards' names score: no category's members count
    assert grade(QUESTIONS["segmentation.standards-s01"], dumped).parts == (True, False, True, False, True, False)


def test_segmentation_standards_right_answers_score_full_in_any_layout() -> None:
    assert_full(
        "segmentation.standards-s01",
        "1.根据客户与企业的关系：现有客户 潜在客户 历史客户 竞争者客户\n"
        "2.根据客户对企业的价值：VIP客户 主要客户 普通客户 小客户\n"
        "3.根据评价客户的指标：信用度 满意度 忠诚度",
        # one sentence with commas only: the mixed-list rule must not cancel it
        "按客户与企业的关系分为现有客户、潜在客户、历史客户、竞争者客户，按客户对企业的价值分为VIP客户、"
        "主要客户、普通客户、小客户，按评价客户的指标分为信用度、满意度、忠诚度。")


# review #13: an answer inverting every drawback scored 5/6
def test_telephone_survey_inverted_drawbacks_score_nothing_for_drawbacks() -> None:
    inverted = "优点：简便快捷，人力物力比人员走访少。缺点：调查面较宽，能广泛交流，不受语种影响，可靠性高于人员走访。"
    result = grade(QUESTIONS["survey.methods-s01"], inverted)
    assert result.parts == (True, True, False, False, False, False)
    swapped = ("优点：调查面较窄，可靠性不及人员走访，受语种影响，无法广泛交流。"
               "缺点：简便快捷，人力物力较少。")
    assert grade(QUESTIONS["survey.methods-s01"], swapped).score == 0


def test_telephone_survey_numbered_list_scores_full() -> None:
    assert_full("survey.methods-s01",
                "优点：\n1.简便快捷\n2.省人力\n缺点：\n1.无法广泛交流\n2.调查面窄\n3.语种\n4.可靠性不及人员走访")


# review #15: stages in the wrong order scored 5/6 through bare 客户流失 and 原因
def test_process_tasks_under_the_wrong_stage_and_bare_words_score_low() -> None:
    swapped = ("1.客户调查：分析客户流失的原因。\n"
               "2.客户细分：搜集客户资源信息，是基础。\n"
               "3.客户流失分析：按不同特征分类，采取有针对性的措施。")
    assert_low("overview.process-s01", swapped)
    bare = grade(QUESTIONS["overview.process-s01"], "第一步客户调查，第二步客户细分，第三步客户流失，要找原因。")
    assert bare.parts[4:] == (False, False)      # 客户流失 is not 客户流失分析; 原因 under no stage


def test_process_numbered_list_scores_full() -> None:
    assert_full("overview.process-s01",
                "1.客户调查：搜集客户资源信息，是基础\n2.客户细分：按不同特征分类，有针对性\n3.客户流失分析：首先分析原因")


# review #16: the stem held the accepted phrase 正式调查阶段, so restating the question scored
def test_survey_steps_restating_the_stem_scores_nothing() -> None:
    question = QUESTIONS["survey.steps-s01"]
    assert grade(question, question.stem).score == 0
    assert grade(question, question.stem + question.stem).score == 0


def test_survey_steps_right_answers_score_full() -> None:
    assert_full("survey.steps-s01",
                "1.预备调查阶段\n2.正式调查阶段\n（1）决定搜集资料的方法\n（2）准备调查表格\n（3）抽样设计与调查\n3.结果处理阶段",
                "三个阶段：预备调查、正式调查、结果处理。第二个阶段包括：决定搜集资料的方法，准备调查表格，抽样设计与调查。")


# review #17: an answer about keeping existing customers only earned the object point
def test_definition_existing_customers_only_scores_nothing() -> None:
    question = QUESTIONS["overview.definition-s01"]
    assert grade(question, "客户管理就是对现有客户进行科学管理，做好客户维护，维护好老客户。").score == 0
    assert_low("overview.definition-s01", "现有客户 潜在客户 客户管理理论 组成部分 客户开发 客户维护 共同保障")


def test_definition_numbered_list_scores_full() -> None:
    assert_full("overview.definition-s01",
                "1.对象：现有客户和潜在客户\n2.理论来源：客户管理理论\n3.地位：科学管理的重要组成部分\n"
                "4.重要内容：客户开发和客户维护\n5.作用：与进出口贸易操作共同保障企业发展")


# review #18: the lesson's own words 老客户 / 新客户 were marked wrong
@pytest.mark.parametrize("blanks", [["现有客户", "潜在客户", "基础"], ["老客户", "新客户", "基础"]])
def test_process_fill_accepts_the_lessons_synonyms(blanks: list[str]) -> None:
    assert grade(QUESTIONS["overview.process-f01"], blanks).correct


def test_process_fill_still_rejects_swapped_blanks() -> None:
    assert not grade(QUESTIONS["overview.process-f01"], ["潜在客户", "现有客户", "基础"]).correct
