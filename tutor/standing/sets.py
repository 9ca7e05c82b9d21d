"""How far a student has got through practice sets: answered, right, and what is still to do.

Shared by the practice pages, the home page's 继续上次练习 card and the history on 我的进度, so
that none of them imports another blueprint. A set's total counts its questions still in the
bank: a question removed since the set began is not waited for, and a set whose remaining
questions have all left the bank is finished.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import aliased

from tutor.content.loader import Catalog
from tutor.content.course import Course
from tutor.extensions import db
from tutor.models import Attempt, Delivery, PracticeSet

# 背题模式 sets present nothing to answer: they are never unfinished.
UNSCORED_MODES = ("study",)


@dataclass(frozen=True)
class SetProgress:
    practice_set: PracticeSet
    answered: int        # answered presentations
    correct: int         # of them, right
    remaining: int       # unanswered presentations whose question is still in the bank

    @property
    def total(self) -> int:
        return self.answered + self.remaining

    @property
    def scored(self) -> bool:
        return self.practice_set.mode not in UNSCORED_MODES

    @property
    def finished(self) -> bool:
        return not self.scored or self.remaining == 0


def _waiting(set_ids: list[int]) -> dict[int, list[str]]:
    """set id -> the question ids of its unanswered presentations."""
    if not set_ids:
        return {}
    answered = exists().where(Attempt.delivery_id == Delivery.id)
    waiting: dict[int, list[str]] = {i: [] for i in set_ids}
    for set_id, question_id in db.session.execute(
            select(Delivery.set_id, Delivery.question_id).where(Delivery.set_id.in_(set_ids), ~answered)):
        waiting[set_id].append(question_id)
    return waiting


def _remaining(question_ids: Iterable[str], course: Course | None) -> int:
    return sum(1 for qid in question_ids if course is not None and qid in course.by_id)


def _counted(user_id: int, condition: object | None, limit: int | None) -> list[tuple[PracticeSet, int, int]]:
    query = (select(PracticeSet, func.count(Attempt.id), func.sum(case((Attempt.correct, 1), else_=0)))
             .outerjoin(Delivery, Delivery.set_id == PracticeSet.id)
             .outerjoin(Attempt, Attempt.delivery_id == Delivery.id)
             .where(PracticeSet.user_id == user_id)
             .group_by(PracticeSet.id).order_by(PracticeSet.created_at.desc(), PracticeSet.id.desc()))
    if condition is not None:
        query = query.where(condition)  # type: ignore[arg-type]
    if limit is not None:
        query = query.limit(limit)
    return [(s, n, int(ok or 0)) for s, n, ok in db.session.execute(query)]


def history(user_id: int, catalog: Catalog, limit: int) -> list[SetProgress]:
    """The student's practice sets, newest first, each with how far it got."""
    rows = _counted(user_id, None, limit)
    waiting = _waiting([s.id for s, _, _ in rows])
    return [SetProgress(s, n, ok, _remaining(waiting[s.id], catalog.course(s.course_id))) for s, n, ok in rows]


def progress_of(practice_set: PracticeSet, course: Course) -> SetProgress:
    """One set's progress (its presentations may already be loaded, as on the summary page)."""
    answered = correct = remaining = 0
    for delivery in practice_set.deliveries:
        if delivery.attempt is not None:
            answered += 1
            correct += int(delivery.attempt.correct)
        elif delivery.question_id in course.by_id:
            remaining += 1
    return SetProgress(practice_set, answered, correct, remaining)


def latest_unfinished(user_id: int, course: Course, look_back: int = 20) -> SetProgress | None:
    """The student's newest set in the course begun and left: at least one answer and a question
    still to answer (not 背题模式, not one whose remaining questions have all left the bank), or
    None. A set opened and left untouched is not offered: starting its mode again returns it."""
    waiting_delivery, its_answer = aliased(Delivery), aliased(Attempt)
    has_waiting = (exists().where(waiting_delivery.set_id == PracticeSet.id,
                                  ~exists().where(its_answer.delivery_id == waiting_delivery.id)
                                  .correlate(waiting_delivery))
                   .correlate(PracticeSet))
    rows = _counted(user_id, and_(PracticeSet.course_id == course.id, PracticeSet.mode.not_in(UNSCORED_MODES),
                                  has_waiting), look_back)
    waiting = _waiting([s.id for s, _, _ in rows])
    for s, n, ok in rows:
        progress = SetProgress(s, n, ok, _remaining(waiting[s.id], course))
        if progress.answered and not progress.finished:
            return progress
    return None
