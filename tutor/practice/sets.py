"""Choosing the questions of a practice set, for each practice mode."""
from __future__ import annotations

import random

from tutor.content.course import Course
from tutor.questions import QuestionBase

MODES = {
    "random": "随机练习",
    "sequential": "顺序练习",
    "study": "背题模式",
    "notebook": "错题本",
    "favourites": "收藏",
    "review": "智能复习",
}
SCOPED_MODES = ("random", "sequential", "study")


def scope_questions(course: Course, scope_kind: str, scope_id: str) -> tuple[QuestionBase, ...] | None:
    """The questions of a topic, a knowledge point or the whole course, in bank order."""
    if scope_kind == "all":
        return tuple(q for t in course.topics for q in course.questions_in_topic(t.id))
    if scope_kind == "topic":
        return course.questions_in_topic(scope_id) if course.topic(scope_id) else None
    if scope_kind == "kp":
        return course.by_knowledge_point.get(scope_id)
    return None


def scope_name(course: Course, scope_kind: str, scope_id: str) -> str:
    if scope_kind == "topic":
        topic = course.topic(scope_id)
        return topic.name if topic else scope_id
    if scope_kind == "kp":
        kp = course.knowledge_points.get(scope_id)
        return kp.name if kp else scope_id
    return course.manifest.title


def pick_random(questions: tuple[QuestionBase, ...], last_results: dict[str, bool], size: int,
                rng: random.Random) -> list[str]:
    """New questions first, then ones last answered wrong, then the rest; shuffled within each."""
    new = [q.id for q in questions if q.id not in last_results]
    wrong = [q.id for q in questions if last_results.get(q.id) is False]
    right = [q.id for q in questions if last_results.get(q.id) is True]
    for group in (new, wrong, right):
        rng.shuffle(group)
    return (new + wrong + right)[:size]


def pick_sequential(questions: tuple[QuestionBase, ...], start: int, size: int) -> tuple[list[str], int]:
    """The next `size` questions in bank order from `start`, starting over after the last."""
    if start >= len(questions):
        start = 0
    return [q.id for q in questions[start:start + size]], start
