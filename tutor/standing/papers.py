"""Questions on a student's running mock exam, or on an assignment that shows answers only
after its due time: no page shows their keys, 解析 or verdicts until then (practice
feedback, 背题模式, earlier results, 错题本, 自评)."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app, g
from flask_login import current_user
from sqlalchemy import bindparam, literal, select, union_all

from tutor.coursework.tries import WITHHELD_ASSIGNMENTS, withheld_questions
from tutor.extensions import db
from tutor.models import ExamPaper
from tutor.web import now

PAPER = "paper"      # a row of a running paper, beside the assignments' kinds


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


# One statement: the running papers' items (deadline after `since`), and the withheld
# assignments after them.
_WITHHELD = union_all(
    select(literal(PAPER).label("kind"), ExamPaper.id, ExamPaper.items).where(
        ExamPaper.user_id == bindparam("user_id"), ExamPaper.submitted_at.is_(None),
        ExamPaper.deadline >= bindparam("since")),
    WITHHELD_ASSIGNMENTS)


def _questions_on_open_paper() -> frozenset[str]:
    moment = now()
    since = moment - timedelta(seconds=float(current_app.config["TUTOR_EXAM_GRACE_SECONDS"]))
    rows = db.session.connection().execute(_WITHHELD, {"user_id": current_user.id, "since": since,
                                                       "moment": moment}).all()
    on_papers = frozenset(item["question_id"] for kind, _, items in rows if kind == PAPER for item in items)
    return on_papers | withheld_questions(current_user.id, [row for row in rows if row[0] != PAPER])
