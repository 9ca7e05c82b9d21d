"""The chapter bank's countable rules, enforced on the real content tree so it cannot degrade."""
from __future__ import annotations

import re
from collections import Counter

import pytest

from tutor.content.loader import load

from conftest import CONTENT

KNOWLEDGE_POINTS = [
    "overview.definition", "overview.principles", "overview.process",
    "survey.content", "survey.steps", "survey.methods",
    "segmentation.necessity", "segmentation.standards",
    "churn.loyalty_types", "churn.loyalty_methods", "churn.causes", "churn.handling",
    "churn.competitive_strategies",
]
SECTION = re.compile(r"^[一二三四五六七八九十]+(\([一二三四五六七八九十]+\)(\d+(\(\d+\))?)?)?$")


@pytest.fixture(scope="module")
def course():
    catalog = load(CONTENT)
    assert catalog.errors == ()
    return catalog.course("chapter8")


def test_knowledge_point_ids_are_the_agreed_ones(course) -> None:
    assert list(course.knowledge_points) == KNOWLEDGE_POINTS


def test_bank_size_and_type_mix(course) -> None:
    types = Counter(q.type for q in course.questions)
    assert len(course.questions) >= 200
    assert types["single"] >= 80 and types["multiple"] >= 50 and types["truefalse"] >= 50


@pytest.mark.parametrize("kp", KNOWLEDGE_POINTS)
def test_every_knowledge_point_has_ten_questions_in_three_types(course, kp: str) -> None:
    questions = course.by_knowledge_point[kp]
    assert len(questions) >= 10
    assert len({q.type for q in questions}) >= 3


def test_every_question_has_explanation_difficulty_and_section(course) -> None:
    for q in course.questions:
        assert len(q.explanation.strip()) >= 15, q.id
        assert q.difficulty in (1, 2, 3), q.id
        assert q.section and SECTION.match(q.section), (q.id, q.section)


def test_difficulty_is_a_real_mix(course) -> None:
    counts = Counter(q.difficulty for q in course.questions)
    assert all(counts[d] >= 0.1 * len(course.questions) for d in (1, 2, 3)), counts


def test_true_false_is_balanced(course) -> None:
    answers = [q.answer for q in course.questions if q.type == "truefalse"]
    assert 0.4 <= sum(answers) / len(answers) <= 0.6


def test_no_two_questions_share_a_stem(course) -> None:
    stems = Counter("".join(q.stem.split()) for q in course.questions)
    assert [s for s, n in stems.items() if n > 1] == []


def test_no_option_points_at_another_by_letter(course) -> None:
    banned = re.compile(r"以上(都|均|皆)|[A-H]\s*[和与、]\s*[A-H]|选项\s*[A-H]")
    for q in course.questions:
        for option in getattr(q, "options", ()):
            assert not banned.search(option), (q.id, option)


def test_single_choice_answers_are_spread_over_positions(course) -> None:
    # shuffled on display anyway, but a bank keyed mostly "A" reads as careless to a reviewer
    positions = Counter(q.answer for q in course.questions if q.type == "single")
    assert max(positions.values()) <= 0.5 * sum(positions.values())


def test_lesson_sections_are_complete(course) -> None:
    for kp in KNOWLEDGE_POINTS:
        _, section = course.section_of[kp]
        assert section.key_points and section.explanation and section.examples, kp
        assert section.pitfalls, f"{kp}: 易混点 missing"
    assert course.section_of["churn.loyalty_types"][1].supplement, "the five loyalty types need the supplement"


def test_new_types_have_eight_questions_each(course) -> None:
    types = Counter(q.type for q in course.questions)
    for kind in ("fill", "ordering", "matching", "case", "short"):
        assert types[kind] >= 8, kind
    # ordering only where the chapter gives an order: the process and the survey stages
    assert {q.knowledge_point for q in course.questions if q.type == "ordering"} <= {
        "overview.process", "survey.steps"}


def test_every_key_grades_as_correct(course) -> None:
    from tutor.questions import grade, question_type
    for q in course.questions:
        assert grade(q, question_type(q).correct_response(q)).correct or q.type == "short", q.id
        if q.type == "short":
            assert grade(q, q.model_answer).correct, f"{q.id}: the model answer misses a rubric point"


def test_the_default_blueprint_can_be_drawn(course) -> None:
    (blueprint,) = course.manifest.exams
    assert blueprint.total_points == 50 and blueprint.question_count == 40 and blueprint.pass_percent == 60
