"""The short-answer grader (short.py, shorttext.py) value for value, for the mutation run
(docs/mutation-testing.md): whole `Grade` values and exact helper outputs, on the real chapter 8
bank and on small hand-built rubrics, each test pinning one rule a mutant could break."""
from __future__ import annotations

from pathlib import Path

import pytest

from tutor.content.loader import load
from tutor.questions import Grade, GradingSettings, grade, parse_answer
from tutor.questions import shorttext as st
from tutor.questions.form import InvalidAnswer
from tutor.questions.short import MAX_ANSWER_CHARS, Short, check_short, grade_short, parse_short

COURSE = load(Path(__file__).resolve().parents[1] / "content").course()
QUESTIONS = {q.id: q for q in COURSE.questions}
COMMON = {"knowledge_point": "survey.methods", "stem": "题干", "explanation": "解析"}
DEFAULT = GradingSettings()


def short(rubric, model_answer="甲乙丙", **more) -> Short:
    return Short.model_validate({"id": "sh", "type": "short", "rubric": rubric,
                                 "model_answer": model_answer, **COMMON, **more}, strict=False)


def refused(q, form, p=""):
    with pytest.raises(InvalidAnswer) as info:
        parse_short(q, [], form, p)
    return type(info.value), str(info.value)


def test_parse_short() -> None:
    q = short([{"point": "价格", "accept": ["价格"]}])
    assert parse_short(q, [], {"text": ["  商品价格 \n"]}, "") == "商品价格"
    assert parse_short(q, [], {"s1-text": ["价格"]}, "s1-") == "价格"
    assert parse_answer(q, {"text": ["价格"]}, []) == "价格"
    assert parse_short(q, [], {"text": ["价" * (MAX_ANSWER_CHARS + 10)]}, "") == "价" * MAX_ANSWER_CHARS
    for form in ({}, {"text": [" \n"]}, {"text": ["a", "b"]}, {"text": []}, {"s1-text": ["价格"]}):
        assert refused(q, form) == (InvalidAnswer, "请填写答案")


# --- grade_short: whole Grade values ----------------------------------------------------------

THREE = short([{"point": "价格", "accept": ["商品价格"], "points": 2},
               {"point": "品质", "accept": ["商品品质"]}])


def test_an_empty_answer_earns_nothing_with_every_part_false() -> None:
    for empty in ("", "  \n", None, 3, ["商品价格"]):
        assert grade_short(THREE, empty, DEFAULT) == Grade(False, 0.0, 3.0, (False, False))
    assert grade(THREE, "商品价格和商品品质") == Grade(True, 3.0, 3.0, (True, True))
    assert grade(THREE, "商品价格") == Grade(False, 2.0, 3.0, (True, False))


def test_the_cap_keeps_a_later_point_that_fits_after_one_that_does_not() -> None:
    q = short([{"point": "甲", "accept": ["商品价格"], "points": 3},
               {"point": "乙", "accept": ["商品品质"]}], model_answer="商品价格和商品品质")
    # a bare list: capped at floor(0.4 * 4) = 1 point; the 3-point item does not fit, the 1-point one does
    assert grade(q, "商品价格 商品品质 服务 对手") == Grade(False, 1.0, 4.0, (False, True))


def test_an_unless_sentence_does_not_stop_the_search_in_later_sentences() -> None:
    q = short([{"point": "价格", "accept": ["商品价格"], "unless": ["并不是"]}])
    assert grade(q, "这并不是问题。商品价格是原因") == Grade(True, 1.0, 1.0, (True,))
    assert grade(q, "商品价格并不是原因") == Grade(False, 0.0, 1.0, (False,))


def test_a_negated_occurrence_does_not_hide_a_later_one() -> None:
    q = short([{"point": "价格", "accept": ["商品价格"]}])
    assert grade(q, "不看商品价格，要看商品价格") == Grade(True, 1.0, 1.0, (True,))
    assert grade(q, "不看商品价格") == Grade(False, 0.0, 1.0, (False,))


def test_an_occurrence_under_another_label_does_not_hide_one_under_its_own() -> None:
    q = short([{"point": "攻", "accept": ["集中力量"], "with": ["进攻策略"]},
               {"point": "退", "accept": ["腾出资源"], "with": ["撤退策略"]}])
    assert grade(q, "撤退策略：集中力量，进攻策略：集中力量") == Grade(False, 1.0, 2.0, (True, False))
    assert grade(q, "撤退策略：集中力量") == Grade(False, 0.0, 2.0, (False, False))


def test_a_clause_naming_two_categories_unties_the_clauses_after_it() -> None:
    # whichever category a mutant carried on, one of the two points would count
    q = short([{"point": "攻", "accept": ["集中力量"], "with": ["进攻策略"]},
               {"point": "守", "accept": ["集中力量"], "with": ["防守策略"]}])
    assert grade(q, "进攻策略和防守策略：集中力量") == Grade(False, 0.0, 2.0, (False, False))
    assert grade(q, "防守策略：集中力量") == Grade(False, 1.0, 2.0, (False, True))


def test_categories_join_the_groups_that_share_a_label() -> None:
    from tutor.questions.short import _categories
    q = short([{"point": "攻", "accept": ["集中力量"], "with": ["进攻", "主动"]},
               {"point": "守", "accept": ["优惠价格"], "with": ["防守"]}],
              labels=[["主动", "先发"]])
    assert _categories(q) == {"进攻": frozenset({"进攻", "主动"}), "主动": frozenset({"进攻", "主动", "先发"}),
                              "防守": frozenset({"防守"}), "先发": frozenset({"主动", "先发"})}
    assert _categories(short([{"point": "p", "accept": ["价格"]}])) == {}


# --- case_sensitive: phrases, unless phrases and labels follow the question's case rule --------

def cased(case_sensitive: bool) -> Short:
    """FOB's point counts only under the label FOB (EXW is another category); CIF's not in a
    sentence naming DAP."""
    return short([{"point": "FOB 下风险在装运港转移", "accept": ["装运港"], "with": ["FOB"]},
                  {"point": "CIF 由卖方办保险", "accept": ["CIF"], "unless": ["DAP"]}],
                 model_answer="FOB：风险在装运港转移。CIF 由卖方办保险", labels=[["EXW"]],
                 case_sensitive=case_sensitive)


CASED = "FOB：风险在装运港转移。CIF 由卖方办保险"
UNDER_EXW = "FOB：价格条件，{}：风险在装运港转移。CIF 由卖方办保险"


def test_letter_case_is_folded_in_phrases_unless_phrases_and_labels_by_default() -> None:
    q = cased(False)
    for answer in (CASED, CASED.lower(), "Fob：风险在装运港转移。Cif 由卖方办保险"):
        assert grade(q, answer) == Grade(True, 2.0, 2.0, (True, True)), answer
    assert grade(q, "fob：风险在装运港转移。cif 与 dap 不同") == Grade(False, 1.0, 2.0, (True, False))
    for exw in ("EXW", "exw"):      # either case names the other category and unties FOB's clause
        assert grade(q, UNDER_EXW.format(exw)) == Grade(False, 1.0, 2.0, (False, True)), exw


def test_letter_case_counts_in_phrases_unless_phrases_and_labels_of_a_case_sensitive_question() -> None:
    q = cased(True)
    assert grade(q, CASED) == Grade(True, 2.0, 2.0, (True, True))
    assert grade(q, CASED.lower()) == Grade(False, 0.0, 2.0, (False, False))
    assert grade(q, "Fob：风险在装运港转移。CIF 由卖方办保险") == Grade(False, 1.0, 2.0, (False, True))
    assert grade(q, "FOB：风险在装运港转移。CIF 与 DAP 不同") == Grade(False, 1.0, 2.0, (True, False))
    assert grade(q, "FOB：风险在装运港转移。CIF 与 dap 不同") == Grade(True, 2.0, 2.0, (True, True))
    assert grade(q, UNDER_EXW.format("EXW")) == Grade(False, 1.0, 2.0, (False, True))
    # exw is not the label EXW here: the clause stays under FOB
    assert grade(q, UNDER_EXW.format("exw")) == Grade(True, 2.0, 2.0, (True, True))


def test_categories_follow_the_questions_case_rule() -> None:
    from tutor.questions.short import _categories
    assert _categories(cased(False)) == {"fob": frozenset({"fob"}), "exw": frozenset({"exw"})}
    assert _categories(cased(True)) == {"FOB": frozenset({"FOB"}), "EXW": frozenset({"EXW"})}


# --- the 40% cap: each limit at its edge -----------------------------------------------------

def test_the_length_limit_is_exclusive() -> None:
    q = short([{"point": "价格", "accept": ["商品价格"]}], max_chars=20)
    exact = "商品价格是客户流失的主要原因之一必须重视"
    assert len(exact) == 20
    assert grade(q, exact) == Grade(True, 1.0, 1.0, (True,))
    assert grade(q, exact + "啊") == Grade(False, 0.0, 1.0, (False,))
    assert grade(q, exact[:4] + " \n " + exact[4:]) == Grade(True, 1.0, 1.0, (True,))  # spaces not counted


def test_a_term_of_five_characters_is_bare_and_of_six_is_not() -> None:
    q = short([{"point": "a", "accept": ["价格好"]}, {"point": "b", "accept": ["态度好"]},
               {"point": "c", "accept": ["速度快"]}], model_answer="商品价格好，服务态度好，交货速度快")
    assert grade(q, "商品价格好 服务态度好 交货速度快") == Grade(False, 1.0, 3.0, (True, False, False))
    assert grade(q, "商品的价格好 服务的态度好 交货的速度快") == Grade(True, 3.0, 3.0, (True, True, True))


def test_a_list_is_bare_from_exactly_three_quarters_of_its_characters_in_terms() -> None:
    q = short([{"point": "a", "accept": ["价格高"]}, {"point": "b", "accept": ["品质差"]},
               {"point": "c", "accept": ["对手强"]}], model_answer="价格高，品质差，对手强，" * 3)
    # six terms of 3 characters (18) and one item of 6: 18 is 75% of 24
    assert grade(q, "价格高 品质差 对手强 搬迁了 死亡了 服务差 微妙事件不当") == Grade(False, 1.0, 3.0, (True, False, False))
    # an item of 7: 18 is less than 75% of 25
    assert grade(q, "价格高 品质差 对手强 搬迁了 死亡了 服务差 微妙事件处理差") == Grade(True, 3.0, 3.0, (True, True, True))


def test_a_list_ok_question_caps_a_list_longer_than_its_points_plus_two() -> None:
    q = short([{"point": "a", "accept": ["垄断忠诚"]}], model_answer="垄断忠诚", list_ok=True)
    assert grade(q, "垄断忠诚 亲缘 利益") == Grade(True, 1.0, 1.0, (True,))
    assert grade(q, "垄断忠诚 亲缘 利益 方便") == Grade(False, 0.0, 1.0, (False,))
    assert grade(q.model_copy(update={"list_ok": False}), "垄断忠诚 亲缘 利益") == Grade(False, 0.0, 1.0, (False,))


# --- check_short: each problem, exactly -------------------------------------------------------

def test_check_short_reports_each_blank_phrase_and_calibration_problem() -> None:
    q = short([{"point": "价格", "accept": ["商品价格", "。"], "with": ["价格", "？"], "unless": ["！"]},
               {"point": "品质", "accept": ["商品品质"], "points": 2}],
              labels=[["甲", "、"]],
              calibration=[{"answer": "价格：商品价格", "score": 1}, {"answer": "商品品质", "score": 4},
                           {"answer": "商品品质", "score": 1}])
    assert list(check_short(q)) == [
        (("rubric", 0, "accept", 1), "可接受的表述不能只有标点或空白"),
        (("rubric", 0, "with", 1), "可接受的表述不能只有标点或空白"),
        (("rubric", 0, "unless", 0), "可接受的表述不能只有标点或空白"),
        (("labels", 0, 1), "标签不能只有标点或空白"),
        (("calibration", 1, "score"), "期望 4 分，超过满分 3 分"),
        (("calibration", 2), "期望 1 分，实际 2 分")]


# --- shorttext helpers: exact outputs ---------------------------------------------------------

def test_normalise_answer_turns_markers_into_line_breaks_and_lowers_case_unless_told_not_to() -> None:
    assert st.normalise_answer("①VIP客户②品質 1.價格 2)品质") == "\nvip客户\n品质 \n价格 \n品质"
    assert st.normalise_answer("①VIP客户②品質 1.價格 2)品质", False) == "\nVIP客户\n品质 \n价格 \n品质"


def test_items_cut_at_every_separator() -> None:
    assert st.items("价格。品质；服务\n对手、死亡，搬迁: 事件") == ["价格", "品质", "服务", "对手", "死亡", "搬迁", "事件"]


def test_sentences_mask_the_words_that_deny_nothing() -> None:
    assert st.sentences("不仅价格") == [st.Sentence("不仅价格", ((0, 4),), (False,), "＿＿价格")]


def test_occurrences_finds_every_start_overlapping_ones_included() -> None:
    assert st.occurrences("商品价格，商品价格，商品价格", "商品价格") == [0, 5, 10]
    assert st.occurrences("哈哈哈哈", "哈哈哈") == [0, 1]
    assert st.occurrences("基础材料", "基础材") == [0]        # three characters: no word-end check
    assert st.occurrences("基础材料", "基础") == [0]          # jieba cuts 基础|材料
    assert st.occurrences("基础材料", "础材") == []


def test_a_denial_right_after_the_phrase_cancels_it() -> None:
    q = short([{"point": "价格", "accept": ["商品价格"]}])
    assert grade(q, "商品价格无关") == Grade(False, 0.0, 1.0, (False,))
    assert grade(q, "商品价格，与品质无关") == Grade(True, 1.0, 1.0, (True,))


def test_jieba_loads_once_and_is_kept(monkeypatch) -> None:
    import jieba
    monkeypatch.setattr(st, "_tokenizer", None)
    tokenizer = st._jieba()
    assert isinstance(tokenizer, jieba.Tokenizer) and st._jieba() is tokenizer
    assert list(tokenizer.cut("基础材料", HMM=False)) == ["基础", "材料"]
