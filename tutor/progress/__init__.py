"""The progress review page: where a student stands and what to do next (an instructor may open any)."""
from __future__ import annotations

from collections import Counter
from datetime import date

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user, login_required
from sqlalchemy import select

from tutor import learning, teaching
from tutor.adaptive import state as adaptive
from tutor.content.course import Course
from tutor.extensions import db
from tutor.models import ExamPaper, NotebookEntry, User
from tutor.localtime import to_local
from tutor.progress import charts
from tutor.standing.mastery import level_counts, weakest
from tutor.standing.review import due_today, learning_step_minutes
from tutor.standing.sets import history as set_history
from tutor.standing.stats import activity, course_progress, exam_papers, summaries
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
    # An instructor reads only the students of the classes they teach (an admin: everyone).
    if user_id != current_user.id and not teaching.can_read_student(current_user, user_id):
        abort(403)
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return _page(user)


def _course_view(user: User | SignedInUser, course: Course, all_papers: list[ExamPaper]) -> dict:
    moment, tz = now(), current_app.config["TUTOR_TIMEZONE"]
    answered = summaries(user.id, course.id)
    progress = course_progress(answered, course, moment)
    kp_names = {kp: course.knowledge_points[kp].name for kp in course.knowledge_points}
    papers = [p for p in all_papers if p.course_id == course.id and p.submitted_at is not None]
    blueprint = course.manifest.exams[0] if course.manifest.exams else None
    notebook = Counter(course.by_id[qid].knowledge_point for qid in db.session.scalars(
        select(NotebookEntry.question_id).where(NotebookEntry.user_id == user.id,
                                                NotebookEntry.course_id == course.id))
        if qid in course.by_id)
    pass_percent = papers[-1].pass_percent if papers else (blueprint.pass_percent if blueprint else 60)
    outlook = adaptive.outlook(user.id, course, moment, answered)     # the readiness model of docs/adaptive.md
    return {
        "course": course,
        "progress": progress,
        "weakest": weakest(progress.mastery),
        "readiness": outlook.readiness if outlook else None,
        "outlook": outlook,
        "due": due_today(user.id, course.id, learning.end_of_day(moment, tz)),
        "levels": level_counts(progress.mastery),
        "notebook": notebook,
        "papers": papers,
        "mastery_chart": charts.mastery_bars(
            [(kp_names[kp], m.score, m.level) for kp, m in progress.mastery.items()], f"mastery-{course.id}"),
        "exam_chart": charts.exam_line(exam_points(papers, tz), pass_percent, f"exams-{course.id}") if papers else None,
    }


CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def day_label(day: date) -> str:
    return f"{day.month}月{day.day}日"


def exam_points(papers: list[ExamPaper], tz: str) -> list[tuple[str, float, str]]:
    """Each paper as the exam chart plots it: its local day for the axis, numbered ①② when one
    day has several; its day, time and number in words; its score in percent."""
    starts = [to_local(p.started_at, tz) for p in papers]
    per_day = Counter(s.date() for s in starts)
    seen: Counter[date] = Counter()
    points = []
    for paper, start in zip(papers, starts):
        label = day_label(start.date())
        words = f"{label} {start:%H:%M}"
        if per_day[start.date()] > 1:
            seen[start.date()] += 1
            n = seen[start.date()]
            label += CIRCLED[n - 1] if n <= len(CIRCLED) else f"({n})"
            words += f"（当天第 {n} 次）"
        points.append((label, 100 * (paper.score or 0) / paper.max_score, words))
    return points


def _page(user: User | SignedInUser) -> str:
    moment, tz = now(), current_app.config["TUTOR_TIMEZONE"]
    days = activity(user.id, moment, tz)
    show_all = request.args.get("history") == "all"
    papers = exam_papers(user.id)
    return render_template(
        "progress/page.html", student=user, own=user.id == current_user.id,
        courses=[_course_view(user, c, papers) for c in catalog().courses.values()],
        days=days,
        activity_chart=charts.activity_bars([(day_label(d.day), d.answers, d.accuracy) for d in days]),
        day_label=day_label, step_minutes=learning_step_minutes(),
        history=set_history(user.id, catalog(), 10_000 if show_all else HISTORY_PAGE), show_all=show_all,
        all_papers=list(reversed(papers)))
