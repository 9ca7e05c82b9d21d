"""Every grader's whole result, value for value: `Grade(correct, score, max_score, parts)`.

These are the tests the mutation run (docs/mutation-testing.md) measures: each asserts the exact
Grade, so that a changed score, a doubled max_score, a flipped verdict or a lost part fails them.
Questions come from the real chapter 8 bank and from small hand-built models for the edges.
The short-answer grader is held here only to what any sensible grader does; its own values are
in tests/test_short_answers.py and tests/test_short_mutants.py.
"""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from tutor.content.loader import load
from tutor.questions import REGISTRY, Grade, GradingSettings, grade, parse_answer, question_type
from tutor.questions.base import duplicate_problems, is_permutation, normalise_text, permutation
from tutor.questions.case import Case
from tutor.questions.choice import MultipleChoice, SingleChoice, TrueFalse
from tutor.questions.fill import Fill, match_key, render_stem, stem_parts
from tutor.questions.form import InvalidAnswer, TamperedAnswer, one, shown_index, small_int, values
from tutor.questions.matching import Matching, choices
from tutor.questions.ordering import Ordering
from tutor.questions.short import Short

CONTENT = Path(__file__).resolve().parent.parent / "content"
COMMON = {"knowledge_point": "survey.methods", "stem": "题干", "explanation": "解析"}
DEFAULT = GradingSettings()
PARTIAL = GradingSettings("partial")
BOTH = (DEFAULT, PARTIAL)

RIGHT = Grade(True, 1.0, 1.0)
WRONG = Grade(False, 0.0, 1.0)

single = SingleChoice(id="s", type="single", options=("甲", "乙", "丙", "丁"), answer="C", **COMMON)
multiple = MultipleChoice(id="m", type="multiple", options=("甲", "乙", "丙", "丁", "戊"),
                          answer=("A", "C", "D"), **COMMON)
true_key = TrueFalse(id="t1", type="truefalse", answer=True, **COMMON)
false_key = TrueFalse(id="t0", type="truefalse", answer=False, **COMMON)
fill = Fill(id="f", type="fill", knowledge_point="survey.methods", explanation="解析",
            stem="费用{{1}}，可靠性{{2}}，范围{{3}}。",
            blanks=(("最低", "最少"), ("最小",), ("VIP客户", "重点客户")))
ordering = Ordering(id="o", type="ordering", items=("一", "二", "三", "四"), **COMMON)
ordering_partial = ordering.model_copy(update={"partial_credit": True})
# Rights "甲" twice, so choices() lists 甲, 乙, 丙, then the distractor 丁: index 3 matches nothing.
matching = Matching(id="mt", type="matching", pairs=(
    {"left": "一", "right": "甲"}, {"left": "二", "right": "乙"},
    {"left": "三", "right": "甲"}, {"left": "四", "right": "丙"}), distractors=("丁",), **COMMON)
# No distractors: the last choice is a right item, so index -1 would name it if let through.
matching_plain = Matching(id="mp", type="matching", pairs=(
    {"left": "一", "right": "甲"}, {"left": "二", "right": "乙"}, {"left": "三", "right": "丙"}), **COMMON)
short = Short(id="sh", type="short", rubric=(
    {"point": "双赢", "accept": ("双赢",), "points": 2},
    {"point": "数据库", "accept": ("数据库",)},
    {"point": "抱怨", "accept": ("抱怨", "投诉")}), model_answer="双赢；数据库；抱怨", **COMMON)
case = Case(id="c", type="case", knowledge_point="churn.causes", stem="案例", questions=(
    {"type": "single", "stem": "一", "options": ("甲", "乙"), "answer": "A", "explanation": "解析"},
    {"type": "multiple", "stem": "二", "options": ("甲", "乙", "丙"), "answer": ("A", "B"),
     "explanation": "解析"},
    {"type": "fill", "stem": "三{{1}}{{2}}", "blanks": (("价格",), ("品质",)), "explanation": "解析"},
    {"type": "truefalse", "stem": "四", "answer": False, "explanation": "解析"}))

HAND_BUILT = (single, multiple, true_key, false_key, fill, ordering, ordering_partial, matching,
              matching_plain, case)


def parts_of(n: int, value: bool = False) -> tuple[bool, ...]:
    return tuple(value for _ in range(n))


def zero(q) -> Grade:
    """What a malformed response earns: nothing, with the question's full max_score and parts."""
    if q.type in ("fill",):
        return Grade(False, 0.0, 1.0, parts_of(len(q.blanks)))
    if q.type == "ordering":
        return Grade(False, 0.0, 1.0, parts_of(len(q.items)))
    if q.type == "matching":
        return Grade(False, 0.0, 1.0, parts_of(len(q.pairs)))
    if q.type == "case":
        subs = tuple(zero(s) for s in q.questions)
        return Grade(False, 0.0, float(sum(s.max_score for s in subs)), subs)
    return WRONG


# --- single choice ---------------------------------------------------------------------------

@pytest.mark.parametrize("settings", BOTH)
def test_single_choice_values(settings) -> None:
    assert grade(single, "C", settings) == RIGHT
    for other in "ABD":
        assert grade(single, other, settings) == WRONG
    assert grade(single, "E", settings) == WRONG     # a letter past the options


# --- multiple choice -------------------------------------------------------------------------

@pytest.mark.parametrize("settings", BOTH)
def test_multiple_choice_key_in_any_order_or_container(settings) -> None:
    for key in (["A", "C", "D"], ("D", "C", "A"), ["C", "A", "D"]):
        assert grade(multiple, key, settings) == RIGHT


def test_multiple_choice_all_or_nothing() -> None:
    for wrong in (["A", "C"], ["A"], ["A", "B", "C", "D"], ["B"], ["A", "B"], ["B", "E"], [],
                  ["A", "C", "D", "E"], ["A", "C", "D", "D"], ["A", "A", "C", "D"]):
        assert grade(multiple, wrong) == WRONG, wrong
        assert grade(multiple, wrong, GradingSettings("all_or_nothing")) == WRONG, wrong


def test_multiple_choice_partial_scoring() -> None:
    assert grade(multiple, ["A", "C"], PARTIAL) == Grade(False, 2 / 3, 1.0)
    assert grade(multiple, ["D", "A"], PARTIAL) == Grade(False, 2 / 3, 1.0)
    assert grade(multiple, ["D"], PARTIAL) == Grade(False, 1 / 3, 1.0)
    # any wrong option, nothing chosen, or a duplicated choice earns nothing
    for wrong in (["A", "B"], ["A", "C", "D", "E"], ["B"], [], ["A", "A"], ["A", "C", "C"]):
        assert grade(multiple, wrong, PARTIAL) == WRONG, wrong
    # an unknown scoring name is all-or-nothing
    assert grade(multiple, ["A", "C"], GradingSettings("lenient")) == WRONG


# --- true/false ------------------------------------------------------------------------------

def test_true_false_both_keys_both_answers() -> None:
    assert grade(true_key, True) == RIGHT
    assert grade(true_key, False) == WRONG
    assert grade(false_key, False) == RIGHT
    assert grade(false_key, True) == WRONG
    for q in (true_key, false_key):     # look-alikes of a bool are not answers
        for tampered in (1, 0, 1.0, 0.0, "true", "false", "True", "", "对", "错", [True], None):
            assert grade(q, tampered) == WRONG, (q.answer, tampered)


# --- fill ------------------------------------------------------------------------------------

def test_fill_each_blank_and_alternatives() -> None:
    assert grade(fill, ["最低", "最小", "VIP客户"]) == Grade(True, 1.0, 1.0, (True, True, True))
    assert grade(fill, ("最少", "最小", "重点客户")) == Grade(True, 1.0, 1.0, (True, True, True))
    assert grade(fill, ["最低", "最大", "VIP客户"]) == Grade(False, 2 / 3, 1.0, (True, False, True))
    assert grade(fill, ["最高", "最小", "客户"]) == Grade(False, 1 / 3, 1.0, (False, True, False))
    assert grade(fill, ["最小", "最低", "重点"]) == Grade(False, 0.0, 1.0, (False, False, False))
    # an alternative belongs to its own blank only
    assert grade(fill, ["最小", "最小", "VIP客户"]) == Grade(False, 2 / 3, 1.0, (False, True, True))


def test_fill_normalises_width_spaces_and_trailing_punctuation_only() -> None:
    assert grade(fill, [" 最 低 ", "最小。", "ＶＩＰ客户！"]) == Grade(True, 1.0, 1.0, (True, True, True))
    assert grade(fill, ["最\u3000低", "最小…", "VIP 客户;"]) == Grade(True, 1.0, 1.0, (True, True, True))
    # leading punctuation and inner punctuation are not forgiven; letter case is, by default
    assert grade(fill, ["。最低", "最小", "vip客户"]) == Grade(False, 2 / 3, 1.0, (False, True, True))
    assert grade(fill, ["最低", "最小", "vIp客戶"]) == Grade(False, 2 / 3, 1.0, (True, True, False))
    assert grade(fill, ["最，低", "最小", "VIP客户"]) == Grade(False, 2 / 3, 1.0, (False, True, True))
    assert normalise_text("ＡＢ　ｃ。，") == "ABc"
    assert normalise_text("！甲！") == "!甲"      # NFKC makes it half-width; only the end is cut


def test_fill_letter_case_counts_only_when_the_question_says_so() -> None:
    """Moodle's shortanswer default (usecase 0): fob is FOB; case_sensitive: true keeps it exact."""
    loose = Fill(id="loose", type="fill", knowledge_point="k", explanation="解析", stem="{{1}}价",
                 blanks=(("FOB", "Free On Board"),))
    exact = loose.model_copy(update={"case_sensitive": True})
    for given in ("FOB", "fob", "Fob", "ｆｏｂ", "free on board", "FREE ON BOARD。"):
        assert grade(loose, [given]) == Grade(True, 1.0, 1.0, (True,)), given
    assert grade(exact, ["FOB"]) == grade(exact, ["ＦＯＢ"]) == Grade(True, 1.0, 1.0, (True,))
    assert grade(exact, ["Free On Board"]) == Grade(True, 1.0, 1.0, (True,))
    for given in ("fob", "Fob", "free on board", "FREE ON BOARD"):
        assert grade(exact, [given]) == Grade(False, 0.0, 1.0, (False,)), given
    # folding case never makes a different word right, and leaves Chinese alone
    assert grade(loose, ["CIF"]) == Grade(False, 0.0, 1.0, (False,))
    assert grade(fill, ["最低", "最小", "ViP客户"]) == Grade(True, 1.0, 1.0, (True, True, True))
    # what a blank is compared by: normalised, in lower case, or as written when case counts
    assert match_key(" Free On Board。", False) == "freeonboard"
    assert match_key(" Free On Board。", True) == "FreeOnBoard"


def test_fill_blank_left_empty_never_counts() -> None:
    # even when an accepted answer normalises to nothing (punctuation only), a blank with only
    # spaces is not an answer
    odd = Fill(id="odd", type="fill", knowledge_point="k", explanation="解析", stem="{{1}}{{2}}",
               blanks=(("！",), ("甲",)))
    assert grade(odd, ["  ", "甲"]) == Grade(False, 0.5, 1.0, (False, True))
    assert grade(odd, ["", "甲"]) == Grade(False, 0.5, 1.0, (False, True))
    assert grade(odd, ["！", "甲"]) == Grade(True, 1.0, 1.0, (True, True))
    assert grade(fill, ["", "", ""]) == zero(fill)


def test_fill_extra_or_missing_blanks_earn_nothing() -> None:
    for tampered in ([], ["最低"], ["最低", "最小"], ["最低", "最小", "VIP客户", "多余"],
                     ("最低", "最小", "VIP客户", "")):
        assert grade(fill, tampered) == zero(fill), tampered


def test_fill_stem_parts() -> None:
    assert stem_parts(fill.stem) == ["费用", 0, "，可靠性", 1, "，范围", 2, "。"]
    assert stem_parts("{{1}}在前{{2}}") == [0, "在前", 1]


# --- ordering --------------------------------------------------------------------------------

@pytest.mark.parametrize("q", (ordering, ordering_partial), ids=("exact", "partial"))
def test_ordering_right(q) -> None:
    assert grade(q, [0, 1, 2, 3]) == Grade(True, 1.0, 1.0, (True, True, True, True))
    assert grade(q, (0, 1, 2, 3)) == Grade(True, 1.0, 1.0, (True, True, True, True))


def test_ordering_one_swap_and_reversed() -> None:
    assert grade(ordering, [1, 0, 2, 3]) == Grade(False, 0.0, 1.0, (False, False, True, True))
    assert grade(ordering_partial, [1, 0, 2, 3]) == Grade(False, 0.5, 1.0, (False, False, True, True))
    assert grade(ordering_partial, [0, 1, 3, 2]) == Grade(False, 0.5, 1.0, (True, True, False, False))
    assert grade(ordering_partial, [0, 2, 1, 3]) == Grade(False, 0.5, 1.0, (True, False, False, True))
    assert grade(ordering, [3, 2, 1, 0]) == Grade(False, 0.0, 1.0, (False, False, False, False))
    assert grade(ordering_partial, [3, 2, 1, 0]) == Grade(False, 0.0, 1.0, (False, False, False, False))
    assert grade(ordering_partial, [3, 1, 2, 0]) == Grade(False, 0.5, 1.0, (False, True, True, False))
    assert grade(ordering_partial, [0, 3, 1, 2]) == Grade(False, 0.25, 1.0, (True, False, False, False))


@pytest.mark.parametrize("q", (ordering, ordering_partial), ids=("exact", "partial"))
def test_ordering_malformed(q) -> None:
    for tampered in ([0, 0, 1, 2], [0, 1, 1, 3], [0, 1, 2, 4], [1, 2, 3, 4], [-1, 0, 1, 2],
                     [0, 1, 2], [0, 1, 2, 3, 4], [0, 1, 2, 3, 3], [], "0123", [False, True, 2, 3],
                     [0.0, 1.0, 2.0, 3.0], [0, 1, 2, "3"], ["0", "1", "2", "3"], [0, 1, 2, None],
                     [[0], 1, 2, 3], {0: 0, 1: 1, 2: 2, 3: 3}, {0, 1, 2, 3}):
        assert grade(q, tampered) == zero(q), tampered


def test_ordering_defaults_to_no_partial_credit() -> None:
    plain = Ordering(id="o2", type="ordering", items=("甲", "乙", "丙"), **COMMON)
    assert plain.partial_credit is False
    assert grade(plain, [0, 2, 1]) == Grade(False, 0.0, 1.0, (True, False, False))


# --- matching --------------------------------------------------------------------------------

def test_matching_choices_and_key() -> None:
    assert choices(matching) == ("甲", "乙", "丙", "丁")
    assert choices(matching_plain) == ("甲", "乙", "丙")
    assert question_type(matching).correct_response(matching) == [0, 1, 0, 2]
    # a distractor that equals a right item once normalised is listed once, as first written
    twin = Matching(id="tw", type="matching", pairs=({"left": "一", "right": "甲 乙"},
                                                      {"left": "二", "right": "丙"}),
                    distractors=("甲乙。", "丁"), **COMMON)
    assert choices(twin) == ("甲 乙", "丙", "丁")
    assert question_type(twin).correct_response(twin) == [0, 1]


def test_matching_right_and_partial() -> None:
    assert grade(matching, [0, 1, 0, 2]) == Grade(True, 1.0, 1.0, (True, True, True, True))
    assert grade(matching, (0, 1, 0, 2)) == Grade(True, 1.0, 1.0, (True, True, True, True))
    assert grade(matching, [0, 1, 0, 3]) == Grade(False, 0.75, 1.0, (True, True, True, False))
    assert grade(matching, [1, 0, 0, 2]) == Grade(False, 0.5, 1.0, (False, False, True, True))
    assert grade(matching, [None, 1, None, 2]) == Grade(False, 0.5, 1.0, (False, True, False, True))
    assert grade(matching, [3, 3, 3, 3]) == Grade(False, 0.0, 1.0, (False, False, False, False))
    # duplicates: one choice for every left item scores only the pairs it belongs to
    assert grade(matching, [0, 0, 0, 0]) == Grade(False, 0.5, 1.0, (True, False, True, False))
    assert grade(matching_plain, [2, 2, 2]) == Grade(False, 1 / 3, 1.0, (False, False, True))


def test_matching_indices_out_of_range_or_not_int() -> None:
    # one past the end, far past, negative (which Python would read from the end), bools, floats
    assert grade(matching, [0, 1, 0, 4]) == Grade(False, 0.75, 1.0, (True, True, True, False))
    assert grade(matching_plain, [0, 1, 3]) == Grade(False, 2 / 3, 1.0, (True, True, False))
    assert grade(matching_plain, [0, 1, -1]) == Grade(False, 2 / 3, 1.0, (True, True, False))
    assert grade(matching_plain, [-3, 1, 2]) == Grade(False, 2 / 3, 1.0, (False, True, True))
    assert grade(matching_plain, [0, True, 2]) == Grade(False, 2 / 3, 1.0, (True, False, True))
    assert grade(matching_plain, [False, 1, 2]) == Grade(False, 2 / 3, 1.0, (False, True, True))
    assert grade(matching_plain, [0, 1.0, 2]) == Grade(False, 2 / 3, 1.0, (True, False, True))
    assert grade(matching_plain, ["0", 1, 2]) == Grade(False, 2 / 3, 1.0, (False, True, True))
    assert grade(matching_plain, [10 ** 30, 1, 2]) == Grade(False, 2 / 3, 1.0, (False, True, True))


def test_matching_wrong_length() -> None:
    for tampered in ([0, 1, 0], [0, 1, 0, 2, 0], [], [0, 1, 0, 2, None]):
        assert grade(matching, tampered) == zero(matching), tampered


# --- case ------------------------------------------------------------------------------------

def test_case_is_the_sum_of_its_sub_questions() -> None:
    right = grade(case, ["A", ["A", "B"], ["价格", "品质"], False])
    assert right == Grade(True, 4.0, 4.0, (RIGHT, RIGHT, Grade(True, 1.0, 1.0, (True, True)), RIGHT))
    mixed = grade(case, ("B", ["A", "B"], ["价格", "服务"], True))
    assert mixed == Grade(False, 1.5, 4.0, (WRONG, RIGHT, Grade(False, 0.5, 1.0, (True, False)), WRONG))
    # missing answers count as unanswered; extra ones are ignored
    assert grade(case, ["A"]) == Grade(False, 1.0, 4.0, (RIGHT,) + zero(case).parts[1:])
    assert grade(case, ["A", ["A", "B"], ["价格", "品质"], False, "多余"]) == right


def test_case_passes_course_settings_to_sub_questions() -> None:
    """Partial multiple-choice scoring, set for the course, reaches a case's multiple sub-question."""
    answers = ["A", ["A"], ["价格", "品质"], False]
    assert grade(case, answers, PARTIAL) == Grade(
        False, 3.5, 4.0, (RIGHT, Grade(False, 0.5, 1.0), Grade(True, 1.0, 1.0, (True, True)), RIGHT))
    assert grade(case, answers) == Grade(
        False, 3.0, 4.0, (RIGHT, WRONG, Grade(True, 1.0, 1.0, (True, True)), RIGHT))


def test_case_max_score_counts_short_answer_points() -> None:
    with_short = Case(id="c2", type="case", knowledge_point="k", stem="案例", questions=(
        {"type": "truefalse", "stem": "一", "answer": True, "explanation": "解析"},
        {"type": "short", "stem": "二", "rubric": ({"point": "p", "accept": ("品质",), "points": 3},),
         "model_answer": "品质", "explanation": "解析"}))
    result = grade(with_short, [True, ""])
    assert (result.correct, result.score, result.max_score) == (False, 1.0, 4.0)
    assert result.parts[0] == RIGHT and result.parts[1].max_score == 3.0 and result.parts[1].score == 0.0
    # a short sub-question makes the case's score partly a keyword score: 自评 and 人工复核 apply
    assert question_type(with_short).rubric_scored(with_short) is True
    assert question_type(case).rubric_scored(case) is False
    assert question_type(short).rubric_scored(short) is True
    assert [kind.rubric_scored(q) for kind, q in ((question_type(single), single), (question_type(fill), fill),
                                                  (question_type(matching), matching))] == [False, False, False]


# --- short answer: only what any sensible grader does -----------------------------------------

def test_short_answer_public_contract() -> None:
    total = 4.0
    for empty in ("", "   ", "\n\t", None, 5, ["双赢"], {"text": "双赢"}):
        result = grade(short, empty)
        assert (result.correct, result.score, result.max_score) == (False, 0.0, total), empty
        assert len(result.parts) == len(short.rubric)
    result = grade(short, short.model_answer)
    assert result.max_score == total and len(result.parts) == len(short.rubric)
    assert 0.0 <= result.score <= total


# --- malformed responses, every type ---------------------------------------------------------

JUNK = (None, 0, 1, -1, 2.5, True, False, "", "A", "0123", "true", b"A", [], (), {}, set(),
        [None], [[]], [{}], [[0, 1]], {"A": 1}, {"A", "C"}, [0] * 10_000, ["A"] * 10_000,
        list(range(10_000)), [["A", ["B", [None]]]], object())


@pytest.mark.parametrize("q", HAND_BUILT, ids=lambda q: q.id)
@pytest.mark.parametrize("settings", BOTH, ids=("all_or_nothing", "partial"))
def test_malformed_responses_earn_nothing_and_never_raise(q, settings) -> None:
    for junk in JUNK:
        if isinstance(junk, bool) and q.type == "truefalse" or junk == ["A"] * 10_000 and q.type == "case":
            continue           # a true/false answer; a case whose first sub-question's key is "A"
        assert grade(q, junk, settings) == zero(q), (q.id, repr(junk)[:40])


# --- the real chapter 8 bank -----------------------------------------------------------------

@pytest.fixture(scope="module")
def bank():
    catalog = load(CONTENT)
    return catalog.course("chapter8")


def _full(q) -> Grade:
    """The grade of the stored correct response: every part right."""
    if q.type in ("single", "multiple", "truefalse"):
        return RIGHT
    if q.type == "fill":
        return Grade(True, 1.0, 1.0, parts_of(len(q.blanks), True))
    if q.type == "ordering":
        return Grade(True, 1.0, 1.0, parts_of(len(q.items), True))
    if q.type == "matching":
        return Grade(True, 1.0, 1.0, parts_of(len(q.pairs), True))
    subs = tuple(_full(s) for s in q.questions)
    return Grade(True, float(len(subs)), float(len(subs)), subs)


def test_bank_has_every_type(bank) -> None:
    assert {q.type for q in bank.questions} == set(REGISTRY)


def test_every_bank_question_graded_right_on_its_key_and_zero_on_junk(bank) -> None:
    for q in bank.questions:
        if q.type == "short" or (q.type == "case" and any(s.type == "short" for s in q.questions)):
            continue
        kind = question_type(q)
        for settings in (bank.grading, PARTIAL):
            assert grade(q, kind.correct_response(q), settings) == _full(q), q.id
            for junk in (None, "", [], {}, [None] * 3, ["x"] * 500):
                assert grade(q, junk, settings) == zero(q), (q.id, junk)


def test_bank_wrong_answers(bank) -> None:
    rng = random.Random(15)
    for q in bank.questions:
        if q.type == "single":
            wrong = next(letter for letter in "ABCDEFGH"[:len(q.options)] if letter != q.answer)
            assert grade(q, wrong) == WRONG, q.id
        elif q.type == "multiple":
            assert grade(q, list(q.answer[:-1])) == WRONG, q.id
            assert grade(q, list(q.answer[:-1]), PARTIAL) == Grade(
                False, (len(q.answer) - 1) / len(q.answer), 1.0), q.id
        elif q.type == "truefalse":
            assert grade(q, not q.answer) == WRONG and grade(q, q.answer) == RIGHT, q.id
        elif q.type == "ordering":
            n = len(q.items)
            swapped = [1, 0] + list(range(2, n))
            parts = (False, False) + parts_of(n - 2, True)
            assert grade(q, swapped) == Grade(False, (n - 2) / n if q.partial_credit else 0.0, 1.0, parts), q.id
            assert grade(q, list(reversed(range(n)))).correct is False
        elif q.type == "matching":
            key = question_type(q).correct_response(q)
            size = len(choices(q))
            assert grade(q, key[:-1] + [size]) == Grade(
                False, (len(key) - 1) / len(key), 1.0, parts_of(len(key) - 1, True) + (False,)), q.id
            shuffled = [rng.randrange(size) for _ in key]
            result = grade(q, shuffled)
            expected = tuple(normalise_text(choices(q)[c]) == normalise_text(p.right)
                             for c, p in zip(shuffled, q.pairs))
            assert result == Grade(all(expected), sum(expected) / len(key), 1.0, expected), q.id
        elif q.type == "fill":
            wrong = [accepted[0] for accepted in q.blanks[:-1]] + ["不知道"]
            n = len(q.blanks)
            assert grade(q, wrong) == Grade(n == 0, (n - 1) / n, 1.0, parts_of(n - 1, True) + (False,)), q.id


# --- checks and layouts the same graders rely on ------------------------------------------------

def test_checks_find_every_problem() -> None:
    bad_single = SingleChoice.model_construct(id="s", type="single", options=("甲", " 甲 ", "乙"), answer="D",
                                              **COMMON)
    assert list(question_type(bad_single).check(bad_single)) == [
        (("options", 1), "选项重复：与选项 A 相同"), (("answer",), "答案 D 不在选项中（只有 3 个选项）")]
    assert list(question_type(single).check(single)) == []
    bad_multiple = MultipleChoice.model_construct(id="m", type="multiple", options=("甲", "乙", "丙"),
                                                  answer=("C", "C"), **COMMON)
    assert list(question_type(bad_multiple).check(bad_multiple)) == [
        (("answer",), "答案中有重复的字母"), (("answer",), "多选题至少要有两个正确选项")]
    past = MultipleChoice.model_construct(id="m", type="multiple", options=("甲", "乙", "丙"),
                                          answer=("A", "C", "D"), **COMMON)
    assert list(question_type(past).check(past)) == [(("answer",), "答案 D 不在选项中（只有 3 个选项）")]
    assert list(question_type(multiple).check(multiple)) == []
    assert list(question_type(true_key).check(true_key)) == []
    assert list(question_type(fill).check(fill)) == []
    gaps = Fill.model_construct(id="f", type="fill", knowledge_point="k", explanation="解析",
                                stem="{{1}}和{{3}}", blanks=(("甲",), ()))
    assert list(question_type(gaps).check(gaps)) == [
        (("stem",), "题干中的空位应依次写作 {{1}} 到 {{2}}，与 blanks 的 2 项对应；现在是 [1, 3]"),
        (("blanks", 1), "每个空至少要有一个可接受的答案")]
    none = Fill.model_construct(id="f", type="fill", knowledge_point="k", explanation="解析",
                                stem="没有空", blanks=(("甲",),))
    assert list(question_type(none).check(none)) == [
        (("stem",), "题干中的空位应依次写作 {{1}} 到 {{1}}，与 blanks 的 1 项对应；现在是 没有空位")]
    twice = Ordering(id="o", type="ordering", items=("甲", "乙", " 甲。", "乙"), **COMMON)
    assert list(question_type(twice).check(twice)) == [
        (("items", 2), "排序项重复：与第 1 项相同"), (("items", 3), "排序项重复：与第 2 项相同")]
    assert list(question_type(ordering).check(ordering)) == []
    clash = Matching(id="mt", type="matching", pairs=({"left": "一", "right": "甲"}, {"left": "一。", "right": "乙"}),
                     distractors=("乙", "丙", "丙"), **COMMON)
    assert list(question_type(clash).check(clash)) == [
        (("pairs", 1), "左侧项重复：与第 1 项相同"), (("distractors", 0), "干扰项与某个正确的右侧项相同"),
        (("distractors", 2), "干扰项重复：与第 2 项相同")]
    assert list(question_type(matching).check(matching)) == []
    bad_case = Case.model_construct(id="c", type="case", knowledge_point="k", stem="案例", questions=(
        case.questions[0], MultipleChoice.model_construct(type="multiple", stem="二", options=("甲", "乙"),
                                                          answer=("A",), explanation="解析")))
    assert list(question_type(bad_case).check(bad_case)) == [
        (("questions", 1, "answer"), "多选题至少要有两个正确选项")]
    assert list(question_type(case).check(case)) == []
    assert list(duplicate_problems("f", ("甲", "乙", "甲", "甲"), "项")) == [
        (("f", 2), "项重复：与第 1 项相同"), (("f", 3), "项重复：与第 1 项相同")]


def test_layouts_fit_and_shuffle() -> None:
    assert permutation(4, None) == [0, 1, 2, 3]
    assert sorted(permutation(6, random.Random(1))) == list(range(6))
    assert any(permutation(6, random.Random(seed)) != list(range(6)) for seed in range(3))
    assert is_permutation([2, 0, 1], 3) and not is_permutation((0, 1, 2), 3)
    assert not is_permutation([0, 1], 3) and not is_permutation([0, 1, 1], 3) and not is_permutation(None, 0)
    assert not is_permutation([0, 1, "2"], 3) and not is_permutation([False, True], 2)
    rng = random.Random(2)
    for q in HAND_BUILT:
        kind = question_type(q)
        assert kind.layout_fits(q, kind.layout(q, rng)), q.id
        assert kind.layout_fits(q, kind.layout(q, None)), q.id
        assert not kind.layout_fits(q, None) and not kind.layout_fits(q, "x"), q.id
    assert question_type(single).layout(single, None) == [0, 1, 2, 3]
    assert not question_type(single).layout_fits(single, [0, 1, 2])
    assert question_type(true_key).layout(true_key, rng) == [] and question_type(fill).layout(fill, rng) == []
    assert not question_type(true_key).layout_fits(true_key, [0])
    assert question_type(matching).layout(matching, None) == {"left": [0, 1, 2, 3], "right": [0, 1, 2, 3]}
    assert not question_type(matching).layout_fits(matching, {"left": [0, 1, 2, 3], "right": [0, 1, 2]})
    assert not question_type(matching).layout_fits(matching, {"left": [0, 1, 2], "right": [0, 1, 2, 3]})
    assert not question_type(matching).layout_fits(matching, [[0, 1, 2, 3], [0, 1, 2, 3]])
    assert question_type(case).layout(case, None) == [[0, 1], [0, 1, 2], [], []]
    assert not question_type(case).layout_fits(case, [[0, 1], [0, 1, 2], []])
    assert not question_type(case).layout_fits(case, [[0, 1], [0, 1], [], []])
    for seed in range(30):           # an ordering is never shown already solved
        assert question_type(ordering).layout(ordering, random.Random(seed)) != [0, 1, 2, 3]
    assert question_type(ordering).layout(ordering, None) == [0, 1, 2, 3]
    assert question_type(ordering).layout_fits(ordering, [3, 2, 1, 0])
    assert not question_type(ordering).layout_fits(ordering, [0, 1, 2])


def test_layouts_use_the_random_source_they_are_given() -> None:
    """With a random source, every shuffled part of a layout comes out in some other order than
    the written one for some seed; without one, it is the written order."""
    seeds = range(20)
    for q in (single, multiple, case):
        kind = question_type(q)
        assert any(kind.layout(q, random.Random(seed)) != kind.layout(q, None) for seed in seeds), q.id
    kind = question_type(matching)
    layouts = [kind.layout(matching, random.Random(seed)) for seed in seeds]
    assert any(layout["left"] != [0, 1, 2, 3] for layout in layouts)
    assert any(layout["right"] != [0, 1, 2, 3] for layout in layouts)
    pair = Ordering(id="o2", type="ordering", items=("甲", "乙"), **COMMON)
    for seed in range(30):           # two items: the only other order, every time
        assert question_type(pair).layout(pair, random.Random(seed)) == [1, 0]


def test_grade_fraction() -> None:
    assert Grade(False, 1.5, 4.0).fraction == 0.375
    assert Grade(False, 0.0, 0.0).fraction == 0.0


# --- form parsing: what a posted answer form becomes before it is graded -----------------------

def parse(q, layout, form, prefix=""):
    return question_type(q).parse(q, layout, form, prefix)


def refused(q, layout, form, prefix=""):
    """The exception class and message a form is refused with."""
    try:
        parse(q, layout, form, prefix)
    except InvalidAnswer as exc:
        return type(exc), str(exc)
    raise AssertionError(f"accepted {form}")


def test_form_helpers() -> None:
    form = {"a": ["1"], "b": ["1", "2"], "c": []}
    assert values(form, "a") == ["1"] and values(form, "c") == [] and values(form, "x") == []
    assert one(form, "a") == "1" and one(form, "b") is None and one(form, "c") is None
    assert [small_int(t, 10) for t in ("0", "7", "10", "11", "", None, "-1", "1.0", "²", "٣", " 1")] == [
        0, 7, 10, None, None, None, None, None, None, None, None]
    assert small_int("999999", 10 ** 6) == 999999 and small_int("0000001", 10 ** 6) is None
    assert shown_index("3", 4) == 3 and shown_index("0", 4) == 0
    for bad in ("4", "-1", "", "x"):
        with pytest.raises(TamperedAnswer, match="选项无效"):
            shown_index(bad, 4)


def test_parse_choice_through_the_shown_order() -> None:
    layout = [2, 0, 3, 1]          # shown first: option C, then A, D, B
    assert parse(single, layout, {"choice": ["0"]}) == "C"
    assert parse(single, layout, {"choice": ["3"]}) == "B"
    assert parse(single, layout, {"q-choice": ["1"]}, "q-") == "A"
    assert parse_answer(single, {"choice": ["0"]}, layout) == "C"      # the registry's entry: no prefix
    assert parse_answer(case, {"s0-choice": ["0"], "s1-choice": ["0"], "s2-blank-0": ["价格"],
                               "s3-choice": ["true"]}, [[0, 1], [0, 1, 2], [], []]) == ["A", ["A"], ["价格", ""], True]
    assert refused(single, layout, {}) == (InvalidAnswer, "请选择一个选项")
    assert refused(single, layout, {"choice": ["0", "1"]}) == (TamperedAnswer, "单选题只能选一个选项")
    assert refused(single, layout, {"choice": ["4"]}) == (TamperedAnswer, "选项无效")
    assert refused(single, layout, {"q-choice": ["1"]}) == (InvalidAnswer, "请选择一个选项")
    layout5 = [4, 3, 2, 1, 0]
    assert parse(multiple, layout5, {"choice": ["4", "2", "1"]}) == ["A", "C", "D"]
    assert parse(multiple, layout5, {"choice": ["0"]}) == ["E"]
    assert refused(multiple, layout5, {"choice": []}) == (InvalidAnswer, "请至少选择一个选项")
    assert refused(multiple, layout5, {"choice": ["1", "1"]}) == (TamperedAnswer, "选项重复")
    assert refused(multiple, layout5, {"choice": ["1", "5"]}) == (TamperedAnswer, "选项无效")
    assert parse(true_key, [], {"choice": ["true"]}) is True
    assert parse(true_key, [], {"choice": ["false"]}) is False
    assert refused(true_key, [], {}) == (InvalidAnswer, "请选择“正确”或“错误”")
    for bad in (["True"], ["1"], ["true", "false"], ["true", "true"]):
        assert refused(true_key, [], {"choice": bad}) == (TamperedAnswer, "判断题只能选“正确”或“错误”")


def test_parse_fill_ordering_matching_case() -> None:
    assert parse(fill, [], {"blank-0": [" 最低 "], "blank-2": ["重点客户"]}) == ["最低", "", "重点客户"]
    assert parse(fill, [], {"blank-0": ["长" * 300], "blank-1": ["a", "b"]}) == ["长" * 200, "", ""]
    assert refused(fill, [], {"blank-0": ["  "], "blank-1": [""]}) == (InvalidAnswer, "请填写答案")
    layout = [2, 0, 3, 1]          # shown items: 三, 一, 四, 二
    right = {"rank-0": ["3"], "rank-1": ["1"], "rank-2": ["4"], "rank-3": ["2"]}
    assert parse(ordering, layout, right) == [0, 1, 2, 3]
    assert parse(ordering, layout, {**right, "rank-0": ["4"], "rank-2": ["3"]}) == [0, 1, 3, 2]
    assert refused(ordering, layout, {**right, "rank-3": [""]}) == (InvalidAnswer, "请为每一项选择位置")
    assert refused(ordering, layout, {k: v for k, v in right.items() if k != "rank-3"}) == (
        InvalidAnswer, "请为每一项选择位置")
    for bad in ("0", "5", "-1", "x"):
        assert refused(ordering, layout, {**right, "rank-3": [bad]}) == (TamperedAnswer, "位置无效")
    assert refused(ordering, layout, {**right, "rank-3": ["1"]}) == (InvalidAnswer, "每个位置只能用一次")
    shown = {"left": [0, 1, 2, 3], "right": [3, 2, 1, 0]}   # shown choices: 丁, 丙, 乙, 甲
    assert parse(matching, shown, {"match-0": ["3"], "match-1": ["2"], "match-2": ["3"], "match-3": ["1"]}) == [
        0, 1, 0, 2]
    assert parse(matching, shown, {"match-1": ["0"]}) == [None, 3, None, None]
    assert refused(matching, shown, {"match-0": [""]}) == (InvalidAnswer, "请至少完成一组匹配")
    assert refused(matching, shown, {"match-0": ["4"]}) == (TamperedAnswer, "选项无效")
    case_layout = [[1, 0], [2, 1, 0], [], []]
    form = {"s0-choice": ["1"], "s1-choice": ["2", "1"], "s2-blank-0": ["价格"], "s2-blank-1": ["品质"],
            "s3-choice": ["false"]}
    assert parse(case, case_layout, form) == ["A", ["A", "B"], ["价格", "品质"], False]
    assert grade(case, parse(case, case_layout, form)) == grade(case, ["A", ["A", "B"], ["价格", "品质"], False])
    assert parse(case, case_layout, {"x-" + k: v for k, v in form.items()}, "x-")[3] is False
    assert refused(case, case_layout, {**form, "s1-choice": []}) == (InvalidAnswer, "第 2 小题：请至少选择一个选项")
    assert refused(case, case_layout, {**form, "s3-choice": ["yes"]}) == (
        TamperedAnswer, "第 4 小题：判断题只能选“正确”或“错误”")


def test_type_hooks_for_pages() -> None:
    assert render_stem(fill) == "费用（1）＿＿＿，可靠性（2）＿＿＿，范围（3）＿＿＿。"
    assert question_type(fill).render_stem(fill) == render_stem(fill)
    assert question_type(single).render_stem(single) == "题干"
    assert question_type(single).template("input") == "questions/single/input.html"
    kind = question_type(single)
    assert kind.tallied_options(single) == single.options
    assert kind.chosen_options(single, "C") == [2]
    assert question_type(multiple).chosen_options(multiple, ["A", "D", "Z", "AB", 1, "A"]) == [0, 3, 0]
    assert kind.chosen_options(single, None) == [] and kind.chosen_options(single, {"A": 1}) == []
    assert question_type(true_key).tallied_options(true_key) == ()
    assert question_type(true_key).chosen_options(true_key, True) == []
    assert question_type(matching).template_data(matching) == {"choices": ("甲", "乙", "丙", "丁")}
    assert question_type(ordering).template_data(ordering) == {}


# --- guess rate: what a blind guess earns, for difficulty calibration --------------------------

def test_guess_rate_of_each_type() -> None:
    """The share of the score a blind guess earns on average, taken out of the facility before a
    level is suggested (tutor/instructor/calibration.py), as docs/authoring.md states the rule:
    1/options for a single, 1/2 for a true/false, 1/(2^n − 1) for an all-or-nothing multiple
    choice, 1/choices for a matching, 1/n (partial credit) or 1/n! for an ordering, a case's
    sub-questions weighted by their points, 0 for what is written (fill, short)."""
    def rate(q) -> float:
        return question_type(q).guess_rate(q)
    assert rate(single) == 0.25
    assert rate(single.model_copy(update={"options": ("甲", "乙", "丙")})) == 1 / 3
    assert rate(single.model_copy(update={"options": ("甲", "乙", "丙", "丁", "戊")})) == 0.2
    assert rate(true_key) == rate(false_key) == 0.5
    assert rate(multiple) == 1 / 31                                  # 5 options: 31 non-empty sets
    assert rate(ordering) == 1 / 24 and rate(ordering_partial) == 1 / 4     # 4 items: 4! orders
    assert rate(matching) == 1 / 4 and rate(matching_plain) == 1 / 3      # 甲乙丙 + distractor 丁
    # one point each: single of 2 (1/2), multiple of 3 (1/7), fill (0), true/false (1/2)
    assert rate(case) == pytest.approx((1 / 2 + 1 / 7 + 0 + 1 / 2) / 4)
    assert rate(fill) == rate(short) == 0.0
    assert {q.type for q in HAND_BUILT + (short,)} == set(REGISTRY)
