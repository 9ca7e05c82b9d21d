"""The progress review page: where a student stands and what to do next (an instructor may open any)."""
from __future__ import annotations

from collections import Counter

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from tutor import learning
from tutor.content.course import Course
from tutor.extensions import db
from tutor.models import ExamPaper, NotebookEntry, User
from tutor.progress import charts
from tutor.standing.mastery import readiness, weakest
from tutor.standing.sets import history as set_history
from tutor.standing.stats import activity, course_progress, exam_papers
from tutor.web import SignedInUser, catalog, now

bp = Blueprint("progress", __name__, url_prefix="/progress")
HISTORY_PAGE = 30


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


def _course_view(user: User | SignedInUser, course: Course, all_papers: list[ExamPaper]) -> dict:
    moment, tz = now(), current_app.config["TUTOR_TIMEZONE"]
    progress = course_progress(user.id, course, moment)
    kp_names = {kp: course.knowledge_points[kp].name for kp in course.knowledge_points}
    papers = [p for p in all_papers if p.course_id == course.id and p.submitted_at is not None]
    blueprint = course.manifest.exams[0] if course.manifest.exams else None
    notebook = Counter(course.by_id[qid].knowledge_point for qid in db.session.scalars(
        select(NotebookEntry.question_id).where(NotebookEntry.user_id == user.id,
                                                NotebookEntry.course_id == course.id))
        if qid in course.by_id)
    pass_percent = papers[-1].pass_percent if papers else (blueprint.pass_percent if blueprint else 60)
    return {
        "course": course,
        "progress": progress,
        "weakest": weakest(progress.mastery),
        "readiness": readiness(progress.mastery, blueprint) if blueprint else None,
        "due": learning.due_count(user.id, course.id, learning.end_of_day(moment, tz)),
        "notebook": notebook,
        "papers": papers,
        "mastery_chart": charts.mastery_bars(
            [(kp_names[kp], m.score, m.level) for kp, m in progress.mastery.items()], f"mastery-{course.id}"),
        "exam_chart": charts.exam_line(
            [(p.started_at.strftime("%m-%d"), 100 * (p.score or 0) / p.max_score) for p in papers],
            pass_percent, f"exams-{course.id}") if papers else None,
    }


def _page(user: User | SignedInUser) -> str:
    moment, tz = now(), current_app.config["TUTOR_TIMEZONE"]
    days = activity(user.id, moment, tz)
    show_all = request.args.get("history") == "all"
    papers = exam_papers(user.id)
    return render_template(
        "progress/page.html", student=user, own=user.id == current_user.id,
        courses=[_course_view(user, c, papers) for c in catalog().courses.values()],
        days=days,
        activity_chart=charts.activity_bars([(d.day.strftime("%m-%d"), d.answers, d.accuracy) for d in days]),
        history=set_history(user.id, catalog(), 10_000 if show_all else HISTORY_PAGE), show_all=show_all,
        all_papers=list(reversed(papers)))
