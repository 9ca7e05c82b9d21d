"""A student's rows as the adaptive model's inputs: the one part of tutor/adaptive that reads the
database. Pages call these; the model and the chooser stay pure.
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Collection

from sqlalchemy import func, select

from tutor.adaptive.chooser import RECENT_ANSWERS, Pick, choose, explain
from tutor.adaptive.model import (Bank, Memory, Readiness, Seen, build_bank, estimate, facility_difficulty,
                                  hours_to_pass, readiness, time_text)
from tutor.content.course import Course
from tutor.extensions import db
from tutor.learning import naive_utc
from tutor.models import StudentQuestion
from tutor.questions import question_type
from tutor.standing.stats import Summary, summaries

# Item difficulty from every student's first answers is a scan of the summary rows: made at
# most once in this many seconds per course and process, like a class report's numbers.
DIFFICULTY_SECONDS = 600.0
# The item analysis's threshold (tutor/instructor/calibration.py MIN_ATTEMPTS, a blueprint this
# shared module may not import; a test keeps the two equal).
MIN_ATTEMPTS = 20
_banks: dict[str, tuple[float, int, Bank]] = {}
_lock = threading.Lock()


def _calibrated(course: Course) -> dict[str, float]:
    """Logit difficulty from first-answer facility, for the questions with enough first answers
    (the item analysis's rule: MIN_ATTEMPTS of them); the author's level stands for the rest."""
    rows = db.session.execute(
        select(StudentQuestion.question_id, func.count(), func.avg(StudentQuestion.first_fraction))
        .where(StudentQuestion.course_id == course.id).group_by(StudentQuestion.question_id)
        .having(func.count() >= MIN_ATTEMPTS))
    found = {}
    for qid, _, facility in rows:
        q = course.by_id.get(qid)
        if q is not None and facility is not None:
            found[qid] = facility_difficulty(float(facility), question_type(q).guess_rate(q))
    return found


def bank(course: Course) -> Bank | None:
    """The course's questions weighted by its first mock exam blueprint (None: no blueprint)."""
    if not course.manifest.exams:
        return None
    with _lock:
        cached = _banks.get(course.id)
    if cached is not None and cached[1] == id(course) and time.monotonic() - cached[0] < DIFFICULTY_SECONDS:
        return cached[2]
    made = build_bank(course, course.manifest.exams[0], _calibrated(course))
    with _lock:
        _banks[course.id] = (time.monotonic(), id(course), made)
    return made


def _memory(card: dict[str, Any] | None, due: datetime | None) -> Memory | None:
    """What the model reads of a stored card (fsrs.Card.to_dict's fields): four of its numbers,
    read from the dict, not by making an fsrs.Card of each card of a student's whole history
    (a third of the progress page)."""
    if not card or due is None:
        return None
    stability, difficulty, last_review = card.get("stability"), card.get("difficulty"), card.get("last_review")
    if stability is None or difficulty is None or last_review is None:
        return None
    return Memory(stability, difficulty, naive_utc(datetime.fromisoformat(last_review)), due)


def answers(user_id: int, course: Course,
            rows: list[Summary] | None = None) -> tuple[dict[str, Seen], list[str]]:
    """question id -> what the student has shown on it, and the questions answered last (newest
    first), from their summary rows and review cards (`rows`: those rows, when the caller has
    read them already)."""
    if rows is None:
        rows = summaries(user_id, course.id)
    seen = {row.question_id: Seen(float(row.first_fraction if row.first_fraction is not None else row.last_correct),
                                  _memory(row.card, row.due), row.last_at, bool(row.last_correct))
            for row in rows if row.question_id in course.by_id}
    recent = sorted((qid for qid in seen if seen[qid].last_at is not None),
                    key=lambda qid: seen[qid].last_at, reverse=True)      # type: ignore[arg-type,return-value]
    return seen, recent[:RECENT_ANSWERS]


def picks(user_id: int, course: Course, moment: datetime, rng: random.Random, size: int,
          exclude: Collection[str] = ()) -> list[Pick]:
    """智能练习's next set for the student."""
    made = bank(course)
    if made is None:
        return []
    seen, recent = answers(user_id, course)
    return choose(made, seen, recent, moment, rng, size=size, exclude=exclude)


def reason(user_id: int, course: Course, question_id: str, moment: datetime) -> str | None:
    """Why 智能练习 chose this question, from the student's state now: the state it was chosen
    from, as long as the question itself has not been answered since (it has not: a set asks
    each question once)."""
    made = bank(course)
    item = made.by_id.get(question_id) if made else None
    if made is None or item is None:
        return None
    seen, _ = answers(user_id, course)
    return explain(made, item, seen.get(question_id), estimate(made, seen), moment).text()


@dataclass(frozen=True)
class Outlook:
    """What the pages show: the predicted score now and the practice time to a likely pass."""

    readiness: Readiness
    hours: float | None        # None: more than the projection's limit

    @property
    def time_text(self) -> str:
        return time_text(self.hours)

    @property
    def pass_percent(self) -> int:
        return round(100 * self.readiness.pass_probability)


def outlook(user_id: int, course: Course, moment: datetime, rows: list[Summary] | None = None) -> Outlook | None:
    made = bank(course)
    if made is None:
        return None
    seen, _ = answers(user_id, course, rows)
    abilities = estimate(made, seen)
    return Outlook(readiness(made, seen, moment, abilities), hours_to_pass(made, seen, moment, abilities=abilities))
