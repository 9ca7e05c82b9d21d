"""Each grader in the registry, on its own, with the edge cases a tampered form can send."""
from __future__ import annotations

from tutor.questions import REGISTRY, grade
from tutor.questions.choice import MultipleChoice, SingleChoice, TrueFalse

COMMON = {"knowledge_point": "survey.methods", "stem": "题干", "explanation": "解析"}
single = SingleChoice(id="s", type="single", options=("甲", "乙", "丙"), answer="B", **COMMON)
multiple = MultipleChoice(id="m", type="multiple", options=("甲", "乙", "丙", "丁"),
                          answer=("A", "C"), **COMMON)
truefalse = TrueFalse(id="t", type="truefalse", answer=False, **COMMON)


def test_registry_has_one_grader_per_type() -> None:
    assert set(REGISTRY) == {"single", "multiple", "truefalse"}
    assert {t.label for t in REGISTRY.values()} == {"单选题", "多选题", "判断题"}


def test_single_choice() -> None:
    assert grade(single, "B").correct and grade(single, "B").score == 1.0
    assert not grade(single, "A").correct and grade(single, "A").score == 0.0
    for tampered in (None, "", "b", ["B"], "Z", 1):
        assert not grade(single, tampered).correct


def test_multiple_choice_is_all_or_nothing() -> None:
    assert grade(multiple, ["A", "C"]).correct
    assert grade(multiple, ["C", "A"]).correct
    assert grade(multiple, ("A", "C")).score == 1.0
    for wrong in (["A"], ["A", "B", "C"], [], None, "AC", ["A", "C", "C"], ["A", "A", "C"], [1, 3]):
        result = grade(multiple, wrong)
        assert not result.correct and result.score == 0.0 and result.max_score == 1.0


def test_true_false() -> None:
    assert grade(truefalse, False).correct
    assert not grade(truefalse, True).correct
    for tampered in (None, "false", 0, "错"):
        assert not grade(truefalse, tampered).correct
