"""管理员: instructor accounts (list, create with a one-time password, disable and enable).
Classes are managed on the class pages, where an admin teaches every class."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from tutor import passwords
from tutor.extensions import db
from tutor.models import ADMIN, INSTRUCTOR, OWNER, ASSISTANT, ClassMember, User, username_key
from tutor.security import event
from tutor.web import admin_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
USERNAME_RULE = r"^[A-Za-z0-9_.\-\u4e00-\u9fff]{2,32}$"


def _page(issued: tuple[str, str] | None = None, error: str | None = None, status: int = 200) -> tuple[str, int]:
    teachers = list(db.session.scalars(select(User).where(User.role.in_((INSTRUCTOR, ADMIN)))
                                       .order_by(User.role, User.username)))
    classes = dict(db.session.execute(
        select(ClassMember.user_id, func.count()).where(ClassMember.role.in_((OWNER, ASSISTANT)))
        .group_by(ClassMember.user_id)).all())
    return render_template("admin/instructors.html", teachers=teachers, classes=classes, issued=issued,
                           error=error), status


@bp.route("/instructors")
@admin_required
def instructors() -> tuple[str, int]:
    return _page()


@bp.route("/instructors", methods=["POST"])
@admin_required
def create_instructor() -> tuple[str, int]:
    """A new instructor with a generated one-time password, shown on this page once."""
    import re
    username = (request.form.get("username") or "").strip()
    name = (request.form.get("display_name") or "").strip()[:64] or None
    if not re.fullmatch(USERNAME_RULE, username):
        return _page(error="用户名须为 2 到 32 个字符，只能包含中文、字母、数字、下划线、点和连字符", status=400)
    if db.session.scalar(select(User.id).where(User.username_key == username_key(username))) is not None:
        return _page(error=f"用户名 {username} 已存在", status=400)
    secret = passwords.one_time()
    user = User(username=username, role=INSTRUCTOR, display_name=name, must_change_password=True,
                password_hash=passwords.hash_one_time(secret))
    user.rotate_session()
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return _page(error=f"用户名 {username} 已存在", status=400)
    event("instructor_created", username=username)
    return _page(issued=(username, secret))


@bp.route("/instructors/<int:user_id>/active", methods=["POST"])
@admin_required
def set_active(user_id: int) -> Response:
    """Disable (cut off at the next request, cannot log in) or enable an instructor account."""
    user = db.session.get(User, user_id)
    if user is None or user.role != INSTRUCTOR or user.id == current_user.id:
        abort(404)
    user.active = request.form.get("active") == "1"
    user.rotate_session()
    db.session.commit()
    event("instructor_active", username=user.username, active=user.active)
    flash(f"{user.username} 已{'启用' if user.active else '停用'}", "success")
    return redirect(url_for("admin.instructors"))
