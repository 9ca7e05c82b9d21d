"""Questions on a student's running mock exam, or on an assignment that shows answers only
after its due time: no page shows their keys, 解析 or verdicts until then (practice
feedback, 背题模式, earlier results, 错题本, 自评)."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, g
from flask_login import current_user
from sqlalchemy import select

from tutor.coursework.tries import withheld_questions
from tutor.extensions import db
from tutor.models import ExamPaper
from tutor.web import now


def questions_on_open_paper() -> frozenset[str]:
    """The questions of the student's mock exam papers not yet handed in (and still taking
    answers): no page shows their keys, 解析 or verdicts until the hand-in. Instructors see all.
    Worked out once a request (a practice answer asks three times: the view, its 答题卡 and its
    notes panel); the requests that start or hand in a paper redirect before any page is shown."""
    if current_user.is_instructor:
        return frozenset()
    if "questions_on_open_paper" not in g:
        g.questions_on_open_paper = _questions_on_open_paper()
    found: frozenset[str] = g.questions_on_open_paper
    return found


def _questions_on_open_paper() -> frozenset[str]:
    since = now() - timedelta(seconds=float(current_app.config["TUTOR_EXAM_GRACE_SECONDS"]))
    papers = db.session.scalars(select(ExamPaper.items).where(
        ExamPaper.user_id == current_user.id, ExamPaper.submitted_at.is_(None), ExamPaper.deadline >= since))
    return frozenset(item["question_id"] for items in papers for item in items) | withheld_questions(
        current_user.id, now())
