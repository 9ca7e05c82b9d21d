"""The student's progress page: their own, or any student's for an instructor."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from tutor.extensions import db
from tutor.models import User
from tutor.progress.stats import course_progress, recent_attempts
from tutor.web import catalog

bp = Blueprint("progress", __name__, url_prefix="/progress")


@bp.route("/")
@login_required
def mine() -> str:
    return _page(current_user)


@bp.route("/<int:user_id>")
@login_required
def student(user_id: int) -> str:
    if user_id != current_user.id and not current_user.is_instructor:
        abort(403)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return _page(user)


def _page(user: User) -> str:
    courses = list(catalog().courses.values())
    progress = {c.id: course_progress(user.id, c) for c in courses}
    recent = [(a, catalog().course(a.course_id)) for a in recent_attempts(user.id)]
    return render_template("progress/page.html", student=user, courses=courses,
                           progress=progress, recent=recent)
