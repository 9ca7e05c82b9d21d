"""Accounts: register, log in, log out, change password."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_limiter.util import get_remote_address
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from tutor import passwords
from tutor.extensions import db, limiter
from tutor.models import STUDENT, User, username_key
from tutor.privacy import closure, forget_kept_reports
from tutor.security import event
from tutor.web import LIMITED_STUDENT_WRITES, account, now, safe_next, signed_in_identity

bp = Blueprint("auth", __name__, url_prefix="/auth")


@limiter.request_filter
def _not_a_limited_request() -> bool:
    """Every rate limit is on this blueprint's views or on the student writes listed in
    web.LIMITED_STUDENT_WRITES (the limiter has no default limits), so other requests skip
    Flask-Limiter's check, a quarter of a millisecond each. tests/test_security.py fails if a
    limit is declared anywhere else."""
    return request.blueprint != bp.name and request.endpoint not in LIMITED_STUDENT_WRITES

# What a user with a one-time password may still open before choosing their own.
UNTIL_PASSWORD_CHANGED = frozenset({"auth.password", "auth.logout", "static"})


@bp.before_app_request
def _one_time_password_first() -> Response | None:
    """An account given a generated one-time password (must_change_password) sees 修改密码
    and nothing else until it has set its own."""
    if request.endpoint in UNTIL_PASSWORD_CHANGED or request.endpoint is None:
        return None
    if current_user.is_authenticated and getattr(current_user, "must_change_password", False):
        return redirect(url_for("auth.password"))
    return None


USERNAME_RULE = Regexp(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]+$", message="用户名只能包含中文、字母、数字、下划线、点和连字符")


def _policy(form: FlaskForm, field: PasswordField) -> None:
    username = form.username.data if hasattr(form, "username") else current_user.username
    message = passwords.problem(field.data or "", username or "")
    if message:
        raise ValidationError(message)


class RegisterForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名"), Length(2, 32, "用户名长度为 2 到 32 个字符"), USERNAME_RULE])
    password = PasswordField("密码", validators=[DataRequired("请填写密码"), _policy])
    confirm = PasswordField("确认密码", validators=[DataRequired("请再次输入密码"), EqualTo("password", "两次输入的密码不一致")])


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名"), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired("请填写密码"), Length(max=passwords.MAX_LENGTH)])
    remember = BooleanField("记住我（7 天）")


class PasswordForm(FlaskForm):
    current = PasswordField("当前密码", validators=[DataRequired("请填写当前密码")])
    password = PasswordField("新密码", validators=[DataRequired("请填写新密码"), _policy])
    confirm = PasswordField("确认新密码", validators=[DataRequired("请再次输入新密码"), EqualTo("password", "两次输入的密码不一致")])


def find_user(username: str) -> User | None:
    """The account a name signs in to: the exact name first (a case twin kept by migration
    0006), then the name whatever its case or width."""
    exact = db.session.scalar(select(User).where(User.username == username.strip()))
    return exact or db.session.scalar(select(User).where(User.username_key == username_key(username)))


def _form_username() -> str:
    return username_key((request.form.get("username") or "")[:64])


def _failed_login(response: Response) -> bool:
    """A log-in counts against the limits only when it failed: the form came back. The right
    password is never refused because somebody else guessed wrong."""
    return response.status_code == 200


def _username_and_address() -> str:
    return f"login-user-address:{_form_username()}@{get_remote_address()}"


def _username() -> str:
    return "login-user:" + _form_username()


PASSWORD_RULES = (f"至少 {passwords.MIN_LENGTH} 个字符（最多 {passwords.MAX_LENGTH} 个），不能与用户名相同，"
                  "也不能是常见或容易猜到的密码。几个词加数字组成的长密码好记又安全。")


def _landing(user: User | None = None) -> str:
    """Where a signed-in user starts: a teacher on the class overview, a student on the course."""
    teacher = user.is_instructor if user is not None else current_user.is_instructor
    return url_for("instructor.students") if teacher else url_for("study.home")


def _start_session(user: User, remember: bool = False) -> None:
    """A fresh session for a fresh login, so nothing from before it carries over."""
    session.clear()
    login_user(user, remember=remember)
    session["_user_id"] = signed_in_identity(user)   # what the remember-me cookie will carry too
    session.permanent = True


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["TUTOR_REGISTER_LIMIT"], methods=["POST"])
def register() -> Response | str:
    if current_user.is_authenticated:
        return redirect(_landing())
    form = RegisterForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        if find_user(username) is None:
            user = User(username=username, role=STUDENT)
            user.set_password(form.password.data)
            db.session.add(user)
            try:
                db.session.commit()
            except IntegrityError:   # registered by someone else a moment ago
                db.session.rollback()
            else:
                _start_session(user)
                flash("注册成功，欢迎开始学习！", "success")
                return redirect(safe_next(request.args.get("next")) or url_for("study.home"))
        form.username.errors.append("这个用户名已被注册")
    return render_template("auth/register.html", form=form, rules=PASSWORD_RULES)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["TUTOR_LOGIN_LIMIT_IP"], methods=["POST"], deduct_when=_failed_login)
@limiter.limit(lambda: current_app.config["TUTOR_LOGIN_LIMIT_USER_ADDRESS"], key_func=_username_and_address,
               methods=["POST"], deduct_when=_failed_login)
@limiter.limit(lambda: current_app.config["TUTOR_LOGIN_LIMIT_USER"], key_func=_username, methods=["POST"],
               deduct_when=_failed_login)
def login() -> Response | str:
    if current_user.is_authenticated:
        return redirect(_landing())
    form = LoginForm()
    if form.validate_on_submit():
        user = find_user(form.username.data)
        if user is not None and closure.is_due(user, now(), float(current_app.config["TUTOR_CLOSURE_COOLING_DAYS"])):
            closure.close_account(db.session, user, now())   # its cooling-off has ended: not an account any more
            db.session.commit()
            forget_kept_reports(current_app.extensions)
            user = None
        if user is None:
            passwords.verify_nothing(form.password.data)   # as slow as a wrong password
        if user is None or not user.check_password(form.password.data):
            event("login_failed", username=form.username.data)
            flash("用户名或密码不正确", "error")
        elif not user.is_active:
            event("login_disabled", username=user.username)
            flash("这个账号已停用，请联系老师", "error")
        else:
            if passwords.needs_rehash(user.password_hash):
                user.password_hash = passwords.hash_password(form.password.data)
            user.last_login_at = now()
            db.session.commit()
            _start_session(user, remember=form.remember.data)
            event("login")
            target = safe_next(request.args.get("next")) or _landing(user)
            if user.must_change_password:
                flash("这是老师或管理员发给你的一次性密码，请先设置你自己的新密码。", "info")
                return redirect(url_for("auth.password", next=target))
            if user.closure_requested_at is not None:   # the account page says when, and offers 撤销注销
                flash("你已申请注销账号。如果改变主意，请在冷静期结束前撤销。", "info")
                return redirect(url_for("account.index"))
            return redirect(target)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    """Ends the session everywhere: the token in every copy of the cookies stops matching."""
    event("logout")
    account().rotate_session()
    db.session.commit()
    logout_user()
    session.clear()
    flash("你已退出登录", "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
@limiter.limit(lambda: current_app.config["TUTOR_LOGIN_LIMIT_IP"], methods=["POST"])
def password() -> Response | str:
    form = PasswordForm()
    if form.validate_on_submit():
        user = account()
        if not user.check_password(form.current.data):
            event("password_change_failed")
            form.current.errors.append("当前密码不正确")
        else:
            user.set_password(form.password.data)      # rotates the session token too
            user.must_change_password = False
            db.session.commit()
            event("password_changed")
            _start_session(user)
            flash("密码已修改；其他设备上的登录已失效。", "success")
            return redirect(safe_next(request.args.get("next")) or url_for("progress.mine"))
    return render_template("auth/password.html", form=form, rules=PASSWORD_RULES)
