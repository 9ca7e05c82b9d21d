"""Everything stored about one user, as plain JSON-ready values, section by section.

Each section is a list of rows (dicts with the same keys in the same order), so that the JSON
download and the CSV files of the ZIP are made from the same rows and cannot disagree.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, scoped_session

from tutor.models import (Assignment, Attempt, ClassMember, Delivery, ExamAnswer, ExamPaper, Favourite,
                          NotebookEntry, PracticeSet, QuestionNote, QuestionReport, ReviewCard, SchoolClass,
                          SequenceCursor, StudentQuestion, Submission, User, UserSettings)

# Flask-SQLAlchemy's db.session (scoped) or a plain Session: the functions here take either.
DbSession = Session | scoped_session[Any]
FORMAT_VERSION = 1
# Secrets, not information about the person: a hash of the password and the cookie's token.
SECRET_COLUMNS = frozenset({"password_hash", "session_token"})

# section name -> the model whose rows carry the user's id, in the order they are written out.
# (Exam answers hang off papers and are collected under them.)
OWN_ROWS: dict[str, Any] = {
    "answers": Attempt,
    "practice_sets": PracticeSet,
    "deliveries": Delivery,
    "question_standing": StudentQuestion,
    "notebook": NotebookEntry,
    "favourites": Favourite,
    "review_cards": ReviewCard,
    "sequence_cursors": SequenceCursor,
    "settings": UserSettings,            # 设置
    "notes": QuestionNote,               # 笔记
    "question_reports": QuestionReport,  # 纠错, with the instructors' replies
}


def plain(value: Any) -> Any:
    """A stored value as JSON holds it: times as ISO 8601 in UTC (`Z`), calendar days (an exam
    date) as ISO 8601 dates, the rest unchanged."""
    if isinstance(value, datetime):
        return value.isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return value


def row_dict(row: Any, leave_out: frozenset[str] = frozenset({"user_id"})) -> dict[str, Any]:
    """Every column of an ORM row by its column name (the user's own id is said once, in account)."""
    return {c.name: plain(getattr(row, c.key)) for c in row.__table__.columns if c.name not in leave_out}


def account(user: User) -> dict[str, Any]:
    return row_dict(user, SECRET_COLUMNS)


def classes(session: DbSession, user_id: int) -> list[dict[str, Any]]:
    found = session.execute(select(ClassMember, SchoolClass).join(SchoolClass, SchoolClass.id == ClassMember.class_id)
                            .where(ClassMember.user_id == user_id).order_by(ClassMember.id))
    return [{"class_id": c.id, "class_name": c.name, "course_id": c.course_id, "role": m.role,
             "added_at": plain(m.added_at), "archived_at": plain(c.archived_at)} for m, c in found]


def exam_papers(session: DbSession, user_id: int) -> list[dict[str, Any]]:
    papers = session.scalars(select(ExamPaper).where(ExamPaper.user_id == user_id).order_by(ExamPaper.id))
    return [{**row_dict(p), "answers": [row_dict(a, frozenset({"paper_id"})) for a in p.answers]} for p in papers]


def submissions(session: DbSession, user_id: int) -> list[dict[str, Any]]:
    """The student's tries at assignments, with the title set and the teacher's 评语."""
    found = session.execute(select(Submission, Assignment.title, Assignment.class_id)
                            .join(Assignment, Assignment.id == Submission.assignment_id)
                            .where(Submission.user_id == user_id).order_by(Submission.id))
    return [{**row_dict(s), "assignment_title": title, "class_id": class_id} for s, title, class_id in found]


def collect(session: DbSession, user_id: int, exported_at: datetime) -> dict[str, Any]:
    """The whole download: account, classes, every own row, exam papers with their answers."""
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    data: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "exported_at": plain(exported_at),
        "account": account(user),
        "classes": classes(session, user_id),
    }
    for name, model in OWN_ROWS.items():
        data[name] = [row_dict(r) for r in session.scalars(
            select(model).where(model.user_id == user_id).order_by(model.id))]
    data["exam_papers"] = exam_papers(session, user_id)
    data["submissions"] = submissions(session, user_id)
    return data


def columns(model: Any, leave_out: frozenset[str] = frozenset({"user_id"})) -> list[str]:
    return [c.name for c in model.__table__.columns if c.name not in leave_out]


Table = tuple[list[str], list[dict[str, Any]]]


def tables(data: dict[str, Any]) -> dict[str, Table]:
    """The download as flat tables, one per CSV file, each with its header (an empty table keeps
    its columns): the account as a one-row table, exam answers out of their papers into a table
    of their own keyed by the paper's id."""
    flat: dict[str, Table] = {
        "account": (columns(User, SECRET_COLUMNS), [data["account"]]),
        "classes": (["class_id", "class_name", "course_id", "role", "added_at", "archived_at"], data["classes"]),
    }
    for name, model in OWN_ROWS.items():
        flat[name] = (columns(model), data[name])
    flat["exam_papers"] = (columns(ExamPaper), [{k: v for k, v in p.items() if k != "answers"}
                                                for p in data["exam_papers"]])
    flat["exam_answers"] = (["paper_id", *columns(ExamAnswer, frozenset({"paper_id"}))],
                            [{"paper_id": p["id"], **a} for p in data["exam_papers"] for a in p["answers"]])
    flat["submissions"] = ([*columns(Submission), "assignment_title", "class_id"], data["submissions"])
    return flat
