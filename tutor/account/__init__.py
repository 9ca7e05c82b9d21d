"""我的账户: a user's own data (download as JSON or a ZIP of CSV files) and 注销 with its
cooling-off period; and the admin's page that does both for a student who asks by phone or
mail. The work itself is in tutor/privacy; these views parse, call, commit."""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import func, or_, select
from werkzeug.wrappers import Response as BaseResponse
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from tutor import passwords
from tutor.extensions import db
from tutor.models import ADMIN, User, username_key
from tutor.privacy import archive, closure, data, forget_kept_reports
from tutor.security import event
from tutor.teaching import student_classes
from tutor.web import account, admin_required, now

bp = Blueprint("account", __name__)
bp.app_template_filter("shown_name")(closure.shown_name)
SEARCH_LIMIT = 50


class ClosureForm(FlaskForm):
    password = PasswordField("当前密码", validators=[DataRequired("请输入密码以确认"), Length(max=passwords.MAX_LENGTH)])


def cooling_days() -> float:
    return float(current_app.config["TUTOR_CLOSURE_COOLING_DAYS"])


def _download(user_id: int, kind: str) -> Response:
    """The user's data as an attachment named after the day, not the person (it may be forwarded)."""
    moment = now()
    collected = data.collect(db.session, user_id, moment)
    stamp = moment.strftime("%Y%m%d")
    if kind == "zip":
        body, mimetype, name = archive.to_zip(collected), "application/zip", f"my-data-{stamp}.zip"
    else:
        body, mimetype, name = archive.to_json(collected), "application/json", f"my-data-{stamp}.json"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"})


@bp.route("/account/")
@login_required
def index() -> str:
    user = account()
    return render_template("account/index.html", user=user, classes=student_classes(user.id),
                           closes_at=closure.closes_at(user, cooling_days()),
                           may_close=closure.may_close_self(user))


@bp.route("/account/data.<any(json, zip):file_format>")
@login_required
def export(file_format: str) -> Response:
    event("data_exported", format=file_format)
    return _download(current_user.id, file_format)


@bp.route("/account/close", methods=["GET", "POST"])
@login_required
def close() -> BaseResponse | str:
    """注销: asked for with the password; carried out when the cooling-off period ends."""
    user = account()
    if not closure.may_close_self(user) or user.closure_requested_at is not None:
        return redirect(url_for("account.index"))      # the page says why (an admin) or when
    form = ClosureForm()
    if form.validate_on_submit():
        if not user.check_password(form.password.data):
            event("closure_password_failed")
            form.password.errors.append("密码不正确")
        else:
            closure.request_closure(user, now())
            db.session.commit()
            event("closure_requested")
            flash("已收到你的注销申请。冷静期结束前你可以随时撤销。", "success")
            return redirect(url_for("account.index"))
    return render_template("account/close.html", form=form, days=cooling_days())


@bp.route("/account/close/cancel", methods=["POST"])
@login_required
def cancel_closure() -> BaseResponse:
    user = account()
    if closure.cancel_closure(user):
        db.session.commit()
        event("closure_cancelled")
        flash("已撤销注销，你的账号和学习记录都会保留。", "success")
    return redirect(url_for("account.index"))


# The admin's side: a student asks by phone or mail, the admin acts for them.

@bp.route("/admin/accounts")
@admin_required
def admin_search() -> str:
    query = (request.args.get("q") or "").strip()[:64]
    found: list[User] = []
    if query:
        pattern = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        found = list(db.session.scalars(
            select(User).where(User.closed_at.is_(None), or_(
                User.username_key == username_key(query),
                func.lower(User.username).like(pattern.lower(), escape="\\"),
                User.display_name.like(pattern, escape="\\")))
            .order_by(User.username).limit(SEARCH_LIMIT)))
    return render_template("account/admin.html", query=query, found=found, limit=SEARCH_LIMIT,
                           cooling_days=cooling_days())


def _other_account(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None or closure.is_closed(user):
        abort(404)
    return user


@bp.route("/admin/accounts/<int:user_id>/data.<any(json, zip):file_format>")
@admin_required
def admin_export(user_id: int, file_format: str) -> Response:
    _other_account(user_id)
    event("data_exported_by_admin", user_id=user_id, format=file_format)
    return _download(user_id, file_format)


@bp.route("/admin/accounts/<int:user_id>/close", methods=["POST"])
@admin_required
def admin_close(user_id: int) -> BaseResponse | tuple[str, int]:
    """Close an account at once, no cooling-off: the person asked the school directly. The admin
    types the username to confirm, so that a stray click closes nothing."""
    user = _other_account(user_id)
    if user.role == ADMIN or user.id == current_user.id:
        abort(403)
    if (request.form.get("confirm") or "").strip() != user.username:
        return render_template("error.html", code=400, title="未注销",
                               message="请输入该账号的用户名以确认注销。"), 400
    deleted = closure.close_account(db.session, user, now())
    db.session.commit()
    forget_kept_reports(current_app.extensions)
    event("account_closed_by_admin", user_id=user_id, deleted=dict(deleted))
    flash("账号已注销：姓名和用户名已删除，错题本、收藏、复习卡片和老师评语已删除，作答记录已匿名保留。", "success")
    return redirect(url_for("account.admin_search"))
