"""Accounts: register, log in, log out."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from werkzeug.wrappers import Response
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from tutor.extensions import db
from tutor.models import STUDENT, User
from tutor.web import safe_next

bp = Blueprint("auth", __name__, url_prefix="/auth")

USERNAME_RULE = Regexp(r"^[A-Za-z0-9_.\-\u4e00-\u9fff]+$", message="用户名只能包含中文、字母、数字、下划线、点和连字符")


class RegisterForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名"), Length(2, 32, "用户名长度为 2 到 32 个字符"), USERNAME_RULE])
    password = PasswordField("密码", validators=[DataRequired("请填写密码"), Length(8, 128, "密码长度为 8 到 128 个字符")])
    confirm = PasswordField("确认密码", validators=[DataRequired("请再次输入密码"), EqualTo("password", "两次输入的密码不一致")])


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名")])
    password = PasswordField("密码", validators=[DataRequired("请填写密码")])
    remember = BooleanField("记住我")


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))


@bp.route("/register", methods=["GET", "POST"])
def register() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("study.home"))
    form = RegisterForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        if find_user(username) is not None:
            form.username.errors.append("这个用户名已被注册")
        else:
            user = User(username=username, role=STUDENT)
            user.set_password(form.password.data)
            db.session.add(user)
            db.session.commit()
            login_user(user)
            flash("注册成功，欢迎开始学习！", "success")
            return redirect(url_for("study.home"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    if current_user.is_authenticated:
        return redirect(url_for("study.home"))
    form = LoginForm()
    if form.validate_on_submit():
        user = find_user(form.username.data)
        if user is None or not user.check_password(form.password.data):
            flash("用户名或密码不正确", "error")
        elif not user.is_active:
            flash("这个账号已停用，请联系老师", "error")
        else:
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(request.args.get("next")) or url_for("study.home"))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> Response:
    logout_user()
    flash("你已退出登录", "info")
    return redirect(url_for("auth.login"))
