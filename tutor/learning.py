"""Storing an answer, and what it teaches the system about a student: the mistake notebook and
spaced review.

Called by the views after grading; writes rows but never commits. Answering is the busiest write
in the app, so it runs as a handful of prebuilt Core statements rather than through the ORM's
unit of work, which costs several times more per row.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from fsrs import Card, Rating, Scheduler
from sqlalchemy import Table, and_, bindparam, delete, insert, literal, select, true, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql import Executable

from tutor.content.course import Course
from tutor.extensions import db
from tutor.models import Attempt, NotebookEntry, PracticeSet, ReviewCard, StudentQuestion
from tutor.questions import Grade, QuestionBase
from tutor.stored_grade import parts_to_json

SCHEDULER = Scheduler(enable_fuzzing=False)
_card_ids = random.SystemRandom()


def _table(model: Any) -> Table:
    return model.__table__  # type: ignore[no-any-return]


_attempts, _summaries = _table(Attempt), _table(StudentQuestion)
_cards, _notebook = _table(ReviewCard), _table(NotebookEntry)
_sets = _table(PracticeSet)


def aware_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc)


def naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True, slots=True)
class Standing:
    """The student's review card and notebook entry for one question, before an answer."""

    card: dict[str, Any] | None = None
    reviews: int = 0
    notebook_row: int | None = None
    streak: int = 0


STANDING_COLUMNS = (_cards.c.card, _cards.c.reviews, _notebook.c.id.label("notebook_row"), _notebook.c.streak)


def join_standing(source: Any, user_id: Any, course_id: Any, question_id: Any, only: Any = true()) -> Any:
    """`source` outer-joined to the question's review card and notebook entry, so that a view can
    read STANDING_COLUMNS in the same query as its own rows; `only`: the rows of `source` that
    get them (the others read NULLs)."""
    return source.outerjoin(_cards, and_(
        _cards.c.user_id == user_id, _cards.c.course_id == course_id, _cards.c.question_id == question_id, only,
    )).outerjoin(_notebook, and_(
        _notebook.c.user_id == user_id, _notebook.c.course_id == course_id, _notebook.c.question_id == question_id,
        only))


def standing_of(row: Any) -> Standing:
    return Standing(row.card, row.reviews or 0, row.notebook_row, row.streak or 0)


_STANDING = select(*STANDING_COLUMNS).select_from(join_standing(
    select(literal(1).label("one")).subquery(), bindparam("user_id"), bindparam("course_id"),
    bindparam("question_id")))


def standing(user_id: int, course_id: str, question_id: str) -> Standing:
    return standing_of(db.session.connection().execute(_STANDING, {
        "user_id": user_id, "course_id": course_id, "question_id": question_id}).one())


def _param(column: Any) -> Any:
    """A bound parameter for a column, named table_column so that one set of parameters can
    feed every statement of an answer."""
    return bindparam(f"{column.table.name}_{column.name}", type_=column.type)


def _values(table: Any, *names: str) -> dict[str, Any]:
    return {name: _param(table.c[name]) for name in names}


_ATTEMPT = insert(_attempts).values(_values(
    _attempts, "user_id", "delivery_id", "paper_id", "item_index", "course_id", "question_id",
    "question_version", "response", "correct", "score", "max_score", "parts", "seconds", "mode", "created_at"))


class NotebookChange(Enum):
    """What one answer does to the question's 错题本 entry."""

    WRONG = "wrong"        # added, or one more mistake and its run of right answers restarted
    RIGHT = "right"        # one more right answer in a row
    CLEARED = "cleared"    # enough right answers in a row: the entry is taken out


_NOTEBOOK_BY_ROW = {
    NotebookChange.RIGHT: update(_notebook).where(_notebook.c.id == _param(_notebook.c.id))
    .values(_values(_notebook, "streak")),
    NotebookChange.CLEARED: delete(_notebook).where(_notebook.c.id == _param(_notebook.c.id)),
}
# A practice set remembers its last answer: the next question's time taken counts from it.
_SET_ANSWERED = update(_sets).where(_sets.c.id == _param(_sets.c.id)).values(_values(_sets, "last_answered_at"))
_KEY = ("user_id", "course_id", "question_id")
_statements: dict[tuple[str, NotebookChange | None, bool], list[Executable]] = {}


def _insert(dialect: str) -> Any:
    return postgresql_insert if dialect == "postgresql" else sqlite_insert


def _card_upsert(dialect: str) -> Any:
    """The question's FSRS card after the answer. An upsert: two answers to one question at the
    same moment (two tabs) cannot fail each other, however they interleave."""
    upsert = _insert(dialect)(_cards).values(_values(_cards, *_KEY, "card", "state", "due", "last_review", "reviews"))
    return upsert.on_conflict_do_update(index_elements=list(_KEY), set_={
        name: upsert.excluded[name] for name in ("card", "state", "due", "last_review", "reviews")})


def _notebook_wrong(dialect: str) -> Any:
    """A wrong answer puts the question in the notebook, or counts one more mistake and
    restarts its run of right answers."""
    upsert = _insert(dialect)(_notebook).values(_values(
        _notebook, *_KEY, "streak", "wrong_count", "blank_count", "added_at", "last_wrong_at"))
    return upsert.on_conflict_do_update(index_elements=list(_KEY), set_={
        "streak": 0, "wrong_count": _notebook.c.wrong_count + 1,
        "blank_count": _notebook.c.blank_count + upsert.excluded.blank_count,
        "last_wrong_at": upsert.excluded.last_wrong_at})


def _summary_upsert(dialect: str, attempt: Any) -> Any:
    """Fold the answer into the student's row for the question. `attempt` is the answer's id:
    a parameter, or on PostgreSQL the id column of the answer's INSERT run as a CTE."""
    upsert = _insert(dialect)(_summaries)
    source = select(*(_param(_attempts.c[name]) for name in _KEY), literal(1),
                    _param(_summaries.c.correct), _param(_summaries.c.last_correct),
                    _param(_summaries.c.last_at), attempt, _param(_summaries.c.first_fraction))
    if dialect != "postgresql":
        source = source.where(true())   # SQLite needs a WHERE to tell ON CONFLICT from a join
    return upsert.from_select(
        [*_KEY, "attempts", "correct", "last_correct", "last_at", "first_attempt_id", "first_fraction"],
        source,
    ).on_conflict_do_update(
        index_elements=list(_KEY),
        set_={"attempts": _summaries.c.attempts + 1,
              "correct": _summaries.c.correct + upsert.excluded.correct,
              "last_correct": upsert.excluded.last_correct, "last_at": upsert.excluded.last_at})


def _writes(dialect: str, notebook: NotebookChange | None, in_set: bool) -> list[Executable]:
    """The statements that store an answer. On PostgreSQL they are one statement (data-modifying
    CTEs), one round trip instead of four; SQLite runs them in turn, where a statement costs no
    round trip. The answer's INSERT comes first, so a second answer to a presentation fails
    before anything else is written."""
    key = (dialect, notebook, in_set)
    if key not in _statements:
        others = [_card_upsert(dialect)]
        if notebook is NotebookChange.WRONG:
            others.append(_notebook_wrong(dialect))
        elif notebook is not None:
            others.append(_NOTEBOOK_BY_ROW[notebook])
        if in_set:
            others.append(_SET_ANSWERED)
        if dialect == "postgresql":
            attempt = _ATTEMPT.returning(_attempts.c.id).cte("new_attempt")
            folded = _summary_upsert(dialect, select(attempt.c.id).scalar_subquery())
            written = folded.add_cte(attempt, *(w.cte(f"write_{i}") for i, w in enumerate(others)))
            _statements[key] = [written.returning(select(attempt.c.id).scalar_subquery())]
        else:
            _statements[key] = [_ATTEMPT, _summary_upsert(dialect, bindparam("attempt_id")), *others]
    return _statements[key]


@dataclass(frozen=True, slots=True)
class AnswerRow:
    """The answer as stored in `attempts`."""

    user_id: int
    delivery_id: int | None
    paper_id: int | None
    item_index: int | None
    course_id: str
    question_id: str
    question_version: str
    response: object
    correct: bool
    score: float
    max_score: float
    parts: Any            # the per-part result, as JSON (tutor/stored_grade.py)
    seconds: float
    mode: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class SummaryFold:
    """What the answer adds to the student's `student_questions` row for the question."""

    correct: int
    last_correct: bool
    last_at: datetime
    first_fraction: float     # kept only when this is the first answer


@dataclass(frozen=True, slots=True)
class CardRow:
    """The question's FSRS card in `review_cards` after the answer."""

    card: dict[str, Any]
    state: int
    due: datetime
    last_review: datetime
    reviews: int


@dataclass(frozen=True, slots=True)
class NotebookRow:
    """The 错题本 entry's new values: for a wrong answer a whole row (inserted, or folded into
    the existing one); for a right one, the existing row's id and streak. `blank_count` is 1
    when the mistake is a mock-exam question handed in blank (未作答)."""

    id: int | None = None
    streak: int = 0
    wrong_count: int = 1
    blank_count: int = 0
    added_at: datetime | None = None
    last_wrong_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Changes:
    """Everything one answer writes, worked out before the writing starts (see `prepare`)."""

    user_id: int
    course_id: str
    question_id: str
    answer: AnswerRow
    summary: SummaryFold
    card: CardRow
    notebook: NotebookChange | None
    notebook_row: NotebookRow | None
    set_id: int | None             # a practice answer: its set remembers the time

    @property
    def in_set(self) -> bool:
        return self.set_id is not None

    def params(self) -> dict[str, Any]:
        """The bound parameters of every statement the answer runs, named table_column."""
        key = {"user_id": self.user_id, "course_id": self.course_id, "question_id": self.question_id}
        params = _prefixed("attempts", _row(self.answer)) | _prefixed("student_questions", _row(self.summary))
        params |= _prefixed("review_cards", key | _row(self.card)) | _prefixed("notebook_entries", key)
        if self.notebook_row is not None:
            params |= _prefixed("notebook_entries", _row(self.notebook_row))
        if self.set_id is not None:
            params |= {"practice_sets_id": self.set_id, "practice_sets_last_answered_at": self.answer.created_at}
        return params


def _row(row: Any) -> dict[str, Any]:
    return {field.name: getattr(row, field.name) for field in fields(row)}


def _prefixed(table: str, values: dict[str, Any]) -> dict[str, Any]:
    return {f"{table}_{name}": value for name, value in values.items()}


def prepare(user_id: int, course: Course, question: QuestionBase, response: object, result: Grade,
            *, now: datetime, mode: str, seconds: float, before: Standing, delivery_id: int | None = None,
            set_id: int | None = None, paper_id: int | None = None, item_index: int | None = None) -> Changes:
    """Work out what one graded answer changes: the answer itself, the per-question summary, the
    FSRS card, the notebook and, for a practice answer, its set. No database work, so that a view
    can do it before taking SQLite's write lock."""
    answer = AnswerRow(user_id, delivery_id, paper_id, item_index, course.id, question.id,
                       course.versions[question.id], response, result.correct, result.score,
                       result.max_score, parts_to_json(result.parts), seconds, mode, now)
    summary = SummaryFold(int(result.correct), result.correct, now, result.fraction)
    notebook, notebook_row = _notebook_change(result.correct, now, course.manifest.settings.notebook_clear_after,
                                              before, blank=response is None)
    return Changes(user_id, course.id, question.id, answer, summary, _review(result.correct, now, before),
                   notebook, notebook_row, set_id)


def store(changes: Changes) -> int:
    """Write an answer's changes (never commits); the answer's id."""
    params = changes.params()
    connection = db.session.connection()    # Core statements: the ORM session's layer adds nothing
    dialect = connection.dialect.name
    statements = _writes(dialect, changes.notebook, changes.in_set)
    if dialect == "postgresql":
        return int(connection.execute(statements[0], params).scalar_one())
    inserted = connection.execute(statements[0], params).inserted_primary_key
    assert inserted is not None     # an INSERT of one row
    params["attempt_id"] = inserted[0]
    for statement in statements[1:]:
        connection.execute(statement, params)
    return int(inserted[0])


def record(user_id: int, course: Course, question: QuestionBase, response: object, result: Grade,
           *, now: datetime, mode: str, seconds: float, paper_id: int | None = None,
           item_index: int | None = None) -> None:
    """Read the question's Standing, then store one graded answer and what it changes."""
    before = standing(user_id, course.id, question.id)
    store(prepare(user_id, course, question, response, result, now=now, mode=mode, seconds=seconds,
                  before=before, paper_id=paper_id, item_index=item_index))


def _notebook_change(correct: bool, now: datetime, clear_after: int, before: Standing,
                     blank: bool = False) -> tuple[NotebookChange | None, NotebookRow | None]:
    """错题本: a wrong answer adds the question or restarts its streak; a right one lengthens the
    streak, and enough right in a row take the question out. A blank answer (a mock-exam question
    handed in unanswered) counts as a mistake, and is counted apart as 未作答."""
    if not correct:
        return NotebookChange.WRONG, NotebookRow(streak=0, wrong_count=1, blank_count=int(blank),
                                                 added_at=now, last_wrong_at=now)
    if before.notebook_row is None:
        return None, None
    row = NotebookRow(id=before.notebook_row, streak=before.streak + 1)
    return (NotebookChange.CLEARED if row.streak >= clear_after else NotebookChange.RIGHT), row


def _review(correct: bool, now: datetime, before: Standing) -> CardRow:
    """智能复习: the question's FSRS card after this answer."""
    # An explicit id: fsrs would otherwise make one from the clock, sleeping a millisecond for it.
    card = (Card.from_dict(before.card) if before.card is not None  # type: ignore[arg-type]
            else Card(card_id=_card_ids.getrandbits(62), due=aware_utc(now)))
    card, _ = SCHEDULER.review_card(card, Rating.Good if correct else Rating.Again, aware_utc(now))
    return CardRow(dict(card.to_dict()), int(card.state), naive_utc(card.due), now, before.reviews + 1)


def end_of_day(now: datetime, tz: str) -> datetime:
    """The end of the student's local day, as naive UTC: what 'due today' counts up to."""
    local = aware_utc(now).astimezone(ZoneInfo(tz))
    end = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return naive_utc(end)


def due_cards(user_id: int, course_id: str, until: datetime, limit: int | None = None) -> list[ReviewCard]:
    """Cards due by `until`, most overdue first."""
    query = (select(ReviewCard).where(ReviewCard.user_id == user_id, ReviewCard.course_id == course_id,
                                      ReviewCard.due <= until)
             .order_by(ReviewCard.due, ReviewCard.id))
    return list(db.session.scalars(query.limit(limit) if limit else query))

