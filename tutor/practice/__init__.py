"""Practice: one question at a time, graded on the server, every answer stored once."""
from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from tutor import learning, reassessment, teaching
from tutor.adaptive import state as adaptive
from tutor.coursework import rules as coursework_rules, tries
from tutor.content.course import Course
from tutor.extensions import db, limiter
from tutor.models import Assignment, Attempt, Delivery, Favourite, NotebookEntry, PracticeSet, SequenceCursor
from tutor.practice import fragments, rows
from tutor.practice.card import AnswerCard, answer_card
from tutor.practice.sets import (ADAPTIVE_MODE, MODES, RETRY_MODE, RETRY_SCOPE, SCOPED_MODES, Scope, facets,
                                 filter_labels, parse_filter, pick_random, pick_sequential, place_name, scope_name,
                                 scope_questions)
from tutor.questions import QuestionBase, grade, parse_answer, question_type
from tutor.questions.form import InvalidAnswer, TamperedAnswer
from tutor.reassessment import SELF_ASSESSMENTS
from tutor.standing.papers import questions_on_open_paper
from tutor.standing.sets import progress_of as set_progress
from tutor.standing.stats import last_results
from tutor.stored_grade import has_breakdown, stored_grade
from tutor.transactions import begin_writing, read_after_writing
from tutor.web import catalog, course_or_404, now, rng, strict_int, student_write_key, writes_after_reading

bp = Blueprint("practice", __name__, url_prefix="/practice")

MAX_SECONDS = 3600.0


@bp.app_template_global("set_label")
def set_label(practice_set: PracticeSet) -> str:
    course = catalog().course(practice_set.course_id)
    return _set_name(course, practice_set) if course else MODES.get(practice_set.mode, practice_set.mode)


def _set_name(course: Course, practice_set: PracticeSet | rows.SetRow) -> str:
    if practice_set.mode == tries.SET_MODE:
        assignment = db.session.get(Assignment, int(practice_set.scope_id))
        return f"作业 · {assignment.title}" if assignment else "作业"
    if practice_set.mode in SCOPED_MODES:
        return f"{MODES[practice_set.mode]} · {scope_name(course, practice_set.scope_kind, practice_set.scope_id)}"
    return MODES.get(practice_set.mode, practice_set.mode)


def _retry_questions(course: Course, source_id: int) -> list[str]:
    """本组错题重练: the questions the student answered wrong or partly right in one of their own
    sets, in the set's order; none for an assignment's set (its questions are the teacher's)
    or a question whose verdict is still withheld."""
    source = db.session.get(PracticeSet, source_id)
    if source is None or source.user_id != current_user.id or source.course_id != course.id \
            or source.mode == tries.SET_MODE:
        return []
    withheld = questions_on_open_paper()
    wrong = db.session.scalars(select(Delivery.question_id).join(Attempt, Attempt.delivery_id == Delivery.id).where(
        Delivery.set_id == source.id, Attempt.correct.is_(False)).order_by(Delivery.position))
    return list(dict.fromkeys(qid for qid in wrong if qid in course.by_id and qid not in withheld))


def _cursor(course: Course, scope_kind: str, scope_id: str) -> SequenceCursor | None:
    return db.session.scalar(select(SequenceCursor).where(
        SequenceCursor.user_id == current_user.id, SequenceCursor.course_id == course.id,
        SequenceCursor.scope_kind == scope_kind, SequenceCursor.scope_id == scope_id))


@bp.route("/choose")
@login_required
def choose() -> str:
    course = course_or_404(request.args.get("course", ""))
    # 专项练习: ?type= and ?difficulty= narrow the scope (?id= may also carry a stored filter,
    # as a set's own scope does); the counts of each choice are shown beside it.
    scope = Scope.parse(request.args.get("scope", ""), request.args.get("id", ""))
    chosen = parse_filter(request.args.get("type"), request.args.get("difficulty"))
    if scope is None or chosen is None:
        abort(404)
    if "type" in request.args or "difficulty" in request.args:
        scope = scope.with_filter(*chosen)
    counts = facets(course, scope)
    questions = scope_questions(course, scope.kind, scope.stored_id())
    if questions is None or counts is None or not scope.fits():
        abort(404)
    cursor = _cursor(course, scope.kind, scope.stored_id())
    # A cursor at (or past) the end: the student has been through the whole scope once, and the
    # next sequential set starts the second pass at question 1.
    full_pass = cursor is not None and cursor.next_index >= len(questions)
    position = cursor.next_index if cursor and not full_pass else 0
    return render_template("practice/choose.html", course=course, scope=scope, scope_kind=scope.kind,
                           scope_id=scope.stored_id(), name=place_name(course, scope),
                           full_name=scope_name(course, scope.kind, scope.stored_id()),
                           filter_text=" · ".join(filter_labels(scope)),
                           type_facets=counts[0], level_facets=counts[1],
                           count=len(questions), sequential_position=position, full_pass=full_pass)


def _choose_questions(course: Course, mode: str, scope_kind: str, scope_id: str,
                      size: int) -> tuple[list[str], int | None]:
    user_id = current_user.id
    if mode in SCOPED_MODES:
        questions = scope_questions(course, scope_kind, scope_id)
        if questions is None:
            abort(404)
        if mode == "random":
            return pick_random(questions, last_results(user_id, course.id), size, rng()), None
        if mode == "study":
            return [q.id for q in questions], None
        cursor = _cursor(course, scope_kind, scope_id)
        return pick_sequential(questions, cursor.next_index if cursor else 0, size)
    if mode == "notebook":
        model: Any = NotebookEntry
        order = NotebookEntry.last_wrong_at.desc()
    elif mode == "favourites":
        model, order = Favourite, Favourite.created_at.desc()
    elif mode == "review":
        cards = learning.due_cards(user_id, course.id, learning.end_of_day(now(), _tz()), size * 3)
        return [c.question_id for c in cards if c.question_id in course.by_id][:size], None
    elif mode == ADAPTIVE_MODE:
        return [p.question_id for p in adaptive.picks(user_id, course, now(), rng(), size,
                                                       exclude=questions_on_open_paper())], None
    elif mode == RETRY_MODE:
        source = strict_int(scope_id) if scope_kind == RETRY_SCOPE else None
        if source is None:
            abort(404)
        return _retry_questions(course, source), None
    else:
        abort(404)
    query = select(model.question_id).where(model.user_id == user_id, model.course_id == course.id)
    if scope_kind == "kp":
        query = query.where(model.question_id.in_([q.id for q in course.by_knowledge_point.get(scope_id, ())]))
    ids = [qid for qid in db.session.scalars(query.order_by(order)) if qid in course.by_id]
    return ids[:size], None


def _tz() -> str:
    return current_app.config["TUTOR_TIMEZONE"]


def _unanswered_set(course: Course, mode: str, scope_kind: str, scope_id: str) -> PracticeSet | None:
    """The student's latest set of this mode and scope, if nothing in it has been answered yet."""
    latest = db.session.scalar(select(PracticeSet).where(
        PracticeSet.user_id == current_user.id, PracticeSet.course_id == course.id, PracticeSet.mode == mode,
        PracticeSet.scope_kind == scope_kind, PracticeSet.scope_id == scope_id)
        .order_by(PracticeSet.id.desc()).limit(1))
    if latest is None or db.session.scalar(select(exists().where(
            Delivery.set_id == latest.id, Attempt.delivery_id == Delivery.id))):
        return None
    return latest


@bp.route("/start", methods=["POST"])
@login_required
@limiter.shared_limit(lambda: current_app.config["TUTOR_START_LIMIT"], scope="start", key_func=student_write_key)
def start() -> Response:
    course = course_or_404(request.form.get("course", ""))
    mode = request.form.get("mode", "random")
    scope_kind, scope_id = request.form.get("scope", "all"), request.form.get("id", "")
    if mode not in MODES:
        abort(404)
    if mode in SCOPED_MODES:
        scope = Scope.parse(scope_kind, scope_id)
        if scope is None or not scope.fits():
            abort(404)     # a malformed filter, or one too long to store
    size = int(current_app.config["TUTOR_PRACTICE_SET_SIZE"])
    chosen, start_index = _choose_questions(course, mode, scope_kind, scope_id, size)
    if not chosen:
        flash({"notebook": "错题本是空的，继续保持！", "favourites": "还没有收藏的题目。",
               "review": "今天没有要复习的题目。", ADAPTIVE_MODE: "题目都刚练过，过一会儿再来。",
               RETRY_MODE: "这组题没有答错的题。"}.get(mode, "这里还没有题目"), "info")
        return redirect(request.referrer if request.referrer and request.referrer.startswith(request.host_url)
                        else url_for("study.home"))
    # Starting again before answering anything returns the set already made (a random one,
    # whatever it drew; any other, if it holds the same questions) instead of piling up sets.
    unanswered = _unanswered_set(course, mode, scope_kind, scope_id)
    if unanswered is not None and (mode in ("random", ADAPTIVE_MODE) or unanswered.question_ids == chosen):
        return redirect(url_for("practice.question", set_id=unanswered.id))
    moment = now()
    if mode == "sequential" and start_index == 0:
        _restart_cursor(course, (scope_kind, scope_id))
    practice_set = PracticeSet(user_id=current_user.id, course_id=course.id, scope_kind=scope_kind,
                               scope_id=scope_id, mode=mode, question_ids=chosen,
                               start_index=start_index, created_at=moment)
    if mode != "study":
        # Every presentation is laid out (options shuffled) now, in this one write, so that
        # showing a question later only reads.
        practice_set.deliveries = [
            Delivery(user_id=current_user.id, position=position, question_id=qid,
                     layout=question_type(course.by_id[qid]).layout(course.by_id[qid], rng()), presented_at=moment)
            for position, qid in enumerate(chosen)]
    db.session.add(practice_set)
    db.session.commit()
    return redirect(url_for("practice.question", set_id=practice_set.id))


def _live_positions(practice_set: PracticeSet | rows.SetRow, course: Course) -> list[int]:
    """Positions whose question still exists (content may have changed since the set began)."""
    return [i for i, qid in enumerate(practice_set.question_ids) if qid in course.by_id]


def _starred(course: Course, question_id: str) -> bool:
    return db.session.scalar(select(Favourite.id).where(
        Favourite.user_id == current_user.id, Favourite.course_id == course.id,
        Favourite.question_id == question_id)) is not None


def _layout(course: Course, delivery: Delivery | rows.DeliveryRow, q: QuestionBase) -> object:
    """The stored layout; if the question was edited so that it no longer fits, one derived from
    the delivery and the question's version, the same on every request, so nothing is written."""
    kind = question_type(q)
    if kind.layout_fits(q, delivery.layout):
        return delivery.layout
    return kind.layout(q, random.Random(f"{delivery.id}:{course.versions[q.id]}"))


@bp.route("/<int:set_id>")
@login_required
def question(set_id: int) -> Response | str:
    found = rows.state(set_id)
    if found is None or found.practice_set.user_id != current_user.id:
        abort(404)
    practice_set = found.practice_set
    course = course_or_404(practice_set.course_id)
    live = _live_positions(practice_set, course)
    if practice_set.mode == "study":
        return _study(practice_set, course, live)
    context = _question_context(found, course, live)
    if context is None:
        return fragments.go(url_for("practice.summary", set_id=set_id))
    return fragments.page("question", url_for("practice.question", set_id=set_id), **context)


def _question_context(found: rows.SetState, course: Course, live: list[int],
                      withheld: frozenset[str] | None = None) -> dict[str, Any] | None:
    """What the question card of the next question waiting (and still in the bank) shows; None
    if none waits. `withheld`: the withheld questions, when the caller has them."""
    practice_set = found.practice_set
    delivery, starred = next(((d, star) for d, star in found.waiting if d.question_id in course.by_id), (None, False))
    if delivery is None:
        return None
    q = course.by_id[delivery.question_id]
    card = _card(practice_set, course, found.cells, delivery.position, withheld)
    # 智能练习 says why it chose the question, derived from the state it was chosen from
    why = adaptive.reason(current_user.id, course, q.id, now()) if practice_set.mode == ADAPTIVE_MODE else None
    number = live.index(delivery.position) + 1
    return dict(title=f"练习 {number}/{len(live)}", course=course, practice_set=practice_set, why=why,
                set_name=_set_name(course, practice_set), q=q, delivery=delivery,
                layout=_layout(course, delivery, q), number=number, total=len(live), starred=starred,
                card=card, prev_position=card.previous_answered(delivery.position))


def _card(practice_set: rows.SetRow, course: Course, cells: list[rows.CardRow], current: int,
          withheld: frozenset[str] | None = None) -> AnswerCard:
    """The set's 答题卡, without verdicts for questions whose verdict is withheld (looked up here
    only once something is answered: the first question of a set costs no query for them).
    Someone else's set (a teacher reading it) links only to feedback, not to the question page."""
    if withheld is None:
        withheld = questions_on_open_paper() if any(c.correct is not None for c in cells) else frozenset()
    return answer_card(cells, course.by_id, current, withheld, own=practice_set.user_id == current_user.id)


def _study(practice_set: rows.SetRow, course: Course, live: list[int]) -> str:
    """背题模式: question, answer and explanation together; nothing is scored."""
    if not live:
        abort(404)
    number = min(strict_int(request.args.get("i")) or 0, len(live) - 1)
    q = course.by_id[practice_set.question_ids[live[number]]]
    return render_template("practice/study.html", course=course, practice_set=practice_set,
                           set_name=_set_name(course, practice_set), q=q, number=number + 1,
                           total=len(live), starred=_starred(course, q.id),
                           key=question_type(q).correct_response(q), on_exam=q.id in questions_on_open_paper(),
                           lesson=course.section_of.get(q.knowledge_point))


@bp.route("/<int:set_id>/answer", methods=["POST"])
@login_required
@writes_after_reading
def answer(set_id: int) -> Response:
    # in place, the feedback and the next card are shown from the set as read here (and the answer)
    found = rows.answering(set_id, strict_int(request.form.get("delivery")) or 0, whole=fragments.wanted())
    if found is None or found.practice_set.user_id != current_user.id:
        abort(404)
    practice_set, delivery = found.practice_set, found.delivery
    course = course_or_404(practice_set.course_id)
    if delivery is None:
        abort(400)
    feedback = url_for("practice.feedback", set_id=set_id, position=delivery.position)
    q = course.by_id.get(delivery.question_id)
    if q is None:
        flash("这道题刚刚从题库中移除", "info")
        return fragments.go(url_for("practice.question", set_id=set_id))
    try:
        response = parse_answer(q, request.form.to_dict(flat=False), _layout(course, delivery, q))
    except TamperedAnswer:
        abort(400)
    except InvalidAnswer as exc:
        if fragments.wanted():
            return fragments.refused(str(exc))
        flash(str(exc), "error")
        return redirect(url_for("practice.question", set_id=set_id))
    moment = now()
    if practice_set.mode == tries.SET_MODE:
        found_try = tries.of_set(set_id)
        if found_try is None or not coursework_rules.taking_answers(found_try[0], moment):
            db.session.rollback()
            return Response(render_template("assignments/closed.html", assignment=found_try[0] if found_try else None),
                            status=409)
    result = grade(q, response, course.grading)
    # Time taken: since the previous answer in this set, or since the set began.
    shown = found.last_answered_at or delivery.presented_at
    seconds = min(max((moment - shown) / timedelta(seconds=1), 0.0), MAX_SECONDS)
    cursor_next = (practice_set.start_index + delivery.position + 1
                   if practice_set.mode == "sequential" and practice_set.start_index is not None else None)
    changes = learning.prepare(practice_set.user_id, course, q, response, result, now=moment,
                               mode=practice_set.mode, seconds=seconds, before=found.before,
                               delivery_id=delivery.id, set_id=practice_set.id)
    begin_writing()
    stored: rows.SetState | None = None
    try:
        attempt_id = learning.store(changes)
        if practice_set.mode == tries.SET_MODE:
            tries.finish_set_if_done(practice_set.id, moment)
        if cursor_next is not None:
            _advance_cursor(practice_set.user_id, course, (practice_set.scope_kind, practice_set.scope_id),
                            cursor_next)
        db.session.commit()
        stored = found.answered(_attempt_row(attempt_id, changes.answer))
    except IntegrityError:
        # Answered already (a refresh, a double click, the back button): the unique constraint
        # on the delivery refused the second answer, and the first one stands.
        db.session.rollback()
    if fragments.wanted():      # the feedback card at once, and the next question's: no other request
        read_after_writing()
        return _feedback(set_id, delivery.position, fragments.at(feedback), with_next=True, found=stored)
    return redirect(feedback)


def _attempt_row(attempt_id: int, answer: learning.AnswerRow) -> rows.AttemptRow:
    """The answer just stored, as reading it back gives it: its JSON columns as JSON returns
    them (a tuple comes back a list), and nothing self-assessed or reviewed yet."""
    return rows.AttemptRow(attempt_id, answer.question_version, json.loads(json.dumps(answer.response)),
                           answer.correct, float(answer.score), float(answer.max_score),
                           json.loads(json.dumps(answer.parts)), None, None, None, None)


def _restart_cursor(course: Course, scope: tuple[str, str]) -> None:
    """A sequential set from question 1 (the first, or after a full pass): the cursor wraps to
    the start, so that the answers of this pass move it on again."""
    cursor = _cursor(course, *scope)
    if cursor is not None:
        cursor.next_index = 0


def _advance_cursor(user_id: int, course: Course, scope: tuple[str, str], next_index: int) -> None:
    """The cursor only moves forward within a pass (an older set answered late, in another
    tab, does not take it back); it wraps to 0 when the next pass starts (`_restart_cursor`)."""
    cursor = db.session.scalar(select(SequenceCursor).where(
        SequenceCursor.user_id == user_id, SequenceCursor.course_id == course.id,
        SequenceCursor.scope_kind == scope[0], SequenceCursor.scope_id == scope[1]))
    if cursor is None:
        db.session.add(SequenceCursor(user_id=user_id, course_id=course.id, scope_kind=scope[0],
                                      scope_id=scope[1], next_index=next_index))
    else:
        cursor.next_index = max(cursor.next_index, next_index)


@bp.route("/<int:set_id>/<int:position>")
@login_required
def feedback(set_id: int, position: int) -> Response:
    return _feedback(set_id, position)


def _feedback(set_id: int, position: int, address: fragments.PageAddress | None = None,
              with_next: bool = False, found: rows.SetState | None = None) -> Response:
    """The feedback page (or card) of the answer at `position`; `address`: where the card is
    shown when it answers the POST to /answer; `with_next`: the card comes with the card of the
    question its 下一题 opens, if one waits (docs/one-request.md); `found`: the set's state, when
    the caller has it."""
    found = found or rows.state(set_id)
    if found is None or (found.practice_set.user_id != current_user.id
                          and not teaching.can_read_student(current_user, found.practice_set.user_id)):
        abort(404)
    practice_set, shown = found.practice_set, found.at(position)
    course = course_or_404(practice_set.course_id)
    if shown is None or shown.attempt is None:
        return fragments.go(url_for("practice.question", set_id=set_id))
    delivery, attempt = shown.delivery, shown.attempt
    q = course.by_id.get(delivery.question_id)
    if q is None:
        flash("这道题已从题库中移除", "info")
        return fragments.go(url_for("practice.summary", set_id=set_id))
    live = _live_positions(practice_set, course)
    # the card pages through the set: the answered questions around this one, and whether one waits
    withheld = questions_on_open_paper()
    card = _card(practice_set, course, found.cells, position, withheld)
    prev_position, next_position = card.previous_answered(position), card.next_answered(position)
    own = practice_set.user_id == current_user.id
    ahead = None
    if with_next and own and next_position is None and card.waiting:     # 下一题 opens the question page
        following = _question_context(found, course, live, withheld)
        if following is not None:
            question_url = url_for("practice.question", set_id=set_id)
            ahead = fragments.Ahead(question_url, {**following, "request": fragments.at(question_url)})
    on_exam = q.id in withheld
    extra = {"request": address} if address else {}
    return fragments.page("feedback", url_for("practice.feedback", set_id=set_id, position=position), **extra,
                           ahead=ahead,
                           title="答案已记录" if on_exam else ("回答正确" if attempt.correct else "回答错误"),
                           course=course, practice_set=practice_set,
                           set_name=_set_name(course, practice_set), q=q, delivery=delivery,
                           attempt=attempt, layout=_layout(course, delivery, q),
                           # the grade stored with the answer: the grader's own score beside its parts
                           result=stored_grade(q, attempt.correct, attempt.keyword_score, attempt.max_score,
                                               attempt.parts),
                           breakdown=has_breakdown(q, attempt.parts),
                           changed=attempt.question_version != course.versions[q.id],
                           own=own, self_labels=SELF_ASSESSMENTS,
                           review_required=course.manifest.settings.short_review_required,
                           key=question_type(q).correct_response(q),
                           number=live.index(position) + 1 if position in live else found.answered,
                           total=len(live), prev_position=prev_position, next_position=next_position,
                           has_next=card.waiting, starred=shown.starred, card=card,
                           on_exam=on_exam, lesson=course.section_of.get(q.knowledge_point))


@bp.route("/<int:set_id>/<int:position>/self", methods=["POST"])
@login_required
def self_assessment(set_id: int, position: int) -> Response:
    """自评 of a short answer: 全对 / 部分 / 不会 replace the keyword score (reassessment)."""
    attempt = db.session.scalar(select(Attempt).join(Delivery, Attempt.delivery_id == Delivery.id).join(
        PracticeSet, Delivery.set_id == PracticeSet.id).where(
        PracticeSet.id == set_id, Delivery.position == position, PracticeSet.user_id == current_user.id))
    if attempt is None:
        abort(404)
    course = course_or_404(attempt.course_id)
    q = course.by_id.get(attempt.question_id)
    verdict = request.form.get("verdict", "")
    if tries.of_set(set_id) is not None:     # an assignment's score is the grader's (or the teacher's)
        abort(400)
    if q is None or not question_type(q).rubric_scored(q) or verdict not in SELF_ASSESSMENTS or q.id in questions_on_open_paper():
        abort(400)
    reassessment.self_assess(attempt, verdict, course)
    db.session.commit()
    return redirect(url_for("practice.feedback", set_id=set_id, position=position))


@bp.route("/<int:set_id>/summary")
@login_required
def summary(set_id: int) -> str:
    practice_set = db.session.get(PracticeSet, set_id, options=[
        selectinload(PracticeSet.deliveries).joinedload(Delivery.attempt)])
    if practice_set is None or (practice_set.user_id != current_user.id
                                 and not teaching.can_read_student(current_user, practice_set.user_id)):
        abort(404)
    course = course_or_404(practice_set.course_id)
    answered = [(d, course.by_id.get(d.question_id)) for d in practice_set.deliveries if d.attempt]
    withheld = questions_on_open_paper()
    # 本组错题重练 is offered for a finished set of the student's own with a wrong (or partly
    # right) answer whose verdict is shown; never for an assignment's set.
    retry = (practice_set.user_id == current_user.id and practice_set.mode != tries.SET_MODE
             and any(d.attempt is not None and not d.attempt.correct and q is not None and q.id not in withheld
                     for d, q in answered))
    return render_template("practice/summary.html", course=course, practice_set=practice_set,
                           set_name=_set_name(course, practice_set), rows=answered,
                           progress=set_progress(practice_set, course),
                           withheld=any(q is not None and q.id in withheld for _, q in answered),
                           retry=retry, retry_mode=RETRY_MODE, retry_scope=RETRY_SCOPE,
                           assignment=tries.of_set(set_id) if practice_set.mode == tries.SET_MODE else None)
