"""作业: teachers set work for a class and read its report; students see theirs and do it.

The rules (open, due, tries, when answers show) are `tutor.coursework.rules`, enforced where
answers are taken (the practice and exam pages); this blueprint only shows and sets them."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from tutor import localtime, paging, spreadsheet, student_search, teaching
from tutor.assignments import form
from tutor.content.course import Course
from tutor.coursework import report as reporting, rules, tries
from tutor.extensions import db
from tutor.privacy import closure
from tutor.models import EXAM_ASSIGNMENT, SHOW_AFTER_DUE, Assignment, SchoolClass, Submission, User
from tutor.web import catalog, class_scope, instructor_required, now, rng

bp = Blueprint("assignments", __name__, url_prefix="/assignments")


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"status_labels": rules.STATUS_LABELS, "kind_labels": rules.KIND_LABELS,
            "show_labels": rules.SHOW_LABELS, "late_labels": rules.LATE_LABELS}


def _zone() -> str:
    return str(current_app.config["TUTOR_TIMEZONE"])


def _course(course_id: str) -> Course:
    course = catalog().course(course_id)
    if course is None:
        abort(404)
    return course


def _taught(assignment_id: int) -> tuple[Assignment, SchoolClass, str]:
    """The assignment, if the signed-in user teaches its class (else 404, as if it did not exist)."""
    assignment = db.session.get(Assignment, assignment_id)
    found = teaching.class_for_teacher(current_user, assignment.class_id) if assignment else None
    if assignment is None or found is None:
        abort(404)
    return assignment, found[0], found[1]


# --- teachers ----------------------------------------------------------------------------------

@bp.route("/teach")
@instructor_required
def index() -> str:
    """The assignments of the class chosen in the teacher pages' selector (`?class=`)."""
    scope = class_scope()
    classes = [scope.chosen] if scope.chosen else scope.classes
    class_ids = [c.id for c in classes]
    assignments = list(db.session.scalars(select(Assignment).where(Assignment.class_id.in_(class_ids))
                                          .order_by(Assignment.due_at.desc(), Assignment.id.desc()))) if class_ids else []
    done = dict(db.session.execute(
        select(Submission.assignment_id, func.count(func.distinct(Submission.user_id)))
        .where(Submission.assignment_id.in_([a.id for a in assignments]), Submission.submitted_at.is_not(None))
        .group_by(Submission.assignment_id)).all()) if assignments else {}
    sizes = {c.id: db.session.scalar(select(func.count()).select_from(teaching.students_of(c.id).subquery())) or 0
             for c in classes}
    return render_template("assignments/index.html", scope=scope, assignments=assignments, done=done, sizes=sizes,
                           class_names={c.id: c.name for c in classes}, moment=now())


@bp.route("/class/<int:class_id>/new", methods=["GET", "POST"])
@instructor_required
def new(class_id: int) -> str | Response:
    """布置作业: the form; 预览 shows the questions (drawn now, fixed for every student); 确认 saves."""
    found = teaching.class_for_teacher(current_user, class_id)
    if found is None:
        abort(404)
    school_class = found[0]
    if school_class.archived_at is not None:
        return render_template("assignments/archived.html", school_class=school_class)
    course = _course(school_class.course_id)
    values = form.values(request.form if request.method == "POST" else None, now(), _zone())
    action = request.form.get("action", "")
    if request.method == "GET" or action == "edit":
        return _form_page(school_class, course, values)
    draft = form.read(values, course, now(), _zone(), rng())
    if draft.problems:
        return _form_page(school_class, course, values, draft.problems)
    if action != "create":
        return _form_page(school_class, course, values, preview=draft)
    assignment = Assignment(class_id=class_id, course_id=course.id, created_by=current_user.id, **draft.fields)
    db.session.add(assignment)
    db.session.commit()
    flash(f"已布置作业：{assignment.title}", "success")
    return redirect(url_for("assignments.report", assignment_id=assignment.id))


def _form_page(school_class: SchoolClass, course: Course, values: dict[str, Any],
               problems: list[str] | None = None, preview: form.Draft | None = None) -> str:
    return render_template("assignments/new.html", school_class=school_class, course=course, v=values,
                           problems=problems or [], preview=preview, bank=form.bank(course),
                           type_counts=form.type_counts(course), zone=localtime.zone_name(_zone()))


@bp.route("/<int:assignment_id>/report")
@instructor_required
def report(assignment_id: int) -> str:
    assignment, school_class, _ = _taught(assignment_id)
    course = _course(assignment.course_id)
    built = reporting.build(assignment, now())
    search = student_search.cleaned(request.args.get("q"))
    shown = [s for s in built.students if not search or student_search.matches(s, search)]
    page = paging.paginate(shown, request.args.get("page"))
    return render_template("assignments/report.html", assignment=assignment, school_class=school_class,
                           course=course, report=built, page=page, search=search, moment=now(),
                           past_due=rules.past_due(assignment, now()),
                           due_input=localtime.to_input(assignment.due_at, _zone()))


@bp.route("/<int:assignment_id>/report.csv")
@instructor_required
def report_csv(assignment_id: int) -> Response:
    assignment, school_class, _ = _taught(assignment_id)
    built = reporting.build(assignment, now())
    zone = _zone()
    header = ["学号", "姓名", "状态", "作答次数", "最高得分", "满分", "得分率", "提交时间", "逾期", "评语"]
    rows = []
    for s in built.students:
        best = s.best
        rows.append([closure.shown_name(s.username), s.display_name or "", rules.STATUS_LABELS[s.status], len(s.tries),
                     "" if best is None or best.score is None else round(best.score, 2),
                     "" if best is None else round(best.max_score, 2),
                     "" if s.percent is None else f"{s.percent:.0f}%",
                     localtime.iso(best.submitted_at, zone) if best else "",
                     "是" if best is not None and best.late else "",
                     (best.comment or "") if best else ""])
    return spreadsheet.csv_response(f"assignment-{assignment.id}-class-{school_class.id}.csv", header, rows)


@bp.route("/<int:assignment_id>/due", methods=["POST"])
@instructor_required
def change_due(assignment_id: int) -> Response:
    """延长或提前截止时间: it must stay after the opening time."""
    assignment, school_class, _ = _taught(assignment_id)
    if school_class.archived_at is not None:
        abort(400)
    due = localtime.from_input(request.form.get("due_at"), _zone())
    if due is None or due <= assignment.opens_at:
        flash("截止时间无效：请填写开放时间之后的时间", "error")
    else:
        assignment.due_at = due
        db.session.commit()
        flash(f"截止时间已改为 {localtime.short(due, _zone())}", "success")
    return redirect(url_for("assignments.report", assignment_id=assignment_id))


@bp.route("/<int:assignment_id>/delete", methods=["POST"])
@instructor_required
def delete(assignment_id: int) -> Response:
    """撤回作业: only while no student has started it, so that no one's work disappears."""
    assignment, school_class, _ = _taught(assignment_id)
    started = db.session.scalar(select(func.count()).select_from(Submission)
                                .where(Submission.assignment_id == assignment_id)) or 0
    if started:
        flash("已有学生开始作答，不能撤回；可以修改截止时间", "error")
        return redirect(url_for("assignments.report", assignment_id=assignment_id))
    db.session.delete(assignment)
    db.session.commit()
    flash(f"已撤回作业：{assignment.title}", "success")
    back: dict[str, Any] = {"class": school_class.id}
    return redirect(url_for("assignments.index", **back))


def _submission(assignment: Assignment, submission_id: int) -> tuple[Submission, User]:
    found = db.session.execute(select(Submission, User).join(User, User.id == Submission.user_id).where(
        Submission.id == submission_id, Submission.assignment_id == assignment.id)).first()
    if found is None:
        abort(404)
    return found[0], found[1]


@bp.route("/<int:assignment_id>/submissions/<int:submission_id>")
@instructor_required
def submission(assignment_id: int, submission_id: int) -> str:
    assignment, school_class, _ = _taught(assignment_id)
    sub, student = _submission(assignment, submission_id)
    commenter = db.session.get(User, sub.comment_by) if sub.comment_by else None
    return render_template("assignments/submission.html", assignment=assignment, school_class=school_class,
                           sub=sub, student=student, commenter=commenter)


@bp.route("/<int:assignment_id>/submissions/<int:submission_id>/comment", methods=["POST"])
@instructor_required
def comment(assignment_id: int, submission_id: int) -> Response:
    """评语 on a try: the student sees it on the assignment's page. Empty text removes it."""
    assignment, _, _ = _taught(assignment_id)
    sub, _ = _submission(assignment, submission_id)
    text = (request.form.get("comment") or "").strip()
    if len(text) > 2000:
        flash("评语最多 2000 字", "error")
    else:
        sub.comment, sub.comment_by, sub.comment_at = (text or None), (current_user.id if text else None), \
            (now() if text else None)
        db.session.commit()
        flash("评语已保存" if text else "评语已删除", "success")
    return redirect(url_for("assignments.submission", assignment_id=assignment_id, submission_id=submission_id))


# --- students ----------------------------------------------------------------------------------

@bp.route("/")
@login_required
def mine() -> str:
    """我的作业: every assignment of the student's classes, with its status and due time."""
    return render_template("assignments/mine.html", lines=tries.student_lines(current_user.id, now()))


@bp.route("/<int:assignment_id>")
@login_required
def show(assignment_id: int) -> str | Response:
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        abort(404)
    if not tries.is_student_of(current_user.id, assignment):
        if teaching.class_for_teacher(current_user, assignment.class_id) is not None:
            return redirect(url_for("assignments.report", assignment_id=assignment_id))
        abort(404)
    course = _course(assignment.course_id)
    moment = now()
    mine = tries.tries_of(current_user.id, [assignment.id])[assignment.id]
    blueprint = next((b for b in course.manifest.exams if b.id == assignment.blueprint_id), None)
    return render_template("assignments/show.html", assignment=assignment, course=course, tries=mine,
                           status=rules.status(assignment, mine, moment), refusal=rules.may_start(assignment, mine, moment),
                           open_try=next((s for s in mine if s.submitted_at is None), None),
                           left=rules.tries_left(assignment, len(mine)), blueprint=blueprint,
                           visible=rules.answers_visible(assignment, moment), moment=moment,
                           school_class=db.session.get(SchoolClass, assignment.class_id),
                           questions=len(assignment.question_ids or ()), after_due=SHOW_AFTER_DUE,
                           exam=EXAM_ASSIGNMENT)


@bp.route("/<int:assignment_id>/start", methods=["POST"])
@login_required
def start(assignment_id: int) -> Response:
    """Start (or continue) a try at a practice assignment; an exam assignment starts on the exam pages."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None or not tries.is_student_of(current_user.id, assignment):
        abort(404)
    if assignment.kind == EXAM_ASSIGNMENT:
        abort(400)
    course = _course(assignment.course_id)
    moment = now()
    mine = tries.tries_of(current_user.id, [assignment.id])[assignment.id]
    open_try = next((s for s in mine if s.submitted_at is None), None)
    if open_try is not None and open_try.set_id is not None:
        return redirect(url_for("practice.question", set_id=open_try.set_id))
    refusal = rules.may_start(assignment, mine, moment)
    if refusal:
        flash(refusal, "error")
        return redirect(url_for("assignments.show", assignment_id=assignment_id))
    if not [q for q in assignment.question_ids or () if q in course.by_id]:
        flash("这份作业的题目已全部从题库中移除，请联系老师", "error")
        return redirect(url_for("assignments.show", assignment_id=assignment_id))
    submission = tries.start_practice(assignment, current_user.id, course, len(mine) + 1, moment, rng())
    db.session.commit()
    return redirect(url_for("practice.question", set_id=submission.set_id))
