"""TUTOR_RETENTION_DAYS: the answers of students inactive that long are deleted. Inactive: no
log-in (or, never logged in since it was recorded, no sign-up) and no answer for that many days.
Instructors and admins are never touched; the account itself, its classes and favourites stay.
Private notes on questions (笔记) go with the answers: free text is the likeliest to carry
personal information, and nobody but the inactive student reads it. Reports of problems in
questions (纠错) stay: they are about the content and instructors answered them; closing the
account removes the student's name from them (closure.py).
"""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select

from tutor.models import (STUDENT, Attempt, Delivery, ExamAnswer, ExamPaper, NotebookEntry, PracticeSet,
                          QuestionNote, ReviewCard, StudentQuestion, Submission, User)
from tutor.privacy.data import DbSession


def inactive_students(session: DbSession, now: datetime, days: float) -> list[tuple[int, str]]:
    """(id, username) of the students with nothing done since `days` before `now`."""
    cutoff = now - timedelta(days=days)
    last_answer = (select(Attempt.user_id, func.max(Attempt.created_at).label("last"))
                   .group_by(Attempt.user_id).subquery())
    seen = func.coalesce(User.last_login_at, User.created_at)
    rows = session.execute(select(User.id, User.username)
                           .outerjoin(last_answer, last_answer.c.user_id == User.id)
                           .where(User.role == STUDENT, seen < cutoff,
                                  or_(last_answer.c.last.is_(None), last_answer.c.last < cutoff))
                           .order_by(User.id))
    return [(user_id, username) for user_id, username in rows]


def delete_answers(session: DbSession, user_ids: list[int]) -> Counter[str]:
    """Delete these students' answers and everything hanging off them, children before their
    parents (foreign keys); rows deleted, by table. The caller commits."""
    deleted: Counter[str] = Counter()
    if not user_ids:
        return deleted
    papers = select(ExamPaper.id).where(ExamPaper.user_id.in_(user_ids)).scalar_subquery()
    statements: list[tuple[str, Any]] = [
        ("student_questions", delete(StudentQuestion).where(StudentQuestion.user_id.in_(user_ids))),
        ("submissions", delete(Submission).where(Submission.user_id.in_(user_ids))),
        ("attempts", delete(Attempt).where(Attempt.user_id.in_(user_ids))),
        ("exam_answers", delete(ExamAnswer).where(ExamAnswer.paper_id.in_(papers))),
        ("exam_papers", delete(ExamPaper).where(ExamPaper.user_id.in_(user_ids))),
        ("deliveries", delete(Delivery).where(Delivery.user_id.in_(user_ids))),
        ("practice_sets", delete(PracticeSet).where(PracticeSet.user_id.in_(user_ids))),
        ("notebook_entries", delete(NotebookEntry).where(NotebookEntry.user_id.in_(user_ids))),
        ("review_cards", delete(ReviewCard).where(ReviewCard.user_id.in_(user_ids))),
        ("question_notes", delete(QuestionNote).where(QuestionNote.user_id.in_(user_ids))),
    ]
    for table, statement in statements:
        result = session.execute(statement.execution_options(synchronize_session=False))
        deleted[table] += result.rowcount or 0                    # type: ignore[attr-defined]
    return +deleted
