"""Reading: the course outline and the lessons."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_login import current_user
from sqlalchemy import func, select

from tutor import learning, preferences, teaching
from tutor.adaptive import state as adaptive
from tutor.coursework import rules, tries
from tutor.extensions import db
from tutor.models import Assignment, Favourite, NotebookEntry, SchoolClass
from tutor.standing.sets import latest_unfinished
from tutor.standing.goals import StudyGoals, study_goals
from tutor.standing.mastery import level_counts
from tutor.standing.review import due_today, learning_step_minutes
from tutor.standing.stats import course_progress, summaries
from tutor.web import catalog, course_or_404, now

bp = Blueprint("study", __name__)
PENDING = (rules.UPCOMING, rules.TODO, rules.DOING, rules.OVERDUE)


@bp.route("/")
def home() -> str:
    courses = list(catalog().courses.values())
    progress, counts, resume, outlooks = {}, {}, {}, {}
    my_classes = []
    work: list[tuple[Assignment, SchoolClass, str]] = []
    goals: StudyGoals | None = None
    if current_user.is_authenticated:
        my_classes = teaching.student_classes(current_user.id)
        # 作业 still to do (or to finish), soonest due first; done ones are on 我的作业
        work = sorted((line for line in tries.student_lines(current_user.id, now()) if line[2] in PENDING),
                      key=lambda line: line[0].due_at)
        resume = {c.id: latest_unfinished(current_user.id, c) for c in courses}   # 继续上次练习
        answered = {c.id: summaries(current_user.id, c.id) for c in courses}
        progress = {c.id: course_progress(answered[c.id], c, now()) for c in courses}
        # 智能练习's forecast, from the same rows
        outlooks = {c.id: adaptive.outlook(current_user.id, c, now(), answered[c.id]) for c in courses}
        until = learning.end_of_day(now(), current_app.config["TUTOR_TIMEZONE"])
        counts = {c.id: {"due": due_today(current_user.id, c.id, until),
                         "levels": level_counts(progress[c.id].mastery),
                         "notebook": _count(NotebookEntry, c.id), "favourites": _count(Favourite, c.id)}
                  for c in courses}
        prefs = preferences.current()
        goals = study_goals(current_user.id, courses, progress, prefs.daily_goal, prefs.exam_date, now(),
                            current_app.config["TUTOR_TIMEZONE"])
    return render_template("study/home.html", courses=courses, progress=progress, counts=counts, resume=resume,
                           goals=goals, outlooks=outlooks,
                           step_minutes=learning_step_minutes(), my_classes=my_classes, work=work,
                           status_labels=rules.STATUS_LABELS, kind_labels=rules.KIND_LABELS)


def _count(model: type[NotebookEntry] | type[Favourite], course_id: str) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(
        model.user_id == current_user.id, model.course_id == course_id)) or 0


@bp.route("/courses/<course_id>/lessons/<lesson_id>")
def lesson(course_id: str, lesson_id: str) -> str:
    course = course_or_404(course_id)
    lesson = course.lesson(lesson_id)
    if lesson is None:
        abort(404)
    return render_template("study/lesson.html", course=course, lesson=lesson)
