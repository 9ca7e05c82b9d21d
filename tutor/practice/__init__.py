"""Practice: one question at a time, graded on the server, every answer stored once."""
from __future__ import annotations

import random
from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from tutor.content.course import Course
from tutor.extensions import db
from tutor.models import Attempt, Delivery, PracticeSet, utcnow
from tutor.practice.forms import InvalidAnswer, option_count, parse_answer
from tutor.practice.sets import pick, scope_questions
from tutor.progress.stats import last_results
from tutor.questions import QuestionBase, grade, question_type
from tutor.questions.base import LETTERS
from tutor.web import catalog, course_or_404

bp = Blueprint("practice", __name__, url_prefix="/practice")

MAX_SECONDS = 3600.0
_rng = random.SystemRandom()


def _own_set(set_id: int) -> tuple[PracticeSet, Course]:
    practice_set = db.session.get(PracticeSet, set_id)
    if practice_set is None or practice_set.user_id != current_user.id:
        abort(404)
    course = catalog().course(practice_set.course_id)
    if course is None:
        abort(404)
    return practice_set, course


def _shuffled_order(question: QuestionBase) -> list[int]:
    order = list(range(option_count(question)))
    _rng.shuffle(order)
    return order


def _scope_name(course: Course, practice_set: PracticeSet) -> str:
    if practice_set.scope_kind == "topic":
        topic = course.topic(practice_set.scope_id)
        return topic.name if topic else practice_set.scope_id
    kp = course.knowledge_points.get(practice_set.scope_id)
    return kp.name if kp else practice_set.scope_id


@bp.route("/start", methods=["POST"])
@login_required
def start() -> Response:
    course = course_or_404(request.form.get("course", ""))
    scope_kind, scope_id = request.form.get("scope", ""), request.form.get("id", "")
    questions = scope_questions(course, scope_kind, scope_id)
    if questions is None:
        abort(404)
    if not questions:
        flash("这里还没有题目", "info")
        return redirect(url_for("study.home"))
    chosen = pick(questions, last_results(current_user.id, course.id),
                  int(current_app.config["TUTOR_PRACTICE_SET_SIZE"]), _rng)
    practice_set = PracticeSet(user_id=current_user.id, course_id=course.id, scope_kind=scope_kind,
                               scope_id=scope_id, question_ids=chosen)
    db.session.add(practice_set)
    db.session.commit()
    return redirect(url_for("practice.question", set_id=practice_set.id))


def _deliveries(practice_set: PracticeSet) -> dict[int, Delivery]:
    return {d.position: d for d in practice_set.deliveries}


def _live_positions(practice_set: PracticeSet, course: Course) -> list[int]:
    """Positions whose question still exists (content may have changed since the set began)."""
    return [i for i, qid in enumerate(practice_set.question_ids) if qid in course.by_id]


@bp.route("/<int:set_id>")
@login_required
def question(set_id: int) -> Response | str:
    practice_set, course = _own_set(set_id)
    deliveries = _deliveries(practice_set)
    live = _live_positions(practice_set, course)
    pending = [i for i in live if i not in deliveries or deliveries[i].attempt is None]
    if not pending:
        return redirect(url_for("practice.summary", set_id=set_id))
    position = pending[0]
    q = course.by_id[practice_set.question_ids[position]]
    delivery = deliveries.get(position)
    if delivery is None:
        delivery = Delivery(set_id=set_id, user_id=current_user.id, position=position,
                            question_id=q.id, option_order=_shuffled_order(q))
        db.session.add(delivery)
        try:
            db.session.commit()
        except IntegrityError:  # another tab presented it first: show that presentation
            db.session.rollback()
            return redirect(url_for("practice.question", set_id=set_id))
    elif len(delivery.option_order) != option_count(q):  # the question was edited meanwhile
        delivery.option_order = _shuffled_order(q)
        delivery.presented_at = utcnow()
        db.session.commit()
    return render_template("practice/question.html", course=course, practice_set=practice_set,
                           scope_name=_scope_name(course, practice_set), q=q, delivery=delivery,
                           number=live.index(position) + 1, total=len(live))


@bp.route("/<int:set_id>/answer", methods=["POST"])
@login_required
def answer(set_id: int) -> Response:
    practice_set, course = _own_set(set_id)
    delivery_id = request.form.get("delivery", "")
    delivery = db.session.get(Delivery, int(delivery_id)) if delivery_id.isdigit() else None
    if delivery is None or delivery.set_id != practice_set.id:
        abort(400)
    feedback = url_for("practice.feedback", set_id=set_id, position=delivery.position)
    if delivery.attempt is not None:  # re-sent form: the first answer stands
        return redirect(feedback)
    q = course.by_id.get(delivery.question_id)
    if q is None or len(delivery.option_order) != option_count(q):
        flash("这道题刚刚更新过，请重新作答", "info")
        return redirect(url_for("practice.question", set_id=set_id))
    try:
        response = parse_answer(q, request.form.getlist("choice"), delivery.option_order)
    except InvalidAnswer as exc:
        flash(str(exc), "error")
        return redirect(url_for("practice.question", set_id=set_id))
    result = grade(q, response)
    seconds = min((utcnow() - delivery.presented_at) / timedelta(seconds=1), MAX_SECONDS)
    db.session.add(Attempt(user_id=current_user.id, delivery_id=delivery.id, course_id=course.id,
                           question_id=q.id, question_version=course.versions[q.id],
                           response=response, correct=result.correct, score=result.score,
                           max_score=result.max_score, seconds=max(seconds, 0.0),
                           mode=practice_set.mode))
    try:
        db.session.commit()
    except IntegrityError:  # a double click raced us to it; the unique constraint kept one
        db.session.rollback()
    return redirect(feedback)


@bp.route("/<int:set_id>/<int:position>")
@login_required
def feedback(set_id: int, position: int) -> Response | str:
    practice_set, course = _own_set(set_id)
    delivery = _deliveries(practice_set).get(position)
    if delivery is None or delivery.attempt is None:
        return redirect(url_for("practice.question", set_id=set_id))
    q = course.by_id.get(delivery.question_id)
    if q is None:
        flash("这道题已从题库中移除", "info")
        return redirect(url_for("practice.summary", set_id=set_id))
    live = _live_positions(practice_set, course)
    answered = sum(1 for d in practice_set.deliveries if d.attempt is not None)
    has_next = answered < len(live)
    order = delivery.option_order if len(delivery.option_order) == option_count(q) \
        else list(range(option_count(q)))
    return render_template("practice/feedback.html", course=course, practice_set=practice_set,
                           scope_name=_scope_name(course, practice_set), q=q, delivery=delivery,
                           attempt=delivery.attempt, order=order,
                           correct_response=question_type(q).correct_response(q),
                           key_shown=_shown_key(q, order),
                           number=live.index(position) + 1 if position in live else answered,
                           total=len(live), has_next=has_next,
                           lesson=course.section_of.get(q.knowledge_point))


def _shown_key(q: QuestionBase, order: list[int]) -> str:
    """The correct answer as the student saw it: shown letters, or 正确/错误."""
    key = question_type(q).correct_response(q)
    if isinstance(key, bool):
        return "正确" if key else "错误"
    keys = {key} if isinstance(key, str) else set(key)
    return "".join(LETTERS[shown] for shown, original in enumerate(order) if LETTERS[original] in keys)


@bp.route("/<int:set_id>/summary")
@login_required
def summary(set_id: int) -> str:
    practice_set, course = _own_set(set_id)
    rows = [(d, course.by_id.get(d.question_id)) for d in practice_set.deliveries if d.attempt]
    correct = sum(1 for d, _ in rows if d.attempt.correct)
    return render_template("practice/summary.html", course=course, practice_set=practice_set,
                           scope_name=_scope_name(course, practice_set), rows=rows, correct=correct)
