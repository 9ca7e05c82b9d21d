"""The student's own collections: the mistake notebook (错题本) and favourites (收藏)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from tutor import learning
from tutor.content.course import Course
from tutor.extensions import db, limiter
from tutor.models import Attempt, Favourite, NotebookEntry
from tutor.questions import REGISTRY, QuestionBase, question_type
from tutor.standing.papers import questions_on_open_paper
from tutor.stored_grade import has_breakdown, stored_grade
from tutor.web import catalog, course_or_404, now, safe_next, student_write_key

bp = Blueprint("collections", __name__)

# 错题本 filters (?show=): every entry, those answered wrong, those only ever handed in blank
FILTERS = {"all": "全部", "wrong": "答错", "blank": "未作答"}
# ?period=: when the question was last answered wrong, in whole local days (today and the days before)
PERIODS = {"all": ("全部时间", None), "today": ("今天", 1), "7d": ("近 7 天", 7), "30d": ("近 30 天", 30)}
SOURCES = {"exam": "模拟考试"}


@dataclass(frozen=True)
class ListFilter:
    """The 错题本 list's filters, all in the query string: show (全部/答错/未作答), 题型,
    知识点 and period (by last_wrong_at). Unknown values read as 'any', so an old link still works."""

    show: str = "all"
    qtype: str = ""
    kp: str = ""
    period: str = "all"

    @classmethod
    def from_args(cls, args: dict[str, str]) -> ListFilter:
        show, period = args.get("show", "all"), args.get("period", "all")
        qtype = args.get("type", "")
        return cls(show if show in FILTERS else "all", qtype if qtype in REGISTRY else "",
                   args.get("kp", "")[:100], period if period in PERIODS else "all")

    def args(self, **changes: str) -> dict[str, str]:
        """The query string of this filter with some values changed, leaving out the defaults."""
        values = {"show": self.show, "type": self.qtype, "kp": self.kp, "period": self.period, **changes}
        return {k: v for k, v in values.items() if v and v != "all"}

    @property
    def narrowed(self) -> bool:
        return bool(self.args())

    def since(self, moment: datetime, zone: str) -> datetime | None:
        """The start of the period as naive UTC: local midnight of its first day."""
        days = PERIODS[self.period][1]
        if days is None:
            return None
        return learning.end_of_day(moment, zone) - timedelta(days=days)

    def keeps(self, entry: Entry, since: datetime | None) -> bool:
        q = entry.question
        return (entry.shown(self.show) and (not self.qtype or q.type == self.qtype)
                and (not self.kp or q.knowledge_point == self.kp)
                and (since is None or entry.row.last_wrong_at >= since))


@dataclass(frozen=True)
class Entry:
    """A 错题本 row as the pages show it."""

    row: NotebookEntry
    question: QuestionBase

    @property
    def wrong(self) -> int:
        """Mistakes that were answers (not blanks)."""
        return max(self.row.wrong_count - self.row.blank_count, 0)

    @property
    def blank(self) -> bool:
        """Only ever handed in blank on a mock exam: 未作答, not 答错."""
        return self.wrong == 0

    def shown(self, show: str) -> bool:
        return show == "all" or (show == "blank") == self.blank


def _entries(course: Course) -> list[Entry]:
    rows = db.session.scalars(select(NotebookEntry).where(
        NotebookEntry.user_id == current_user.id, NotebookEntry.course_id == course.id)
        .order_by(NotebookEntry.last_wrong_at.desc(), NotebookEntry.id.desc()))
    return [Entry(e, course.by_id[e.question_id]) for e in rows if e.question_id in course.by_id]


@bp.route("/notebook")
@login_required
def notebook() -> str:
    chosen = ListFilter.from_args(request.args)
    since = chosen.since(now(), current_app.config["TUTOR_TIMEZONE"])
    courses = []
    for course in catalog().courses.values():
        everything = _entries(course)
        entries = [e for e in everything if chosen.keeps(e, since)]
        # the counts at the top are of the whole notebook: they say where the mistakes are
        per_kp = Counter(e.question.knowledge_point for e in everything)
        per_type = Counter(e.question.type for e in everything)
        counts = {"all": len(everything), "blank": sum(e.blank for e in everything)}
        counts["wrong"] = counts["all"] - counts["blank"]
        courses.append((course, entries, per_kp, per_type, counts))
    return render_template("collections/notebook.html", courses=courses, show=chosen.show, chosen=chosen,
                           filters=FILTERS, periods=PERIODS, types=REGISTRY)


@bp.route("/notebook/<course_id>/<question_id>")
@login_required
def notebook_entry(course_id: str, question_id: str) -> str:
    """One 错题本 entry: the question, the student's wrong answers over time, the key, 解析."""
    course = course_or_404(course_id)
    q = course.by_id.get(question_id)
    row = db.session.scalar(select(NotebookEntry).where(
        NotebookEntry.user_id == current_user.id, NotebookEntry.course_id == course.id,
        NotebookEntry.question_id == question_id))
    if q is None or row is None:
        abort(404)
    kind = question_type(q)
    attempts = db.session.scalars(select(Attempt).where(
        Attempt.user_id == current_user.id, Attempt.course_id == course.id, Attempt.question_id == q.id,
        Attempt.correct.is_(False)).order_by(Attempt.created_at.desc(), Attempt.id.desc()))
    history = [(a, stored_grade(q, a.correct, a.keyword_score, a.max_score, a.parts),
                a.response is not None and has_breakdown(q, a.parts)) for a in attempts]
    kp = course.knowledge_points.get(q.knowledge_point)
    return render_template("collections/entry.html", course=course, q=q, entry=Entry(row, q), history=history,
                           layout=kind.layout(q, None), key=kind.correct_response(q),
                           kp_name=kp.name if kp else "", sources=SOURCES,
                           on_exam=q.id in questions_on_open_paper(),
                           lesson=course.section_of.get(q.knowledge_point))


@bp.route("/notebook/<course_id>/<question_id>/remove", methods=["POST"])
@login_required
def remove_from_notebook(course_id: str, question_id: str) -> Response:
    course = course_or_404(course_id)
    db.session.execute(delete(NotebookEntry).where(
        NotebookEntry.user_id == current_user.id, NotebookEntry.course_id == course.id,
        NotebookEntry.question_id == question_id))
    db.session.commit()
    flash("已移出错题本", "success")
    # from the list, back to it as it was filtered; from the entry page, to the list
    return redirect(safe_next(request.form.get("next")) or url_for("collections.notebook"))


@bp.route("/favourites")
@login_required
def favourites() -> str:
    courses = []
    for course in catalog().courses.values():
        rows = [f for f in db.session.scalars(
            select(Favourite).where(Favourite.user_id == current_user.id, Favourite.course_id == course.id)
            .order_by(Favourite.created_at.desc())) if f.question_id in course.by_id]
        courses.append((course, rows))
    return render_template("collections/favourites.html", courses=courses)


def _wants_json() -> bool:
    """practice.js toggles the star in place and asks for JSON; a plain form post gets a redirect."""
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


@bp.route("/favourites/toggle", methods=["POST"])
@login_required
@limiter.limit(lambda: current_app.config["TUTOR_FAVOURITE_LIMIT"], key_func=student_write_key)
def toggle_favourite() -> Response:
    course = course_or_404(request.form.get("course", ""))
    question_id = request.form.get("question", "")
    if question_id not in course.by_id:
        abort(404)
    existing = db.session.scalar(select(Favourite).where(
        Favourite.user_id == current_user.id, Favourite.course_id == course.id,
        Favourite.question_id == question_id))
    if existing is None:
        db.session.add(Favourite(user_id=current_user.id, course_id=course.id,
                                 question_id=question_id, created_at=now()))
        message = "已收藏"
    else:
        db.session.delete(existing)
        message = "已取消收藏"
    try:
        db.session.commit()
    except IntegrityError:  # starred twice at once: it is starred
        db.session.rollback()
    if _wants_json():
        return jsonify(starred=existing is None, message=message)
    flash(message, "success")
    return redirect(safe_next(request.form.get("next")) or url_for("collections.favourites"))
