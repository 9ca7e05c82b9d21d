"""The three busiest practice pages, showing a question, answering it and the feedback after,
each read what they need in one prebuilt Core query: a set, its presentations, and what else
the page needs. Building and loading ORM objects for the same rows costs several times more on
every request."""
from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple, Sequence

from sqlalchemy import and_, bindparam, exists, select

from tutor import learning
from tutor.extensions import db
from tutor.models import Attempt, Delivery, Favourite, PracticeSet

_sets, _deliveries = PracticeSet.__table__, Delivery.__table__
_attempts, _favourites = Attempt.__table__, Favourite.__table__


class SetRow(NamedTuple):
    """What the pages need of a practice set (the same names as PracticeSet's)."""

    id: int
    user_id: int
    course_id: str
    mode: str
    scope_kind: str
    scope_id: str
    question_ids: list[str]
    start_index: int | None


class DeliveryRow(NamedTuple):
    """One presentation of a question (the same names as Delivery's)."""

    id: int
    position: int
    question_id: str
    layout: Any
    presented_at: datetime


_SET_COLUMNS = (_sets.c.id, _sets.c.user_id, _sets.c.course_id, _sets.c.mode, _sets.c.scope_kind,
                _sets.c.scope_id, _sets.c.question_ids, _sets.c.start_index)
_DELIVERY_COLUMNS = (_deliveries.c.id.label("delivery_id"), _deliveries.c.position, _deliveries.c.question_id,
                     _deliveries.c.layout, _deliveries.c.presented_at)

_starred = exists().where(_favourites.c.user_id == _sets.c.user_id, _favourites.c.course_id == _sets.c.course_id,
                          _favourites.c.question_id == _deliveries.c.question_id)


def _set_of(row: Any) -> SetRow:
    return SetRow(*row[:len(_SET_COLUMNS)])


def _delivery_of(row: Any) -> DeliveryRow | None:
    if row.delivery_id is None:
        return None
    return DeliveryRow(row.delivery_id, row.position, row.question_id, row.layout, row.presented_at)


_ATTEMPT_COLUMNS = (_attempts.c.id.label("attempt_id"), _attempts.c.question_version, _attempts.c.response,
                    _attempts.c.correct, _attempts.c.score, _attempts.c.max_score, _attempts.c.parts,
                    _attempts.c.self_assessment, _attempts.c.rubric_score, _attempts.c.reviewed_score,
                    _attempts.c.reviewed_at)


class AttemptRow(NamedTuple):
    """A stored answer and its grade: `score` and `correct` are the effective result (after a
    self-assessment or review), `rubric_score` the grader's when one replaced it."""

    id: int
    question_version: str
    response: Any
    correct: bool
    score: float
    max_score: float
    parts: Any                  # None: stored before answers kept their parts
    self_assessment: str | None
    rubric_score: float | None
    reviewed_score: float | None
    reviewed_at: datetime | None

    @property
    def keyword_score(self) -> float:
        return self.score if self.rubric_score is None else self.rubric_score


class CardRow(NamedTuple):
    """A presentation as the 答题卡 shows it."""

    position: int
    question_id: str
    correct: bool | None      # None: not answered yet
    score: float | None


class Presented(NamedTuple):
    delivery: DeliveryRow
    attempt: AttemptRow | None        # None: not answered yet
    starred: bool


class SetState(NamedTuple):
    """A set and every presentation of it in order, each with its answer if it has one."""

    practice_set: SetRow
    presented: list[Presented]        # empty for 背题模式 (nothing is presented)

    def at(self, position: int) -> Presented | None:
        return next((p for p in self.presented if p.delivery.position == position), None)

    @property
    def answered(self) -> int:
        return sum(p.attempt is not None for p in self.presented)

    @property
    def waiting(self) -> list[tuple[DeliveryRow, bool]]:
        """The presentations still waiting for an answer, in order, with whether each is starred."""
        return [(p.delivery, p.starred) for p in self.presented if p.attempt is None]

    @property
    def cells(self) -> list[CardRow]:
        return [CardRow(p.delivery.position, p.delivery.question_id, p.attempt.correct if p.attempt else None,
                        p.attempt.score if p.attempt else None) for p in self.presented]


# The set, every presentation of it with its answer and whether the student starred its
# question: what the question and feedback pages show (and the question after, and the 答题卡),
# in one statement; one row with empty presentation columns for a set of none.
_STATE_COLUMNS = (*_SET_COLUMNS, *_DELIVERY_COLUMNS, *_ATTEMPT_COLUMNS, _starred.label("starred"))
_PRESENTED = (_sets.outerjoin(_deliveries, _deliveries.c.set_id == _sets.c.id)
              .outerjoin(_attempts, _attempts.c.delivery_id == _deliveries.c.id))
_STATE = (select(*_STATE_COLUMNS).select_from(_PRESENTED)
          .where(_sets.c.id == bindparam("set_id"))
          .order_by(_deliveries.c.position))


def _state_of(rows: Sequence[Any]) -> SetState:
    presented = [Presented(delivery, None if row.correct is None else AttemptRow(
        row.attempt_id, row.question_version, row.response, row.correct, row.score, row.max_score, row.parts,
        row.self_assessment, row.rubric_score, row.reviewed_score, row.reviewed_at), bool(row.starred))
        for row in rows if (delivery := _delivery_of(row))]
    return SetState(_set_of(rows[0]), presented)


def state(set_id: int) -> SetState | None:
    rows = db.session.connection().execute(_STATE, {"set_id": set_id}).all()
    return _state_of(rows) if rows else None


class Answering(NamedTuple):
    """A set as an answer to one of its presentations finds it: the set, the presentation (None:
    no such one in this set), when the set was last answered, the student's review card and
    notebook entry for its question, and, when asked for, the whole set's state."""

    practice_set: SetRow
    delivery: DeliveryRow | None
    last_answered_at: datetime | None
    before: learning.Standing
    state: SetState | None

    def answered(self, attempt: AttemptRow) -> SetState | None:
        """The set's state after this presentation's answer is stored: what reading it again
        gives (None if the state was not read)."""
        if self.state is None or self.delivery is None:
            return None
        answered_id = self.delivery.id
        return self.state._replace(presented=[
            shown._replace(attempt=attempt) if shown.delivery.id == answered_id else shown
            for shown in self.state.presented])


# The set with the presentation being answered and the student's review card and notebook
# entry for its question, and the set's last answer time (for "seconds taken"): what storing an
# answer needs.
_ONE = _sets.outerjoin(_deliveries, and_(_deliveries.c.set_id == _sets.c.id,
                                         _deliveries.c.id == bindparam("delivery_id")))
_ANSWERING = (select(*_SET_COLUMNS, *_DELIVERY_COLUMNS, _sets.c.last_answered_at, *learning.STANDING_COLUMNS)
              .select_from(learning.join_standing(_ONE, _sets.c.user_id, _sets.c.course_id,
                                                  _deliveries.c.question_id))
              .where(_sets.c.id == bindparam("set_id")))
# The same with the whole set's state, as _STATE reads it (the standing on the answered row
# only): the in-place answer shows the feedback and the next question from it and what it
# wrote, without reading the set again.
_ANSWERING_WHOLE = (select(*_STATE_COLUMNS, _sets.c.last_answered_at, *learning.STANDING_COLUMNS)
                    .select_from(learning.join_standing(_PRESENTED, _sets.c.user_id, _sets.c.course_id,
                                                        _deliveries.c.question_id,
                                                        only=_deliveries.c.id == bindparam("delivery_id")))
                    .where(_sets.c.id == bindparam("set_id"))
                    .order_by(_deliveries.c.position))


def answering(set_id: int, delivery_id: int, whole: bool = False) -> Answering | None:
    """`whole`: read the whole set's state too."""
    rows = db.session.connection().execute(_ANSWERING_WHOLE if whole else _ANSWERING,
                                           {"set_id": set_id, "delivery_id": delivery_id}).all()
    if not rows:
        return None
    row = next((row for row in rows if row.delivery_id == delivery_id), None)
    return Answering(_set_of(rows[0]), None if row is None else _delivery_of(row), rows[0].last_answered_at,
                     learning.standing_of(row) if row is not None else learning.Standing(),
                     _state_of(rows) if whole else None)
