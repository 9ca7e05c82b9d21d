"""The student's own collections: the mistake notebook (错题本) and favourites (收藏)."""
from __future__ import annotations

from collections import Counter

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from tutor.extensions import db, limiter
from tutor.models import Favourite, NotebookEntry
from tutor.web import catalog, course_or_404, now, safe_next, student_write_key

bp = Blueprint("collections", __name__)


@bp.route("/notebook")
@login_required
def notebook() -> str:
    courses = []
    for course in catalog().courses.values():
        entries = [e for e in db.session.scalars(
            select(NotebookEntry).where(NotebookEntry.user_id == current_user.id,
                                        NotebookEntry.course_id == course.id)
            .order_by(NotebookEntry.last_wrong_at.desc())) if e.question_id in course.by_id]
        per_kp = Counter(course.by_id[e.question_id].knowledge_point for e in entries)
        courses.append((course, entries, per_kp))
    return render_template("collections/notebook.html", courses=courses)


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
    flash(message, "success")
    return redirect(safe_next(request.form.get("next")) or url_for("collections.favourites"))
