"""Mock exams (模拟考试): a fixed paper, a deadline kept on the server, no feedback until the end."""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any, cast

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import CursorResult, func, select, update
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from tutor import learning, teaching
from tutor.coursework import rules as coursework_rules, tries
from tutor.content.course import Course
from tutor.content.model import ExamBlueprint
from tutor.exam.paper import (RIGHT, StoredItem, draw, duration_text, score_paper, sections, status,
                              stored_result)
from tutor.extensions import db, limiter
from tutor.formatting import points_text
from tutor.models import EXAM_ASSIGNMENT, LATE_REFUSED, Assignment, Attempt, ExamAnswer, ExamPaper, User
from tutor.questions import parse_answer, question_type
from tutor.questions.form import InvalidAnswer, TamperedAnswer
from tutor.standing.papers import questions_on_open_paper
from tutor.web import catalog, course_or_404, now, rng, strict_int, student_write_key, writes_database

bp = Blueprint("exam", __name__, url_prefix="/exams")


@bp.context_processor
def _formatting() -> dict[str, Any]:
    return {"points": points_text}


def _grace() -> timedelta:
    return timedelta(seconds=float(current_app.config["TUTOR_EXAM_GRACE_SECONDS"]))


def _own_paper(paper_id: int, read_only: bool = False, answering: bool = False) -> tuple[ExamPaper, Course]:
    """The paper, if it is the student's own; instructors may also read (never answer) any paper.

    `answering` reads it FOR SHARE: the hand-in's UPDATE then waits until this answer is
    committed (and grades it), and an answer arriving after the hand-in waits for it and sees
    the paper closed. Answers to one paper do not wait for each other. SQLite has no row locks
    and needs none: a POST holds its write lock from the start (BEGIN IMMEDIATE)."""
    query = select(ExamPaper).where(ExamPaper.id == paper_id).execution_options(populate_existing=True)
    paper = db.session.scalar(query.with_for_update(read=True) if answering else query)
    if paper is None or (paper.user_id != current_user.id and not (read_only and teaching.can_read_student(current_user, paper.user_id))):
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


def new_paper(user_id: int, course: Course, blueprint: ExamBlueprint, source: random.Random,
              moment: datetime) -> ExamPaper:
    """A paper drawn from the blueprint, fixed (questions, option order, deadline) as it starts."""
    items = draw(course, blueprint, source)
    return ExamPaper(user_id=user_id, course_id=course.id, blueprint_id=blueprint.id,
                     title=blueprint.title, items=items, pass_percent=blueprint.pass_percent,
                     started_at=moment, deadline=moment + timedelta(minutes=blueprint.duration_minutes),
                     max_score=float(sum(i["points"] for i in items)))


@bp.route("/start", methods=["POST"])
@login_required
@limiter.shared_limit(lambda: current_app.config["TUTOR_START_LIMIT"], scope="start", key_func=student_write_key)
def start() -> Response:
    if request.form.get("assignment"):
        return _start_assignment(strict_int(request.form.get("assignment")))
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
    paper = new_paper(current_user.id, course, blueprint, rng(), moment)
    db.session.add(paper)
    db.session.commit()
    return redirect(url_for("exam.item", paper_id=paper.id))


def _start_assignment(assignment_id: int | None) -> Response:
    """A try at a mock exam assignment: a fresh paper from its blueprint, closing at the due
    time when late work is refused. The rules are the assignment's (coursework.rules)."""
    assignment = db.session.get(Assignment, assignment_id) if assignment_id is not None else None
    if assignment is None or assignment.kind != EXAM_ASSIGNMENT or not tries.is_student_of(current_user.id, assignment):
        abort(404)
    course = course_or_404(assignment.course_id)
    blueprint = next((b for b in course.manifest.exams if b.id == assignment.blueprint_id), None)
    if blueprint is None:
        abort(404)
    moment = now()
    earlier = tries.tries_of(current_user.id, [assignment.id])[assignment.id]
    open_try = next((s for s in earlier if s.submitted_at is None and s.paper_id is not None), None)
    if open_try is not None:
        return redirect(url_for("exam.item", paper_id=open_try.paper_id))
    refusal = coursework_rules.may_start(assignment, earlier, moment)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("assignments.show", assignment_id=assignment.id))
    paper = new_paper(current_user.id, course, blueprint, rng(), moment)
    paper.title = assignment.title
    if assignment.late_policy == LATE_REFUSED:
        paper.deadline = min(paper.deadline, assignment.due_at)
    db.session.add(paper)
    db.session.flush()
    tries.record_paper(assignment, current_user.id, len(earlier) + 1, paper)
    db.session.commit()
    return redirect(url_for("exam.item", paper_id=paper.id))


def _answers(paper: ExamPaper) -> dict[int, ExamAnswer]:
    return {a.item_index: a for a in paper.answers}


def _answered(answers: dict[int, ExamAnswer]) -> set[int]:
    return {i for i, a in answers.items() if a.response is not None}


@bp.route("/<int:paper_id>")
@login_required
def item(paper_id: int) -> Response | str:
    paper, course = _own_paper(paper_id)
    if paper.submitted_at is not None or _expired(paper):
        return redirect(url_for("exam.result", paper_id=paper_id))
    index = strict_int(request.args.get("i"), len(paper.items) - 1) or 0
    entry = paper.items[index]
    q = course.by_id.get(entry["question_id"])
    answers = _answers(paper)
    saved = answers.get(index)
    return render_template("exam/item.html", course=course, paper=paper, index=index, entry=entry, q=q,
                           answers=answers, answered=_answered(answers), sections=sections(paper.items),
                           saved=saved.response if saved else None,
                           flagged=bool(saved and saved.flagged),
                           remaining=max(0, int((paper.deadline - now()).total_seconds())))


@bp.route("/<int:paper_id>/answer", methods=["POST"])
@login_required
def answer(paper_id: int) -> ResponseReturnValue:
    paper, course = _own_paper(paper_id, answering=True)
    if paper.submitted_at is None and _expired(paper):
        db.session.rollback()   # let go of the shared lock: grading takes the row's own
        _finish(paper, course)
    if paper.submitted_at is not None:   # finished, or its time is up: nothing more is taken
        db.session.rollback()
        return render_template("exam/closed.html", paper=paper), 409
    index = strict_int(request.form.get("item"), len(paper.items) - 1)
    if index is None:
        abort(400)
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
    elif (chosen := strict_int(go, len(paper.items) - 1)) is not None:
        target = chosen
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
    answered = _answered(answers)
    unanswered = [i for i in range(len(paper.items)) if i not in answered]
    flagged = [i for i, a in answers.items() if a.flagged]
    parts = sections(paper.items)
    unanswered_sections = [(kind, left) for kind, indices in parts
                           if (left := [i for i in indices if i not in answered])]
    return render_template("exam/confirm.html", course=course, paper=paper, unanswered=unanswered,
                           unanswered_sections=unanswered_sections, flagged=sorted(flagged), answers=answers,
                           answered=answered, sections=parts,
                           remaining=max(0, int((paper.deadline - now()).total_seconds())))


def _finish(paper: ExamPaper, course: Course) -> None:
    """Grade and close a paper once; a second call, or a racing one, changes nothing."""
    moment = min(now(), paper.deadline + _grace())
    claimed = cast(CursorResult[Any], db.session.execute(
        update(ExamPaper).where(ExamPaper.id == paper.id, ExamPaper.submitted_at.is_(None))
        .values(submitted_at=moment)))
    if claimed.rowcount != 1:
        db.session.rollback()
        return
    # Read after the claim, in a statement of its own: on PostgreSQL the UPDATE above waited for
    # the answers in flight (they hold the paper FOR SHARE), and this sees them committed.
    responses: dict[int, Any] = dict(db.session.execute(select(ExamAnswer.item_index, ExamAnswer.response)
                                        .where(ExamAnswer.paper_id == paper.id)).all())
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
    db.session.flush()
    tries.finish_paper(paper)
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
    # Everything on the page is built from the per-item scores stored when it was graded.
    stored = {row.item_index: StoredItem(row.response, row.correct, row.score, row.max_score, row.parts,
                                         row.question_version)
              for row in db.session.execute(select(Attempt.item_index, Attempt.response, Attempt.correct,
                                                   Attempt.score, Attempt.max_score, Attempt.parts,
                                                   Attempt.question_version)
                                            .where(Attempt.paper_id == paper.id))}
    scored = stored_result(course, paper.items, stored, course.grading)
    # A course may make short answers wait for an instructor's review (人工复核) before the
    # paper's score is final; none of chapter 8's blueprints has short items.
    awaiting = 0
    if course.manifest.settings.short_review_required:
        rubric = [q.id for q in (course.by_id.get(i["question_id"]) for i in paper.items)
                  if q is not None and question_type(q).rubric_scored(q)]
        awaiting = db.session.scalar(select(func.count()).where(
            Attempt.paper_id == paper.id, Attempt.reviewed_at.is_(None), Attempt.question_id.in_(rubric))) or 0
    on_exam = questions_on_open_paper()
    statuses = ["withheld" if r.item["question_id"] in on_exam else status(r) for r in scored.items]
    counts = {key: statuses.count(key) for key in ("right", "partial", "wrong", "unanswered")}
    wrong = {i for i, st in enumerate(statuses) if st in ("partial", "wrong", "unanswered")}
    only_wrong = request.args.get("only") == "wrong"
    shown = wrong if only_wrong else set(range(len(statuses)))
    # Time used: from the start to the hand-in, at most the time allowed (a paper handed in by
    # the clock, or graded on a later visit, is closed at its deadline plus a grace period).
    submitted = paper.submitted_at or now()
    used = min(submitted, paper.deadline) - paper.started_at
    owner = paper.user_id == current_user.id
    student_name = None if owner else db.session.scalar(select(User.username).where(User.id == paper.user_id))
    retake = any(b.id == paper.blueprint_id for b in course.manifest.exams)
    return render_template("exam/result.html", course=course, paper=paper, scored=scored,
                           awaiting_review=awaiting, statuses=statuses, counts=counts,
                           right_indices={i for i, st in enumerate(statuses) if st == RIGHT},
                           wrong_count=len(wrong), only_wrong=only_wrong, shown=shown,
                           sections=sections(paper.items), used=duration_text(used.total_seconds()),
                           timed_out=submitted >= paper.deadline, owner=owner,
                           student_name=student_name, retake=retake)
