"""人工复核: short answers whose keyword score is uncertain, for an instructor to score."""
from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy import and_, func, or_, select

from tutor.content.course import Course
from tutor.extensions import db
from tutor.models import Attempt, User
from tutor.questions import question_type
from tutor.reassessment import rubric_share
from tutor.stored_grade import stored_grade

QUEUE_LIMIT = 200


def uncertain(attempt: Attempt, course: Course) -> str | None:
    """Why an answer's score needs a person, or None: some rubric points found but not all, or
    a self-assessment that disagrees with the keywords (in a case: its short sub-questions')."""
    kept, full = rubric_share(course, attempt)
    keyword = attempt.keyword_score - kept
    if 0 < keyword < full:
        return "部分要点"
    verdict = attempt.self_assessment
    if (verdict == "right" and keyword < full) or (verdict == "wrong" and keyword > 0) or (
            verdict == "partial" and keyword in (0, full)):
        return "自评不一致"
    return None


class Waiting(NamedTuple):
    attempt: Attempt
    username: str
    question: Any
    grade: Any          # the stored grade: the rubric points the keywords found
    reason: str


def queue(course: Course, students_query: Any = None) -> list[Waiting]:
    """The course's unreviewed short answers that need a person, oldest first; only those of the
    students `students_query` selects (a subquery of user ids), when given."""
    shorts = [q.id for q in course.questions if question_type(q).rubric_scored(q)]
    keyword = func.coalesce(Attempt.rubric_score, Attempt.score)
    rows = db.session.execute(select(Attempt, User.username).join(User, User.id == Attempt.user_id).where(
        Attempt.course_id == course.id, Attempt.question_id.in_(shorts), Attempt.reviewed_at.is_(None),
        or_(and_(keyword > 0, keyword < Attempt.max_score), Attempt.self_assessment.is_not(None)),
        *([] if students_query is None else [Attempt.user_id.in_(students_query)]))
        .order_by(Attempt.created_at, Attempt.id))
    waiting = []
    for attempt, username in rows:
        reason = uncertain(attempt, course)
        if reason is not None:
            q = course.by_id[attempt.question_id]
            waiting.append(Waiting(attempt, username, q, stored_grade(
                q, attempt.correct, attempt.keyword_score, attempt.max_score, attempt.parts), reason))
            if len(waiting) >= QUEUE_LIMIT:
                break
    return waiting
