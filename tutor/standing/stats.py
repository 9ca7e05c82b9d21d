"""Per-student aggregates, read from the per-question summary rows and folded into the outline."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Date, and_, bindparam, case, cast, func, literal_column, select
from sqlalchemy.orm import defer

from tutor.content.course import Course
from tutor.extensions import db
from tutor.models import Attempt, ExamPaper, ReviewCard, StudentQuestion
from tutor.standing.mastery import Mastery, QuestionState, mastery

REVIEW_STATE = 2   # fsrs.State.Review


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
    mastery: dict[str, Mastery]
    last_answer: datetime | None


class Summary(NamedTuple):
    """The student's summary row for one question they answered, with its review card (the
    card's columns None where there is none)."""

    question_id: str
    attempts: int
    correct: int
    last_correct: bool
    first_fraction: float | None
    last_at: datetime | None
    card_state: int | None
    due: datetime | None
    card: dict[str, Any] | None        # fsrs.Card.to_dict()


_SUMMARIES = (select(StudentQuestion.question_id, StudentQuestion.attempts, StudentQuestion.correct,
                     StudentQuestion.last_correct, StudentQuestion.first_fraction, StudentQuestion.last_at,
                     ReviewCard.state, ReviewCard.due, ReviewCard.card)
              .outerjoin(ReviewCard, and_(ReviewCard.user_id == StudentQuestion.user_id,
                                          ReviewCard.course_id == StudentQuestion.course_id,
                                          ReviewCard.question_id == StudentQuestion.question_id))
              .where(StudentQuestion.user_id == bindparam("user_id"),
                     StudentQuestion.course_id == bindparam("course_id")))


def summaries(user_id: int, course_id: str) -> list[Summary]:
    """Every question the student answered in the course: one query, which the progress and
    home pages read once for the tallies, the mastery and the readiness model alike."""
    return [Summary(*row) for row in db.session.connection().execute(
        _SUMMARIES, {"user_id": user_id, "course_id": course_id})]


def question_states(rows: list[Summary], now: datetime) -> dict[str, QuestionState]:
    """question id -> the student's standing on it."""
    return {row.question_id: QuestionState(row.attempts, row.correct, row.last_correct,
                                           row.card_state == REVIEW_STATE and row.due is not None and row.due > now)
            for row in rows}


def fold(course: Course, states: dict[str, QuestionState]) -> tuple[dict[str, Tally], dict[str, Mastery]]:
    """Per knowledge point: answer tallies and mastery, from per-question states."""
    tallies: dict[str, Tally] = {}
    levels: dict[str, Mastery] = {}
    for kp_id, questions in course.by_knowledge_point.items():
        seen = [states[q.id] for q in questions if q.id in states]
        tallies[kp_id] = Tally(sum(s.attempts for s in seen), sum(s.correct for s in seen),
                               len(seen), len(questions))
        levels[kp_id] = mastery(seen, len(questions))
    return tallies, levels


def course_progress(rows: list[Summary], course: Course, now: datetime) -> CourseProgress:
    """The tallies and mastery of the student whose `summaries` these are."""
    by_kp, levels = fold(course, question_states(rows, now))
    by_topic = {t.id: sum((by_kp[kp.id] for kp in t.knowledge_points), Tally()) for t in course.topics}
    last = max((row.last_at for row in rows if row.last_at is not None), default=None)
    return CourseProgress(sum(by_topic.values(), Tally()), by_topic, by_kp, levels, last)


def last_results(user_id: int, course_id: str) -> dict[str, bool]:
    """question id -> whether the student's most recent answer to it was right."""
    rows = db.session.execute(select(StudentQuestion.question_id, StudentQuestion.last_correct)
                              .where(StudentQuestion.user_id == user_id,
                                     StudentQuestion.course_id == course_id))
    return {qid: last for qid, last in rows}


@dataclass(frozen=True)
class Day:
    day: date
    answers: int
    correct: int

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answers if self.answers else None


def activity(user_id: int, now: datetime, tz: str, days: int = 30) -> list[Day]:
    """Answers and right answers per local day for the last `days` days, grouped in SQL."""
    offset = ZoneInfo(tz).utcoffset(now) or timedelta(0)
    hours = int(offset.total_seconds() // 3600)
    local_day: ColumnElement[Any]
    if db.engine.dialect.name == "sqlite":
        local_day = func.date(Attempt.created_at, f"{hours:+d} hours")
    else:
        local_day = cast(Attempt.created_at + literal_column(f"interval '{hours} hours'"), Date)
    today = (now + offset).date()
    first = today - timedelta(days=days - 1)
    since = datetime.combine(first, datetime.min.time()) - offset
    rows = db.session.execute(
        select(local_day.label("day"), func.count(), func.sum(case((Attempt.correct, 1), else_=0)))
        .where(Attempt.user_id == user_id, Attempt.created_at >= since)
        .group_by(local_day))
    counts = {(d if isinstance(d, date) else date.fromisoformat(d)): (n, int(ok or 0)) for d, n, ok in rows}
    return [Day(first + timedelta(days=i), *counts.get(first + timedelta(days=i), (0, 0)))
            for i in range(days)]


def exam_papers(user_id: int) -> list[ExamPaper]:
    """The student's mock exam papers, oldest first, without their items (the paper's questions
    and layouts, the bulk of each row: the result page loads them)."""
    return list(db.session.scalars(select(ExamPaper).options(defer(ExamPaper.items, raiseload=True))
                                   .where(ExamPaper.user_id == user_id).order_by(ExamPaper.started_at)))
