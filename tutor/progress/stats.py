"""Per-student aggregates, computed in SQL per question and folded into the course outline."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from tutor.content.course import Course
from tutor.extensions import db
from tutor.models import Attempt


@dataclass(frozen=True)
class Tally:
    attempts: int = 0
    correct: int = 0
    questions_seen: int = 0
    questions_total: int = 0

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.attempts if self.attempts else None

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.attempts + other.attempts, self.correct + other.correct,
                     self.questions_seen + other.questions_seen,
                     self.questions_total + other.questions_total)


@dataclass(frozen=True)
class CourseProgress:
    total: Tally
    by_topic: dict[str, Tally]
    by_knowledge_point: dict[str, Tally]
    last_answer: datetime | None


def per_question(user_id: int, course_id: str) -> dict[str, tuple[int, int, datetime]]:
    """question id -> (attempts, correct answers, last answered), for one student."""
    rows = db.session.execute(
        select(Attempt.question_id, func.count(), func.sum(case((Attempt.correct, 1), else_=0)),
               func.max(Attempt.created_at))
        .where(Attempt.user_id == user_id, Attempt.course_id == course_id)
        .group_by(Attempt.question_id))
    return {qid: (n, int(ok or 0), last) for qid, n, ok, last in rows}


def course_progress(user_id: int, course: Course) -> CourseProgress:
    stats = per_question(user_id, course.id)
    by_kp: dict[str, Tally] = {}
    for kp_id, questions in course.by_knowledge_point.items():
        tally = Tally(questions_total=len(questions))
        for q in questions:
            if q.id in stats:
                n, ok, _ = stats[q.id]
                tally += Tally(n, ok, 1, 0)
        by_kp[kp_id] = tally
    by_topic = {t.id: sum((by_kp[kp.id] for kp in t.knowledge_points), Tally()) for t in course.topics}
    total = sum(by_topic.values(), Tally())
    last = max((s[2] for s in stats.values()), default=None)
    return CourseProgress(total, by_topic, by_kp, last)


def last_results(user_id: int, course_id: str) -> dict[str, bool]:
    """question id -> whether the student's most recent answer to it was right."""
    latest = (select(Attempt.question_id, func.max(Attempt.id).label("last_id"))
              .where(Attempt.user_id == user_id, Attempt.course_id == course_id)
              .group_by(Attempt.question_id).subquery())
    rows = db.session.execute(select(Attempt.question_id, Attempt.correct)
                              .join(latest, Attempt.id == latest.c.last_id))
    return {qid: correct for qid, correct in rows}


def recent_attempts(user_id: int, limit: int = 20) -> list[Attempt]:
    return list(db.session.scalars(select(Attempt).where(Attempt.user_id == user_id)
                                   .order_by(Attempt.created_at.desc(), Attempt.id.desc()).limit(limit)))
