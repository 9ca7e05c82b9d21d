"""Choosing the questions of a practice set."""
from __future__ import annotations

import random

from tutor.content.course import Course
from tutor.questions import QuestionBase


def scope_questions(course: Course, scope_kind: str, scope_id: str) -> tuple[QuestionBase, ...] | None:
    if scope_kind == "topic":
        return course.questions_in_topic(scope_id) if course.topic(scope_id) else None
    if scope_kind == "kp":
        return course.by_knowledge_point.get(scope_id)
    return None


def pick(questions: tuple[QuestionBase, ...], last_results: dict[str, bool], size: int,
         rng: random.Random) -> list[str]:
    """New questions first, then ones last answered wrong, then the rest; shuffled within each."""
    new = [q.id for q in questions if q.id not in last_results]
    wrong = [q.id for q in questions if last_results.get(q.id) is False]
    right = [q.id for q in questions if last_results.get(q.id) is True]
    for group in (new, wrong, right):
        rng.shuffle(group)
    return (new + wrong + right)[:size]
