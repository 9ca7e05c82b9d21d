"""设置: a student's display and study preferences (one-tap answering, auto-next, font size,
daily goal, exam date), saved on the server so that they follow the student to any device. The
rules are in tutor/preferences.py and tutor/goals.py; this view parses, saves, commits."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, DateField, IntegerField, RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional

from tutor import preferences
from tutor.extensions import db
from tutor.goals import MAX_DAILY_GOAL, MIN_DAILY_GOAL
from tutor.models import FONT_SIZES, ONE_TAP_CHOICES
from tutor.web import now

bp = Blueprint("settings", __name__)
# Every page reads the font size (base.html) and the practice pages one-tap and auto-next.
bp.app_context_processor(preferences.template_values)

ONE_TAP_LABELS = {"auto": "自动：手机上开启", "on": "开", "off": "关"}
FONT_LABELS = {"standard": "标准", "large": "大", "xlarge": "特大"}


class SettingsForm(FlaskForm):
    one_tap = RadioField("一键作答", choices=[SelectChoice(v, ONE_TAP_LABELS[v]) for v in ONE_TAP_CHOICES],
                         validators=[InputRequired("请选择")])
    auto_next = BooleanField("答对后自动进入下一题")
    font_size = RadioField("字号", choices=[SelectChoice(v, FONT_LABELS[v]) for v in FONT_SIZES],
                           validators=[InputRequired("请选择")])
    daily_goal = IntegerField("每日目标（题）", validators=[
        InputRequired("请填写每天要做的题数"),
        NumberRange(MIN_DAILY_GOAL, MAX_DAILY_GOAL, f"请填写 {MIN_DAILY_GOAL} 到 {MAX_DAILY_GOAL} 之间的整数")])
    exam_date = DateField("考试日期（可不填）", validators=[Optional()])


@bp.route("/settings/", methods=["GET", "POST"])
@login_required
def index() -> Response | str:
    form = SettingsForm()
    if form.validate_on_submit():
        preferences.save(current_user.id, preferences.Preferences(
            form.one_tap.data, bool(form.auto_next.data), form.font_size.data, int(form.daily_goal.data),
            form.exam_date.data), now())
        db.session.commit()
        flash("设置已保存", "success")
        return redirect(url_for("settings.index"))
    if not form.is_submitted():
        saved = preferences.current()
        form.one_tap.data, form.auto_next.data, form.font_size.data = saved.one_tap, saved.auto_next, saved.font_size
        form.daily_goal.data, form.exam_date.data = saved.daily_goal, saved.exam_date
    return render_template("settings/index.html", form=form)
