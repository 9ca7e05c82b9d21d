"""Reading: the course outline and the lessons."""
from __future__ import annotations

from flask import Blueprint, abort, render_template
from flask_login import current_user

from tutor.progress.stats import course_progress
from tutor.web import catalog, course_or_404

bp = Blueprint("study", __name__)


@bp.route("/")
def home() -> str:
    courses = list(catalog().courses.values())
    progress = {}
    if current_user.is_authenticated:
        progress = {c.id: course_progress(current_user.id, c) for c in courses}
    return render_template("study/home.html", courses=courses, progress=progress)


@bp.route("/courses/<course_id>/lessons/<lesson_id>")
def lesson(course_id: str, lesson_id: str) -> str:
    course = course_or_404(course_id)
    lesson = course.lesson(lesson_id)
    if lesson is None:
        abort(404)
    return render_template("study/lesson.html", course=course, lesson=lesson)
