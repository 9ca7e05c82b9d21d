"""笔记 and 纠错 rows: what the question pages show the signed-in user, the instructors' queue,
and the rules both write by. No views here (tutor/feedbackloop/__init__.py has them).

A note is private to its author: nothing here reads another user's note, and no teacher page
shows notes. A report is about the content, so every instructor reads every report, but its
author's name only when they may read that student (tutor.teaching.can_read_student).
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple, Unpack

from flask import g
from flask_login import current_user
from sqlalchemy import (CompoundSelect, Select, bindparam, case, func, literal, literal_column, null, select,
                        union_all)

from tutor import teaching
from tutor.extensions import db
from tutor.models import (MEMBER_STUDENT, REPORT_CATEGORIES, REPORT_HANDLED, REPORT_OPEN, TEACHING_ROLES,
                          ClassMember, QuestionNote, QuestionReport, User)
from tutor.privacy import closure
from tutor.standing.papers import questions_on_open_paper
from tutor.web import now

NOTE_MAX = 2000
REPORT_MAX = 1000
REPLY_MAX = 1000
# Reports one user may make in any 24 hours. Enough for a careful student going through a
# chapter; a script, or a student venting on every question, stops here. Counted over all
# their reports, handled ones too: an instructor answering quickly must not lift the cap.
REPORTS_PER_DAY = 10
CATEGORY_LABELS = dict(zip(REPORT_CATEGORIES, ("答案有误", "题干不清", "解析有误", "其他"), strict=True))
STATUS_LABELS = {REPORT_OPEN: "待处理", REPORT_HANDLED: "已处理"}


def clean_text(raw: str | None, limit: int) -> str | None:
    """What a textarea sent, as stored: line breaks as `\\n` (browsers send `\\r\\n`, which
    `maxlength` counts as one character), control characters dropped (PostgreSQL refuses NUL),
    outer blanks trimmed; None when longer than `limit`."""
    text = (raw or "").replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cs"))
    text = text.strip()
    return text if len(text) <= limit else None


class NoteRow(NamedTuple):
    question_id: str
    text: str
    updated_at: datetime


class ReportRow(NamedTuple):
    id: int
    course_id: str
    question_id: str
    status: str
    category: str
    text: str
    reply: str | None
    created_at: datetime


@dataclass
class Panel:
    """What the note-and-report partial shows under one question, for the signed-in user."""

    anchor: str                                  # the partial's element id, and where POSTs return
    note: NoteRow | None
    reports: list[ReportRow]                     # theirs on this question, newest first
    reports_left: int                            # in the current 24 hours

    @property
    def open_report(self) -> bool:
        return any(r.status == REPORT_OPEN for r in self.reports)

    @property
    def can_report(self) -> bool:
        return not self.open_report and self.reports_left > 0


@dataclass
class _Loaded:
    """The user's notes on one course and their reports, loaded once per request: a page with
    many questions (an exam result) costs two queries, not two per question."""

    notes: dict[str, Any] = field(default_factory=dict)
    reports: dict[str, list[Any]] = field(default_factory=dict)
    reports_today: int = 0


# One statement, Core rows (the panel only shows them, on every feedback page): the user's notes
# on the course, then their reports on every course, newest first; the NULLs pad a note's row
# to a report's columns.
_NOTE, _REPORT = "note", "report"
_PANEL_ROWS: CompoundSelect[Unpack[tuple[Any, ...]]] = union_all(
    select(literal(_NOTE).label("kind"), null().label("id"), null().label("course_id"), QuestionNote.question_id,
           null().label("status"), null().label("category"), QuestionNote.text, null().label("reply"),
           QuestionNote.updated_at.label("at"))
    .where(QuestionNote.user_id == bindparam("user_id"), QuestionNote.course_id == bindparam("course_id")),
    select(literal(_REPORT), QuestionReport.id, QuestionReport.course_id, QuestionReport.question_id,
           QuestionReport.status, QuestionReport.category, QuestionReport.text, QuestionReport.reply,
           QuestionReport.created_at)
    .where(QuestionReport.user_id == bindparam("user_id")),
).order_by(literal_column("at").desc(), literal_column("id").desc())


def _loaded(user_id: int, course_id: str) -> _Loaded:
    cache: dict[str, _Loaded] = g.setdefault("feedbackloop_loaded", {})
    if course_id not in cache:
        found = _Loaded()
        # every course's reports: the 24-hour cap counts them all (a few a day at most, by that cap)
        since = now() - timedelta(days=1)
        for row in db.session.connection().execute(_PANEL_ROWS, {"user_id": user_id, "course_id": course_id}):
            if row.kind == _NOTE:
                found.notes[row.question_id] = NoteRow(row.question_id, row.text, row.at)
                continue
            found.reports_today += row.at > since
            if row.course_id == course_id:
                found.reports.setdefault(row.question_id, []).append(ReportRow(*row[1:]))
        cache[course_id] = found
    return cache[course_id]


def reports_today(user_id: int, moment: datetime) -> int:
    return db.session.scalar(select(func.count()).select_from(QuestionReport).where(
        QuestionReport.user_id == user_id, QuestionReport.created_at > moment - timedelta(days=1))) or 0


def withheld() -> frozenset[str]:
    """Questions on the user's running mock exam or withheld assignment: their panels are hidden
    (a note or a reply could give the key away) and their POSTs refused."""
    return questions_on_open_paper()


def anchor(question_id: str) -> str:
    return "notes-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in question_id)


def panel(course_id: str, question_id: str) -> Panel | None:
    """The signed-in user's note and reports on a question; None where the panel must not show."""
    if not current_user.is_authenticated or question_id in withheld():
        return None
    loaded = _loaded(current_user.id, course_id)
    return Panel(anchor(question_id), loaded.notes.get(question_id), loaded.reports.get(question_id, []),
                 max(REPORTS_PER_DAY - loaded.reports_today, 0))


def note_of(user_id: int, course_id: str, question_id: str) -> QuestionNote | None:
    return db.session.scalar(select(QuestionNote).where(QuestionNote.user_id == user_id,
                                                        QuestionNote.course_id == course_id,
                                                        QuestionNote.question_id == question_id))


def has_open_report(user_id: int, course_id: str, question_id: str) -> bool:
    return db.session.scalar(select(func.count()).select_from(QuestionReport).where(
        QuestionReport.user_id == user_id, QuestionReport.course_id == course_id,
        QuestionReport.question_id == question_id, QuestionReport.status == REPORT_OPEN)) != 0


def open_count() -> int:
    """Open reports of every course: the 纠错 tab's number (from ix_question_reports_status)."""
    return db.session.scalar(select(func.count()).select_from(QuestionReport)
                             .where(QuestionReport.status == REPORT_OPEN)) or 0


def queue_query(status: str) -> Select[Unpack[tuple[Any, ...]]]:
    """Reports with their author's username, 姓名 and role: open ones first, oldest first (a
    queue); then handled ones, the latest handled first."""
    query = select(QuestionReport, User.username, User.display_name, User.role).join(
        User, User.id == QuestionReport.user_id)
    if status in (REPORT_OPEN, REPORT_HANDLED):
        query = query.where(QuestionReport.status == status)
    is_open = QuestionReport.status == REPORT_OPEN
    return query.order_by(case((is_open, 0), else_=1), case((is_open, QuestionReport.created_at)),
                          QuestionReport.handled_at.desc(), QuestionReport.id)


def readable_authors(viewer: Any, author_ids: set[int]) -> set[int]:
    """Which of these students `viewer` may name: teaching.can_read_student for a page of rows
    in one query (an admin: all; an instructor: the students of the classes they teach)."""
    if not author_ids:
        return set()
    if teaching.is_admin(viewer):
        return set(author_ids)
    mine = select(ClassMember.class_id).where(ClassMember.user_id == viewer.id,
                                              ClassMember.role.in_(teaching.TEACHER_ROLES))
    return set(db.session.scalars(select(ClassMember.user_id).distinct().where(
        ClassMember.user_id.in_(author_ids), ClassMember.role == MEMBER_STUDENT, ClassMember.class_id.in_(mine))))


def shows_name(viewer: Any, author_id: int, role: str, readable: set[int]) -> bool:
    """A student's name to their own teachers (and to themselves); a colleague's always."""
    return author_id == viewer.id or role in TEACHING_ROLES or author_id in readable


def handlers(ids: set[int]) -> dict[int, str]:
    """Names of the instructors who handled reports (teachers are named to everyone)."""
    if not ids:
        return {}
    return {user_id: display_name or closure.shown_name(username) for user_id, username, display_name in
            db.session.execute(select(User.id, User.username, User.display_name).where(User.id.in_(ids)))}
