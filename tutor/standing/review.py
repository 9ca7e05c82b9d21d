"""What 智能复习 holds for today, split the way the student is told about it.

FSRS brings a newly learnt question back the same day (its learning steps: a few minutes after a
wrong answer, ten after a right one) before it spaces the next reviews out over days, so right
after a first session most of the day's count is questions just learnt. Read-only; the scheduling
itself is tutor/learning.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from tutor.extensions import db
from tutor.learning import SCHEDULER
from tutor.models import ReviewCard

LEARNING = 1   # fsrs.State.Learning: answered for the first time and not yet through the learning steps


@dataclass(frozen=True)
class DueToday:
    new: int        # 新学回顾: questions still in their learning steps, back the same day
    review: int     # 到期复习: spaced reviews (and relearning after a lapse) due by the end of the day

    @property
    def total(self) -> int:
        return self.new + self.review


def due_today(user_id: int, course_id: str, until: datetime) -> DueToday:
    """Cards due by `until` (the end of the student's day, learning.end_of_day), by kind."""
    rows = db.session.execute(
        select(ReviewCard.state, func.count()).where(
            ReviewCard.user_id == user_id, ReviewCard.course_id == course_id, ReviewCard.due <= until)
        .group_by(ReviewCard.state))
    by_state = {state: n for state, n in rows}
    new = by_state.get(LEARNING, 0)
    return DueToday(new, sum(by_state.values()) - new)


def learning_step_minutes() -> int:
    """The last learning step in minutes: how long after a right first answer a question comes back."""
    steps = SCHEDULER.learning_steps
    return round(steps[-1].total_seconds() / 60) if steps else 0
