"""Mock exams (模拟考试): a fixed paper, a deadline kept on the server, no feedback until the end."""
from __future__ import annotations

import random
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from tutor import learning
from tutor.content.course import Course
from tutor.exam.paper import draw, score_paper
from tutor.extensions import db
from tutor.models import ExamAnswer, ExamPaper
from tutor.practice.forms import InvalidAnswer, TamperedAnswer, parse_answer
from tutor.questions import question_type
from tutor.web import catalog, course_or_404, now, writes_database

bp = Blueprint("exam", __name__, url_prefix="/exams")
_rng = random.SystemRandom()


def _grace() -> timedelta:
    return timedelta(seconds=float(current_app.config["TUTOR_EXAM_GRACE_SECONDS"]))


def _own_paper(paper_id: int, read_only: bool = False) -> tuple[ExamPaper, Course]:
    """The paper, if it is the student's own; instructors may also read (never answer) any paper."""
    paper = db.session.get(ExamPaper, paper_id)
    if paper is None or (paper.user_id != current_user.id and not (read_only and current_user.is_instructor)):
        abort(404)
    course = catalog().course(paper.course_id)
    if course is None:
        abort(404)
    return paper, course


def _expired(paper: ExamPaper) -> bool:
    return now() > paper.deadline + _grace()


@bp.route("/")
@login_required
def index() -> str:
    papers = list(db.session.scalars(select(ExamPaper).where(ExamPaper.user_id == current_user.id)
                                     .order_by(ExamPaper.started_at.desc())))
    return render_template("exam/index.html", courses=list(catalog().courses.values()), papers=papers,
                           moment=now())


@bp.route("/start", methods=["POST"])
@login_required
def start() -> Response:
    course = course_or_404(request.form.get("course", ""))
    blueprint = next((b for b in course.manifest.exams if b.id == request.form.get("blueprint")), None)
    if blueprint is None:
        abort(404)
    moment = now()
    running = db.session.scalar(select(ExamPaper).where(
        ExamPaper.user_id == current_user.id, ExamPaper.course_id == course.id,
        ExamPaper.blueprint_id == blueprint.id, ExamPaper.submitted_at.is_(None),
        ExamPaper.deadline >= moment - _grace()))
    if running is not None:
        flash("你有一份未交卷的试卷，已为你恢复，计时没有暂停。", "info")
        return redirect(url_for("exam.item", paper_id=running.id))
    items = draw(course, blueprint, _rng)
    paper = ExamPaper(user_id=current_user.id, course_id=course.id, blueprint_id=blueprint.id,
                      title=blueprint.title, items=items, pass_percent=blueprint.pass_percent,
                      started_at=moment, deadline=moment + timedelta(minutes=blueprint.duration_minutes),
                      max_score=float(sum(i["points"] for i in items)))
    db.session.add(paper)
    db.session.commit()
    return redirect(url_for("exam.item", paper_id=paper.id))


def _answers(paper: ExamPaper) -> dict[int, ExamAnswer]:
    return {a.item_index: a for a in paper.answers}


@bp.route("/<int:paper_id>")
@login_required
def item(paper_id: int) -> Response | str:
    paper, course = _own_paper(paper_id)
    if paper.submitted_at is not None or _expired(paper):
        return redirect(url_for("exam.result", paper_id=paper_id))
    arg = request.args.get("i", "0")
    index = int(arg) if arg.isdigit() and int(arg) < len(paper.items) else 0
    entry = paper.items[index]
    q = course.by_id.get(entry["question_id"])
    answers = _answers(paper)
    saved = answers.get(index)
    return render_template("exam/item.html", course=course, paper=paper, index=index, entry=entry, q=q,
                           answers=answers, saved=saved.response if saved else None,
                           flagged=bool(saved and saved.flagged),
                           remaining=max(0, int((paper.deadline - now()).total_seconds())))


@bp.route("/<int:paper_id>/answer", methods=["POST"])
@login_required
def answer(paper_id: int) -> Response:
    paper, course = _own_paper(paper_id)
    if paper.submitted_at is None and _expired(paper):
        _finish(paper, course)
    if paper.submitted_at is not None:   # finished, or its time is up: nothing more is taken
        return render_template("exam/closed.html", paper=paper), 409
    raw_index = request.form.get("item", "")
    if not raw_index.isdigit() or int(raw_index) >= len(paper.items):
        abort(400)
    index = int(raw_index)
    entry = paper.items[index]
    q = course.by_id.get(entry["question_id"])
    form = request.form.to_dict(flat=False)
    response = None
    if q is not None and question_type(q).layout_fits(q, entry["layout"]):
        try:
            response = parse_answer(q, form, entry["layout"])
        except TamperedAnswer:
            abort(400)
        except InvalidAnswer:
            response = None   # left blank, or not finished: counted as unanswered
    saved = _answers(paper).get(index)
    if saved is None:
        saved = ExamAnswer(paper_id=paper.id, item_index=index)
        db.session.add(saved)
    saved.response, saved.flagged, saved.updated_at = response, "flag" in request.form, now()
    try:
        db.session.commit()
    except IntegrityError:  # the same item saved twice at once: keep the other save
        db.session.rollback()
    go = request.form.get("go", "next")
    if go == "finish":
        _finish(paper, course)
        return redirect(url_for("exam.result", paper_id=paper_id))
    if go == "submit":
        return redirect(url_for("exam.confirm", paper_id=paper_id))
    if go == "prev":
        target = max(index - 1, 0)
    elif go.isdigit() and int(go) < len(paper.items):
        target = int(go)
    else:
        target = index + 1
        if target >= len(paper.items):
            return redirect(url_for("exam.confirm", paper_id=paper_id))
    return redirect(url_for("exam.item", paper_id=paper_id, i=target))


@bp.route("/<int:paper_id>/submit", methods=["GET", "POST"])
@login_required
@writes_database
def confirm(paper_id: int) -> Response | str:
    paper, course = _own_paper(paper_id)
    if paper.submitted_at is not None or _expired(paper) or request.method == "POST":
        _finish(paper, course)
        return redirect(url_for("exam.result", paper_id=paper_id))
    answers = _answers(paper)
    unanswered = [i for i in range(len(paper.items)) if answers.get(i) is None or answers[i].response is None]
    flagged = [i for i, a in answers.items() if a.flagged]
    return render_template("exam/confirm.html", course=course, paper=paper, unanswered=unanswered,
                           flagged=sorted(flagged), answers=answers,
                           remaining=max(0, int((paper.deadline - now()).total_seconds())))


def _finish(paper: ExamPaper, course: Course) -> None:
    """Grade and close a paper once; a second call, or a racing one, changes nothing."""
    moment = min(now(), paper.deadline + _grace())
    claimed = db.session.execute(update(ExamPaper).where(ExamPaper.id == paper.id,
                                                         ExamPaper.submitted_at.is_(None))
                                 .values(submitted_at=moment))
    if claimed.rowcount != 1:
        db.session.rollback()
        return
    responses = {a.item_index: a.response for a in paper.answers}
    result = score_paper(course, paper.items, responses, course.grading)
    seconds = (moment - paper.started_at).total_seconds() / max(len(paper.items), 1)
    for item_result in result.items:
        if item_result.question is None:
            continue
        learning.record(paper.user_id, course, item_result.question, item_result.response,
                        item_result.grade, now=moment, mode="exam", seconds=seconds,
                        paper_id=paper.id, item_index=item_result.index)
    paper.score = result.score
    paper.passed = result.score >= paper.max_score * paper.pass_percent / 100
    db.session.commit()


@bp.route("/<int:paper_id>/result")
@login_required
@writes_database
def result(paper_id: int) -> Response | str:
    paper, course = _own_paper(paper_id, read_only=True)
    if paper.submitted_at is None:
        if not _expired(paper):
            if paper.user_id != current_user.id:
                flash("这份试卷还在作答中。", "info")
                return redirect(url_for("progress.student", user_id=paper.user_id))
            return redirect(url_for("exam.item", paper_id=paper_id))
        _finish(paper, course)
    responses = {a.item_index: a.response for a in paper.answers}
    scored = score_paper(course, paper.items, responses, course.grading)
    return render_template("exam/result.html", course=course, paper=paper, scored=scored)
