"""What an answer teaches the system about a student: the mistake notebook and spaced review.

Called by the views after grading; writes rows but never commits. Answering is the busiest write
in the app, so it runs as a handful of prebuilt Core statements rather than through the ORM's
unit of work, which costs several times more per row.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from fsrs import Card, Rating, Scheduler
from sqlalchemy import and_, bindparam, delete, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql import Executable

from tutor.content.course import Course
from tutor.extensions import db
from tutor.models import Attempt, NotebookEntry, ReviewCard, StudentQuestion
from tutor.questions import Grade, QuestionBase

_scheduler = Scheduler(enable_fuzzing=False)
_card_ids = random.SystemRandom()

_attempts, _summaries = Attempt.__table__, StudentQuestion.__table__
_cards, _notebook = ReviewCard.__table__, NotebookEntry.__table__


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc)


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class Standing:
    """The student's review card and notebook entry for one question, before an answer."""

    card_row: int | None = None
    card: dict[str, Any] | None = None
    reviews: int = 0
    notebook_row: int | None = None
    streak: int = 0
    wrong_count: int = 0


STANDING_COLUMNS = (_cards.c.id.label("card_row"), _cards.c.card, _cards.c.reviews,
                    _notebook.c.id.label("notebook_row"), _notebook.c.streak, _notebook.c.wrong_count)


def join_standing(source: Any, user_id: Any, course_id: Any, question_id: Any) -> Any:
    """`source` outer-joined to the question's review card and notebook entry, so that a view can
    read STANDING_COLUMNS in the same query as its own rows."""
    return source.outerjoin(_cards, and_(
        _cards.c.user_id == user_id, _cards.c.course_id == course_id, _cards.c.question_id == question_id,
    )).outerjoin(_notebook, and_(
        _notebook.c.user_id == user_id, _notebook.c.course_id == course_id, _notebook.c.question_id == question_id))


def standing_of(row: Any) -> Standing:
    return Standing(row.card_row, row.card, row.reviews or 0, row.notebook_row, row.streak or 0,
                    row.wrong_count or 0)


_STANDING = select(*STANDING_COLUMNS).select_from(join_standing(
    select(literal(1).label("one")).subquery(), bindparam("user_id"), bindparam("course_id"),
    bindparam("question_id")))


def standing(user_id: int, course_id: str, question_id: str) -> Standing:
    return standing_of(db.session.execute(_STANDING, {
        "user_id": user_id, "course_id": course_id, "question_id": question_id}).one())


_INSERT_ATTEMPT = insert(_attempts)
_INSERT_CARD = insert(_cards)
_UPDATE_CARD = update(_cards).where(_cards.c.id == bindparam("row"))
_INSERT_NOTEBOOK = insert(_notebook)
_UPDATE_NOTEBOOK = update(_notebook).where(_notebook.c.id == bindparam("row"))
_DELETE_NOTEBOOK = delete(_notebook).where(_notebook.c.id == bindparam("row"))
_upserts: dict[str, Executable] = {}


def record(user_id: int, course: Course, question: QuestionBase, response: object, result: Grade,
           *, now: datetime, mode: str, seconds: float, delivery_id: int | None = None,
           paper_id: int | None = None, item_index: int | None = None,
           before: Standing | None = None) -> int:
    """Store one graded answer and what it changes in the notebook and spaced review; returns the
    answer's id. `before` is the question's Standing if the caller has read it already."""
    attempt_id = db.session.execute(_INSERT_ATTEMPT, {
        "user_id": user_id, "delivery_id": delivery_id, "paper_id": paper_id, "item_index": item_index,
        "course_id": course.id, "question_id": question.id, "question_version": course.versions[question.id],
        "response": response, "correct": result.correct, "score": result.score, "max_score": result.max_score,
        "seconds": seconds, "mode": mode, "created_at": now,
    }).inserted_primary_key[0]   # a second answer to the same delivery fails here, before anything else
    ever_wrong = _update_summary(user_id, course.id, question.id, attempt_id, result, now)
    if before is None:
        before = standing(user_id, course.id, question.id)
    _review(user_id, course.id, question.id, result.correct, now, before)
    if ever_wrong or not result.correct:   # never answered wrong: nothing can be in the notebook
        _update_notebook(user_id, course.id, question.id, result.correct, now,
                         course.manifest.settings.notebook_clear_after, before)
    return int(attempt_id)


def _upsert_summary() -> Executable:
    """Fold an answer into the student's row for the question, one statement per dialect."""
    dialect = db.session.get_bind().dialect.name
    if dialect not in _upserts:
        upsert = (postgresql_insert if dialect == "postgresql" else sqlite_insert)(_summaries)
        _upserts[dialect] = upsert.values(
            user_id=bindparam("user_id"), course_id=bindparam("course_id"), question_id=bindparam("question_id"),
            attempts=1, correct=bindparam("right"), last_correct=bindparam("last_correct"),
            last_at=bindparam("at"), first_attempt_id=bindparam("attempt_id"), first_fraction=bindparam("fraction"),
        ).on_conflict_do_update(
            index_elements=["user_id", "course_id", "question_id"],
            set_={"attempts": _summaries.c.attempts + 1, "correct": _summaries.c.correct + bindparam("right"),
                  "last_correct": bindparam("last_correct"), "last_at": bindparam("at")},
        ).returning(_summaries.c.attempts, _summaries.c.correct)
    return _upserts[dialect]


def _update_summary(user_id: int, course_id: str, question_id: str, attempt_id: int, result: Grade,
                    at: datetime) -> bool:
    """Update the per-question summary; say whether the question had ever been answered wrong before."""
    right = int(result.correct)
    attempts, correct = db.session.execute(_upsert_summary(), {
        "user_id": user_id, "course_id": course_id, "question_id": question_id, "right": right,
        "last_correct": result.correct, "at": at, "attempt_id": attempt_id, "fraction": result.fraction,
    }).one()
    return (correct - right) < (attempts - 1)


def _update_notebook(user_id: int, course_id: str, question_id: str, correct: bool,
                     now: datetime, clear_after: int, before: Standing) -> None:
    if not correct:
        if before.notebook_row is None:
            db.session.execute(_INSERT_NOTEBOOK, {
                "user_id": user_id, "course_id": course_id, "question_id": question_id, "streak": 0,
                "wrong_count": 1, "added_at": now, "last_wrong_at": now})
        else:
            db.session.execute(_UPDATE_NOTEBOOK, {"row": before.notebook_row, "streak": 0,
                                                  "wrong_count": before.wrong_count + 1, "last_wrong_at": now})
    elif before.notebook_row is not None:
        if before.streak + 1 >= clear_after:
            db.session.execute(_DELETE_NOTEBOOK, {"row": before.notebook_row})
        else:
            db.session.execute(_UPDATE_NOTEBOOK, {"row": before.notebook_row, "streak": before.streak + 1})


def _review(user_id: int, course_id: str, question_id: str, correct: bool, now: datetime,
            before: Standing) -> None:
    # An explicit id: fsrs would otherwise make one from the clock, sleeping a millisecond for it.
    card = (Card.from_dict(before.card) if before.card is not None
            else Card(card_id=_card_ids.getrandbits(62), due=_aware(now)))
    card, _ = _scheduler.review_card(card, Rating.Good if correct else Rating.Again, _aware(now))
    values = {"card": card.to_dict(), "state": int(card.state), "due": _naive(card.due), "last_review": now}
    if before.card_row is None:
        db.session.execute(_INSERT_CARD, {"user_id": user_id, "course_id": course_id,
                                          "question_id": question_id, "reviews": 1, **values})
    else:
        db.session.execute(_UPDATE_CARD, {"row": before.card_row, "reviews": before.reviews + 1, **values})


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
