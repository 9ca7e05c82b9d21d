"""What an answer teaches the system about a student: the mistake notebook and spaced review.

Called by the views after grading; adds and changes rows but never commits.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from fsrs import Card, Rating, Scheduler
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from tutor.content.course import Course
from tutor.extensions import db
from tutor.models import Attempt, NotebookEntry, ReviewCard, StudentQuestion
from tutor.questions import Grade, QuestionBase

_scheduler = Scheduler(enable_fuzzing=False)
_card_ids = random.SystemRandom()


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def record(user_id: int, course: Course, question: QuestionBase, response: object, result: Grade,
           *, now: datetime, mode: str, seconds: float, delivery_id: int | None = None,
           paper_id: int | None = None, item_index: int | None = None) -> Attempt:
    """Store one graded answer and what it changes in the notebook and spaced review."""
    attempt = Attempt(user_id=user_id, delivery_id=delivery_id, paper_id=paper_id,
                      item_index=item_index, course_id=course.id, question_id=question.id,
                      question_version=course.versions[question.id], response=response,
                      correct=result.correct, score=result.score, max_score=result.max_score,
                      seconds=seconds, mode=mode, created_at=now)
    db.session.add(attempt)
    db.session.flush()   # the attempt's id, for the summary row; a duplicate fails here, early
    ever_wrong = _update_summary(attempt, result)
    _review(user_id, course.id, question.id, result.correct, now)
    if ever_wrong or not result.correct:   # never answered wrong: nothing can be in the notebook
        _update_notebook(user_id, course.id, question.id, result.correct, now,
                         course.manifest.settings.notebook_clear_after)
    return attempt


def _update_summary(attempt: Attempt, result: Grade) -> bool:
    """Fold the answer into the student's row for the question in one upsert; say whether the
    question had ever been answered wrong before."""
    dialect = db.session.get_bind().dialect.name
    upsert = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(StudentQuestion)
    right = int(result.correct)
    statement = upsert.values(
        user_id=attempt.user_id, course_id=attempt.course_id, question_id=attempt.question_id, attempts=1,
        correct=right, last_correct=result.correct, last_at=attempt.created_at,
        first_attempt_id=attempt.id, first_fraction=result.fraction,
    ).on_conflict_do_update(
        index_elements=["user_id", "course_id", "question_id"],
        set_={"attempts": StudentQuestion.attempts + 1, "correct": StudentQuestion.correct + right,
              "last_correct": result.correct, "last_at": attempt.created_at},
    ).returning(StudentQuestion.attempts, StudentQuestion.correct)
    attempts, correct = db.session.execute(statement).one()
    return (correct - right) < (attempts - 1)


def _update_notebook(user_id: int, course_id: str, question_id: str, correct: bool,
                     now: datetime, clear_after: int) -> None:
    entry = db.session.scalar(select(NotebookEntry).where(
        NotebookEntry.user_id == user_id, NotebookEntry.course_id == course_id,
        NotebookEntry.question_id == question_id))
    if not correct:
        if entry is None:
            db.session.add(NotebookEntry(user_id=user_id, course_id=course_id, question_id=question_id,
                                         streak=0, wrong_count=1, added_at=now, last_wrong_at=now))
        else:
            entry.streak, entry.wrong_count, entry.last_wrong_at = 0, entry.wrong_count + 1, now
    elif entry is not None:
        entry.streak += 1
        if entry.streak >= clear_after:
            db.session.delete(entry)


def _review(user_id: int, course_id: str, question_id: str, correct: bool, now: datetime) -> None:
    row = db.session.scalar(select(ReviewCard).where(
        ReviewCard.user_id == user_id, ReviewCard.course_id == course_id,
        ReviewCard.question_id == question_id))
    # An explicit id: fsrs would otherwise make one from the clock, sleeping a millisecond for it.
    card = Card.from_dict(row.card) if row is not None else Card(card_id=_card_ids.getrandbits(62), due=_aware(now))
    card, _ = _scheduler.review_card(card, Rating.Good if correct else Rating.Again, _aware(now))
    if row is None:
        db.session.add(ReviewCard(user_id=user_id, course_id=course_id, question_id=question_id,
                                  card=card.to_dict(), state=int(card.state), due=_naive(card.due),
                                  last_review=now))
    else:
        row.card, row.state, row.due = card.to_dict(), int(card.state), _naive(card.due)
        row.last_review, row.reviews = now, row.reviews + 1


def end_of_day(now: datetime, tz: str) -> datetime:
    """The end of the student's local day, as naive UTC: what 'due today' counts up to."""
    local = _aware(now).astimezone(ZoneInfo(tz))
    end = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return _naive(end)


def due_cards(user_id: int, course_id: str, until: datetime, limit: int | None = None) -> list[ReviewCard]:
    """Cards due by `until`, most overdue first."""
    query = (select(ReviewCard).where(ReviewCard.user_id == user_id, ReviewCard.course_id == course_id,
                                      ReviewCard.due <= until)
             .order_by(ReviewCard.due, ReviewCard.id))
    return list(db.session.scalars(query.limit(limit) if limit else query))


def due_count(user_id: int, course_id: str, until: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(ReviewCard).where(
        ReviewCard.user_id == user_id, ReviewCard.course_id == course_id, ReviewCard.due <= until)) or 0
