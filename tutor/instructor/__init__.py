"""Instructor pages: the class and the state of the content."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template
from sqlalchemy import case, func, select

from tutor.extensions import db
from tutor.models import STUDENT, Attempt, User
from tutor.web import catalog, instructor_required

bp = Blueprint("instructor", __name__, url_prefix="/instructor")


@bp.route("/")
@instructor_required
def students() -> str:
    stats = (select(Attempt.user_id, func.count().label("answered"),
                    func.sum(case((Attempt.correct, 1), else_=0)).label("correct"),
                    func.max(Attempt.created_at).label("last_active"))
             .group_by(Attempt.user_id).subquery())
    rows = db.session.execute(
        select(User, stats.c.answered, stats.c.correct, stats.c.last_active)
        .outerjoin(stats, stats.c.user_id == User.id)
        .where(User.role == STUDENT).order_by(User.username)).all()
    return render_template("instructor/students.html", rows=rows)


@bp.route("/content")
@instructor_required
def content() -> str:
    return render_template("instructor/content.html", catalog=catalog(),
                           content_dir=current_app.config["TUTOR_CONTENT_DIR"])
