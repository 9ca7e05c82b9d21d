"""Choosing the questions of a practice assignment: by knowledge points, 题型 and difficulty,
or hand-picked from the bank. Plain Python over the loaded course."""
from __future__ import annotations

import random
from dataclasses import dataclass

from tutor.content.course import Course
from tutor.questions import QuestionBase

MAX_QUESTIONS = 100     # a set a student can finish in one sitting on a phone


@dataclass(frozen=True)
class Filters:
    knowledge_points: frozenset[str] = frozenset()    # empty: every knowledge point
    types: frozenset[str] = frozenset()               # empty: every type
    difficulties: frozenset[int] = frozenset()        # empty: any difficulty (unlabelled included)


def bank_order(course: Course) -> list[QuestionBase]:
    """The course's questions in the order of its topics and knowledge points."""
    return [q for topic in course.topics for kp in topic.knowledge_points
            for q in course.by_knowledge_point.get(kp.id, ())]


def matching(course: Course, filters: Filters) -> list[QuestionBase]:
    """The questions a filter admits, in bank order."""
    return [q for q in bank_order(course)
            if (not filters.knowledge_points or q.knowledge_point in filters.knowledge_points)
            and (not filters.types or q.type in filters.types)
            and (not filters.difficulties or q.difficulty in filters.difficulties)]


def draw(course: Course, filters: Filters, count: int, source: random.Random) -> list[str]:
    """`count` of the matching questions, spread over their knowledge points as evenly as the
    bank allows (a draw of 10 from three points does not come out all from the biggest), then
    put back in bank order so the set reads like the chapter."""
    pool = matching(course, filters)
    by_point: dict[str, list[QuestionBase]] = {}
    for q in pool:
        by_point.setdefault(q.knowledge_point, []).append(q)
    for questions in by_point.values():
        source.shuffle(questions)
    chosen: set[str] = set()
    wanted = min(count, len(pool))
    while len(chosen) < wanted:
        for questions in by_point.values():
            if questions and len(chosen) < wanted:
                chosen.add(questions.pop().id)
    return [q.id for q in pool if q.id in chosen]


def picked(course: Course, ids: list[str]) -> list[str]:
    """Hand-picked ids that are in the bank, each once, in bank order."""
    wanted = set(ids)
    return [q.id for q in bank_order(course) if q.id in wanted]
