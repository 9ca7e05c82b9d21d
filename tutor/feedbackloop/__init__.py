"""笔记 and 纠错: a private note per user and question, and reports of problems in questions,
which instructors work through in a queue and answer. See docs/notes-and-reports.md.

The question pages of other blueprints include templates/questions/_notes.html, which asks
`question_panel` (a template global) for the user's note and reports: no blueprint imports
this one. The POSTs return to the page they came from (`next`, through web.safe_next).
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from tutor import paging
from tutor.content.course import Course
from tutor.extensions import db
from tutor.feedbackloop import store
from tutor.models import REPORT_HANDLED, REPORT_OPEN, QuestionNote, QuestionReport
from tutor.web import catalog, course_or_404, instructor_required, now, safe_next

bp = Blueprint("feedbackloop", __name__)
STATUS_FILTERS = {REPORT_OPEN: "待处理", REPORT_HANDLED: "已处理", "all": "全部"}


@bp.app_template_global("question_panel")
def question_panel(course: Course, question: Any) -> store.Panel | None:
    return store.panel(course.id, question.id)


@bp.app_template_global("open_report_count")
def open_report_count() -> int:
    return store.open_count() if current_user.is_authenticated and current_user.is_instructor else 0


@bp.app_context_processor
def labels() -> dict[str, Any]:
    return {"REPORT_CATEGORIES": store.CATEGORY_LABELS, "REPORT_STATUSES": store.STATUS_LABELS,
            "NOTE_MAX": store.NOTE_MAX, "REPORT_MAX": store.REPORT_MAX, "REPLY_MAX": store.REPLY_MAX}


def _question(course_id: str, question_id: str) -> tuple[Course, str]:
    course = course_or_404(course_id)
    if question_id not in course.by_id:
        abort(404)
    return course, question_id


def _back(question_id: str) -> Response:
    """To the page the form was on, at the panel; else 我的纠错 (never off this site)."""
    target = safe_next(request.form.get("next"))
    if target is None:
        return redirect(url_for("feedbackloop.mine"))
    return redirect(target.split("#", 1)[0] + "#" + store.anchor(question_id))


def _refused_on_exam(question_id: str) -> bool:
    if question_id in store.withheld():
        flash("考试进行中，交卷后才能写这道题的笔记或纠错。", "error")
        return True
    return False


@bp.route("/questions/<course_id>/<question_id>/note", methods=["POST"])
@login_required
def save_note(course_id: str, question_id: str) -> Response:
    """Save the user's note on a question; an empty note deletes it. Only ever the signed-in
    user's own row: the URL names a question, never a note or a user."""
    course, question_id = _question(course_id, question_id)
    if _refused_on_exam(question_id):
        return _back(question_id)
    text = store.clean_text(request.form.get("text"), store.NOTE_MAX)
    if text is None:
        flash(f"笔记最多 {store.NOTE_MAX} 字，没有保存。", "error")
        return _back(question_id)
    mine = (QuestionNote.user_id == current_user.id, QuestionNote.course_id == course.id,
            QuestionNote.question_id == question_id)
    if not text:
        db.session.execute(delete(QuestionNote).where(*mine))
        db.session.commit()
        flash("笔记已删除", "success")
        return _back(question_id)
    note = store.note_of(current_user.id, course.id, question_id)
    if note is None:
        db.session.add(QuestionNote(user_id=current_user.id, course_id=course.id, question_id=question_id,
                                    text=text, updated_at=now()))
    else:
        note.text, note.updated_at = text, now()
    try:
        db.session.commit()
    except IntegrityError:      # saved from two tabs at once: the other made the row; this text wins
        db.session.rollback()
        note = store.note_of(current_user.id, course.id, question_id)
        if note is not None:
            note.text, note.updated_at = text, now()
            db.session.commit()
    flash("笔记已保存", "success")
    return _back(question_id)


@bp.route("/questions/<course_id>/<question_id>/report", methods=["POST"])
@login_required
def report(course_id: str, question_id: str) -> Response:
    """纠错: one open report per user and question, at most store.REPORTS_PER_DAY a day."""
    course, question_id = _question(course_id, question_id)
    if _refused_on_exam(question_id):
        return _back(question_id)
    category = request.form.get("category", "")
    text = store.clean_text(request.form.get("text"), store.REPORT_MAX)
    if category not in store.CATEGORY_LABELS:
        flash("请选择问题类型。", "error")
        return _back(question_id)
    if not text:
        flash("请写明问题在哪里。" if text == "" else f"说明最多 {store.REPORT_MAX} 字，没有提交。", "error")
        return _back(question_id)
    moment = now()
    if store.has_open_report(current_user.id, course.id, question_id):
        flash("你已经报告过这道题，老师处理后会在这里回复。", "info")
        return _back(question_id)
    if store.reports_today(current_user.id, moment) >= store.REPORTS_PER_DAY:
        flash(f"24 小时内最多提交 {store.REPORTS_PER_DAY} 条纠错，请明天再来。", "error")
        return _back(question_id)
    db.session.add(QuestionReport(user_id=current_user.id, course_id=course.id, question_id=question_id,
                                  question_version=course.versions[question_id], category=category, text=text,
                                  created_at=moment, status=REPORT_OPEN))
    db.session.commit()
    flash("谢谢！纠错已提交，老师处理后会在这道题下回复。", "success")
    return _back(question_id)


@bp.route("/reports/")
@login_required
def mine() -> str:
    """我的纠错: the user's own reports, newest first, with the replies."""
    query = (select(QuestionReport).where(QuestionReport.user_id == current_user.id)
             .order_by(QuestionReport.created_at.desc(), QuestionReport.id.desc()))
    page = paging.paginate_query(query, request.args.get("page"))
    return render_template("feedbackloop/mine.html", page=page, reports=[row[0] for row in page.rows],
                           courses=catalog().courses,
                           withheld=store.withheld())


@bp.route("/instructor/reports/")
@instructor_required
def queue() -> str:
    """The 纠错 queue of every course: open reports first."""
    status = request.args.get("status", REPORT_OPEN)
    if status not in STATUS_FILTERS:
        status = REPORT_OPEN
    page = paging.paginate_query(store.queue_query(status), request.args.get("page"))
    readable = store.readable_authors(current_user, {row[0].user_id for row in page.rows})
    rows = [(report, username if store.shows_name(current_user, report.user_id, role, readable) else None,
             display_name if store.shows_name(current_user, report.user_id, role, readable) else None)
            for report, username, display_name, role in page.rows]
    return render_template("feedbackloop/queue.html", page=page, rows=rows, status=status, filters=STATUS_FILTERS,
                           courses=catalog().courses, open_total=store.open_count(),
                           handlers=store.handlers({r.handled_by for r, _, _ in rows if r.handled_by}))


@bp.route("/instructor/reports/<int:report_id>", methods=["POST"])
@instructor_required
def handle(report_id: int) -> Response:
    """Mark a report handled with a reply the student sees (a handled one: change the reply)."""
    found = db.session.get(QuestionReport, report_id)
    if found is None:
        abort(404)
    back = safe_next(request.form.get("next")) or url_for("feedbackloop.queue")
    reply = store.clean_text(request.form.get("reply"), store.REPLY_MAX)
    if reply is None:
        flash(f"回复最多 {store.REPLY_MAX} 字，没有保存。", "error")
        return redirect(back)
    found.status, found.reply = REPORT_HANDLED, reply or None
    found.handled_by, found.handled_at = current_user.id, now()
    db.session.commit()
    flash("已标记为已处理" + ("，学生会看到你的回复" if reply else ""), "success")
    return redirect(back)
