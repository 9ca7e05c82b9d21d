"""班级: teachers create classes, share a join code (or its QR code), import rosters and manage
members; students join with the code. Who may do what is decided in `tutor.teaching`."""
from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from tutor import spreadsheet, student_search, teaching
from tutor.classes import enrol, handout, roster
from tutor.extensions import db, limiter
from tutor.models import (ADMIN, ASSISTANT, MEMBER_STUDENT, OWNER, STUDENT, ClassMember, SchoolClass, User,
                          username_key)
from tutor.paging import paginate_query
from tutor.security import event
from tutor.web import catalog, instructor_required, now, strict_int, student_write_key

bp = Blueprint("classes", __name__, url_prefix="/classes")

ROLE_LABELS = {OWNER: "任课教师", ASSISTANT: "助教", MEMBER_STUDENT: "学生", ADMIN: "管理员"}
CODE_TRIES = 5      # a fresh join code colliding with a stored one is astronomically rare


def _taught(class_id: int, writing: bool = True) -> tuple[SchoolClass, str]:
    """The class, if the signed-in user teaches it (else 404, as if it did not exist); an
    archived class may be read, not changed."""
    found = teaching.class_for_teacher(current_user, class_id)
    if found is None:
        abort(404)
    if writing and found[0].archived_at is not None:
        flash("这个班级已归档，只能查看；要修改请先恢复班级", "error")
        abort(redirect(url_for("classes.detail", class_id=class_id)))
    return found


def _may_archive(role: str) -> bool:
    return role in (OWNER, ADMIN)


def _unique_code() -> str:
    for _ in range(CODE_TRIES):
        code = teaching.new_join_code()
        if db.session.scalar(select(SchoolClass.id).where(SchoolClass.join_code == code)) is None:
            return code
    raise RuntimeError("no free join code")     # pragma: no cover


def join_link(school_class: SchoolClass) -> str | None:
    if school_class.join_code is None:
        return None
    return url_for("classes.join", code=school_class.join_code, _external=True)


@bp.route("/")
@instructor_required
def index() -> str:
    archived = request.args.get("archived") == "1"
    classes = teaching.taught_classes(current_user, archived=archived)
    if archived:
        classes = [c for c in classes if c.archived_at is not None]
    counts = {c.id: sum(1 for m in c.members if m.role == MEMBER_STUDENT) for c in classes}
    return render_template("classes/index.html", classes=classes, counts=counts, archived=archived,
                           courses=list(catalog().courses.values()))


@bp.route("/", methods=["POST"])
@instructor_required
def create() -> Response:
    name = (request.form.get("name") or "").strip()
    course = catalog().course(request.form.get("course") or None)
    if not name or len(name) > 64 or course is None:
        flash("请填写班级名称（最多 64 个字符）并选择课程", "error")
        return redirect(url_for("classes.index"))
    school_class = SchoolClass(name=name, course_id=course.id, join_code=_unique_code(), created_by=current_user.id)
    db.session.add(school_class)
    db.session.flush()
    db.session.add(ClassMember(class_id=school_class.id, user_id=current_user.id, role=OWNER))
    db.session.commit()
    flash(f"已创建班级 {name}", "success")
    return redirect(url_for("classes.detail", class_id=school_class.id))


@bp.route("/<int:class_id>")
@instructor_required
def detail(class_id: int) -> str:
    school_class, role = _taught(class_id, writing=False)
    teachers = db.session.execute(
        select(ClassMember, User).join(User, User.id == ClassMember.user_id)
        .where(ClassMember.class_id == class_id, ClassMember.role != MEMBER_STUDENT).order_by(User.username)).all()
    # The roster is paged and searched in the database: a class of 1,000 loads 50 rows.
    roster_query = (select(ClassMember, User).join(User, User.id == ClassMember.user_id)
                    .where(ClassMember.class_id == class_id, ClassMember.role == MEMBER_STUDENT))
    class_size = db.session.scalar(select(func.count()).select_from(roster_query.subquery())) or 0
    search = student_search.cleaned(request.args.get("q"))
    if search:
        roster_query = roster_query.where(student_search.sql_match(search))
    students = paginate_query(roster_query.order_by(User.username, User.id), request.args.get("page"))
    others = [c for c in teaching.taught_classes(current_user) if c.id != class_id]
    course = catalog().course(school_class.course_id)
    return render_template("classes/detail.html", school_class=school_class, role=role, students=students,
                           class_size=class_size, search=search,
                           teachers=teachers, others=others, link=join_link(school_class),
                           course_name=course.manifest.title if course else school_class.course_id,
                           role_labels=ROLE_LABELS, may_archive=_may_archive(role))


@bp.route("/<int:class_id>/qr.svg")
@instructor_required
def qr_code(class_id: int) -> Response:
    """The join link as a QR code, for the classroom projector; only the class's teachers."""
    import segno
    school_class, _ = _taught(class_id, writing=False)
    link = join_link(school_class)
    if link is None:
        abort(404)
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="svg", scale=10, border=2, xmldecl=False,
                                     title=f"加入班级 {school_class.name}")
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


@bp.route("/<int:class_id>/code", methods=["POST"])
@instructor_required
def join_code(class_id: int) -> Response:
    """Rotate (a new code; the old one stops working), disable or enable joining by code."""
    school_class, _ = _taught(class_id)
    action = request.form.get("action")
    if action in ("rotate", "enable"):
        school_class.join_code = _unique_code()
        flash("已生成新的加入码，旧加入码和旧二维码立即失效", "success")
    elif action == "disable":
        school_class.join_code = None
        flash("已停用加入码：学生不能再用加入码或二维码加入", "success")
    else:
        abort(400)
    db.session.commit()
    event("class_code", class_id=class_id, action=action)
    return redirect(url_for("classes.detail", class_id=class_id))


@bp.route("/<int:class_id>/archive", methods=["POST"])
@instructor_required
def archive(class_id: int) -> Response:
    """Archive (read-only, hidden from lists and from its students) or bring back; owner or admin."""
    school_class, role = _taught(class_id, writing=False)
    if not _may_archive(role):
        abort(403)
    restore = request.form.get("action") == "restore"
    school_class.archived_at = None if restore else now()
    db.session.commit()
    flash(f"班级 {school_class.name} 已{'恢复' if restore else '归档'}", "success")
    return redirect(url_for("classes.detail", class_id=class_id) if restore else url_for("classes.index"))


def _roster_url(class_id: int) -> str:
    """Back to the roster page and search the member action was taken from (the forms carry
    them), not to page 1 of a 1,000-student class."""
    page = strict_int(request.form.get("page"))
    search = student_search.cleaned(request.form.get("q"))
    return url_for("classes.detail", class_id=class_id, page=page if page and page > 1 else None,
                   q=search or None)


def _student_member(class_id: int, user_id: int) -> ClassMember:
    member = db.session.scalar(select(ClassMember).where(
        ClassMember.class_id == class_id, ClassMember.user_id == user_id, ClassMember.role == MEMBER_STUDENT))
    if member is None:
        abort(404)
    return member


@bp.route("/<int:class_id>/students/<int:user_id>/remove", methods=["POST"])
@instructor_required
def remove_student(class_id: int, user_id: int) -> Response:
    _taught(class_id)
    db.session.delete(_student_member(class_id, user_id))
    db.session.commit()
    flash("已将该学生移出班级（账号和学习记录保留）", "success")
    return redirect(_roster_url(class_id))


@bp.route("/<int:class_id>/students/<int:user_id>/move", methods=["POST"])
@instructor_required
def move_student(class_id: int, user_id: int) -> Response:
    """To another class the same teacher teaches (not archived)."""
    _taught(class_id)
    member = _student_member(class_id, user_id)
    target = _taught(strict_int(request.form.get("to")) or 0)[0]
    if target.id == class_id:
        abort(400)
    if db.session.scalar(select(ClassMember.id).where(ClassMember.class_id == target.id,
                                                      ClassMember.user_id == user_id)) is None:
        db.session.add(ClassMember(class_id=target.id, user_id=user_id, role=MEMBER_STUDENT))
    db.session.delete(member)
    db.session.commit()
    flash(f"已将该学生转到 {target.name}", "success")
    return redirect(_roster_url(class_id))


@bp.route("/<int:class_id>/assistants", methods=["POST"])
@instructor_required
def add_assistant(class_id: int) -> Response:
    """A co-teacher (助教), by username: they must have an instructor account."""
    school_class, _ = _taught(class_id)
    username = (request.form.get("username") or "").strip()[:64]
    user = db.session.scalar(select(User).where(User.username_key == username_key(username))) if username else None
    if user is None or not user.is_instructor:
        flash("没有这个教师账号（助教须是教师账号；学生账号不能成为助教）", "error")
        return redirect(url_for("classes.detail", class_id=class_id))
    existing = db.session.scalar(select(ClassMember).where(ClassMember.class_id == class_id,
                                                           ClassMember.user_id == user.id))
    if existing is not None and existing.role != MEMBER_STUDENT:
        flash(f"{user.username} 已经是这个班级的老师", "info")
        return redirect(url_for("classes.detail", class_id=class_id))
    db.session.add(ClassMember(class_id=school_class.id, user_id=user.id, role=ASSISTANT))
    db.session.commit()
    flash(f"已添加助教 {user.username}", "success")
    return redirect(url_for("classes.detail", class_id=class_id))


@bp.route("/<int:class_id>/assistants/<int:user_id>/remove", methods=["POST"])
@instructor_required
def remove_assistant(class_id: int, user_id: int) -> Response:
    """The owner (or an admin) removes a co-teacher; a co-teacher may leave. Never the owner."""
    _, role = _taught(class_id)
    if not (_may_archive(role) or user_id == current_user.id):
        abort(403)
    found = db.session.execute(delete(ClassMember).where(
        ClassMember.class_id == class_id, ClassMember.user_id == user_id, ClassMember.role == ASSISTANT))
    if not found.rowcount:  # type: ignore[attr-defined]
        abort(404)
    db.session.commit()
    flash("已移除助教", "success")
    return redirect(url_for("classes.detail", class_id=class_id)
                    if user_id != current_user.id else url_for("classes.index"))


# --- roster import: preview, then confirm --------------------------------------------------------

def _rows_json(result: roster.Roster) -> str:
    return json.dumps([[r.line, r.username, r.name, r.password] for r in result.rows], ensure_ascii=False)


@bp.route("/<int:class_id>/roster", methods=["POST"])
@instructor_required
def roster_preview(class_id: int) -> str:
    """Read the uploaded roster and show what confirming would do; nothing is written."""
    school_class, _ = _taught(class_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        result = roster.Roster([], ["请选择一个 .csv 或 .xlsx 名单文件"])
    else:
        result = roster.read(upload.filename, upload.read())
    planned = enrol.plan(result, school_class)
    db.session.rollback()       # planning only read
    return render_template("classes/roster_preview.html", school_class=school_class, result=result,
                           planned=planned, labels=enrol.ACTION_LABELS, rows_json=_rows_json(result),
                           ok=result.ok and all(p.action for p in planned))


def _spool() -> Path:
    return Path(current_app.config["TUTOR_IMPORT_SPOOL_DIR"]) / "handouts"


@bp.route("/<int:class_id>/roster/confirm", methods=["POST"])
@instructor_required
def roster_confirm(class_id: int) -> str:
    """Check the previewed rows again and add them all in one transaction, or nothing."""
    school_class, _ = _taught(class_id)
    try:
        entries = [(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in json.loads(request.form.get("rows", ""))]
    except (ValueError, TypeError, IndexError, KeyError):
        abort(400)
    result = roster.check(entries)
    planned = enrol.plan(result, school_class)
    if not result.ok or not all(p.action for p in planned):
        db.session.rollback()
        return render_template("classes/roster_preview.html", school_class=school_class, result=result,
                               planned=planned, labels=enrol.ACTION_LABELS, rows_json=_rows_json(result), ok=False)
    try:
        issued = enrol.apply(planned, school_class)
        db.session.commit()
    except IntegrityError:          # an account registered or a member added meanwhile
        db.session.rollback()
        flash("名单中的账号刚刚发生了变化，没有导入任何学生；请重新上传预览", "error")
        return render_template("classes/roster_preview.html", school_class=school_class, result=result,
                               planned=[], labels=enrol.ACTION_LABELS, rows_json=_rows_json(result), ok=False)
    event("roster_import", class_id=class_id, new=len(issued), rows=len(planned))
    token = handout.keep(_spool(), current_user.id, class_id,
                         [[i.username, i.name, i.password] for i in issued]) if issued else None
    counts = {action: sum(1 for p in planned if p.action == action) for action in enrol.ACTION_LABELS}
    return render_template("classes/roster_done.html", school_class=school_class, issued=issued, counts=counts,
                           token=token)


@bp.route("/<int:class_id>/roster/passwords.csv", methods=["POST"])
@instructor_required
def roster_passwords(class_id: int) -> Response:
    """The new accounts' one-time passwords as CSV: once; the server then forgets them."""
    _taught(class_id, writing=False)
    rows = handout.take(_spool(), request.form.get("token", ""), current_user.id, class_id)
    if rows is None:
        abort(404)
    return spreadsheet.csv_response(f"class-{class_id}-passwords.csv", ["学号", "姓名", "一次性密码"], rows)


# --- students ------------------------------------------------------------------------------------

def _failed_join(response: Response) -> bool:
    """Only a refused code counts (the form came back): guessing is what the limits stop."""
    return response.status_code == 200


@bp.route("/join", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["TUTOR_JOIN_LIMIT"], key_func=student_write_key, methods=["POST"],
               deduct_when=_failed_join)
@limiter.limit(lambda: current_app.config["TUTOR_JOIN_LIMIT_IP"], methods=["POST"], deduct_when=_failed_join)
def join() -> Any:
    """加入班级 with a code, typed or from the join link (which fills it in). A code only ever
    makes its user a student of the class."""
    code = teaching.normalize_code(request.values.get("code", ""))
    if request.method == "POST":
        found = db.session.scalar(select(SchoolClass).where(SchoolClass.join_code == code,
                                                            SchoolClass.archived_at.is_(None))) if code else None
        if found is None:
            event("class_join_failed")
            flash("加入码无效或已停用，请向老师确认", "error")
        elif current_user.role != STUDENT:
            flash("教师账号不能以学生身份加入班级", "error")
        else:
            already = db.session.scalar(select(ClassMember.id).where(ClassMember.class_id == found.id,
                                                                     ClassMember.user_id == current_user.id))
            if already is None:
                db.session.add(ClassMember(class_id=found.id, user_id=current_user.id, role=MEMBER_STUDENT))
                try:
                    db.session.commit()
                except IntegrityError:      # the same form sent twice at once
                    db.session.rollback()
            flash(f"已加入班级 {found.name}", "success")
            return redirect(url_for("study.home"))
    return render_template("classes/join.html", code=code)
