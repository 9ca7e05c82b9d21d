"""设置 and the study goals through the real app and database: saving the settings, the font size
on every page, one-tap and auto-next on the practice pages, the goals on the home page on a
fixed clock (the day in Asia/Shanghai), the data download and 注销, and migration 0013."""
from __future__ import annotations

import importlib.util
import json
import re
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from conftest import ROOT, answer_current, make_app, register, reset_database, start_set
from tutor.extensions import db
from tutor.models import ReviewCard, User, UserSettings

SETTINGS = {"one_tap": "on", "auto_next": "y", "font_size": "xlarge", "daily_goal": "5", "exam_date": ""}


def save(client, **changes):
    return client.post("/settings/", data={**SETTINGS, **changes})


def settings_of(app, name: str) -> UserSettings | None:
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.username == name))
        row = db.session.scalar(select(UserSettings).where(UserSettings.user_id == user_id))
        if row is not None:
            db.session.expunge(row)
        return row


def test_the_settings_page_shows_the_defaults_and_saves_per_student(app, client, clock) -> None:
    register(client, "setter")
    page = client.get("/settings/").get_data(as_text=True)
    assert "一键作答" in page and "自动：手机上开启" in page and "答对后自动进入下一题" in page
    assert "字号" in page and "特大" in page and "每日目标" in page and "考试日期" in page
    assert re.search(r'value="auto"[^>]*checked|checked[^>]*value="auto"', page)
    assert 'value="30"' in page and "auto_next" in page
    assert settings_of(app, "setter") is None                      # nothing stored until saved
    assert "打开设置" in client.get("/account/").get_data(as_text=True)

    response = save(client, exam_date="2026-12-12")
    assert response.status_code == 302 and response.headers["Location"] == "/settings/"
    row = settings_of(app, "setter")
    assert (row.one_tap, row.auto_next, row.font_size, row.daily_goal, row.exam_date) == (
        "on", True, "xlarge", 5, date(2026, 12, 12))
    assert row.updated_at == clock.now
    page = client.get("/settings/").get_data(as_text=True)
    assert "设置已保存" in page and 'value="2026-12-12"' in page and 'value="5"' in page

    # unticked and cleared: auto-next off, no exam date; the same row is updated
    save(client, one_tap="off", auto_next="", font_size="standard", daily_goal="40")
    row = settings_of(app, "setter")
    assert (row.one_tap, row.auto_next, row.font_size, row.daily_goal, row.exam_date) == (
        "off", False, "standard", 40, None)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(UserSettings)) == 1

    other = app.test_client()                                     # another student keeps the defaults
    register(other, "other")
    assert 'value="30"' in other.get("/settings/").get_data(as_text=True)


def test_the_settings_refuse_what_they_cannot_hold(app, client) -> None:
    register(client, "careful")
    for changes in ({"daily_goal": "0"}, {"daily_goal": "501"}, {"daily_goal": "十"}, {"one_tap": "always"},
                    {"font_size": "huge"}, {"exam_date": "2026-13-40"}):
        response = save(client, **changes)
        assert response.status_code == 200, changes
        assert 'class="error"' in response.get_data(as_text=True), changes
    assert settings_of(app, "careful") is None
    assert app.test_client().get("/settings/").status_code == 302          # signed-in users only


def test_the_font_size_is_a_class_on_every_page(app, client) -> None:
    register(client, "bigfont")
    assert '<html lang="zh-CN">' in client.get("/").get_data(as_text=True)
    save(client, font_size="large")
    assert '<html lang="zh-CN" class="font-large">' in client.get("/").get_data(as_text=True)
    save(client, font_size="xlarge")
    set_id = start_set(client)
    for path in ("/", f"/practice/{set_id}", "/account/", "/progress/", "/exams/"):
        assert '<html lang="zh-CN" class="font-xlarge">' in client.get(path).get_data(as_text=True), path
    assert 'theme.css' in client.get("/").get_data(as_text=True)
    assert '<html lang="zh-CN">' in app.test_client().get("/auth/login").get_data(as_text=True)


def question_page(app, client, set_id: int) -> tuple[str, str]:
    """The set's current question page and its question's type."""
    from conftest import current_delivery
    page = client.get(f"/practice/{set_id}").get_data(as_text=True)
    qid = current_delivery(app, set_id).question_id
    return page, app.extensions["tutor_content"].catalog.course("chapter8").by_id[qid].type


def test_one_tap_marks_single_choice_and_true_false_forms_only(app, client) -> None:
    register(client, "tapper")
    seen = set()
    for expected in ("on", "auto", "off"):
        save(client, one_tap=expected)
        set_id = start_set(client, "all", "")
        for _ in range(10):
            page, kind = question_page(app, client, set_id)
            form = re.search(r"<form[^>]*data-answer-form[^>]*>", page).group(0)
            if kind in ("single", "truefalse"):
                assert f'data-one-tap="{expected}"' in form, kind
            else:
                assert "data-one-tap" not in form, kind
            assert "onetap.js" in page and "提交答案" in page        # the button stays for keyboards and no JS
            seen.add(kind)
            answer_current(app, client, set_id, True)
    assert {"single", "truefalse"} & seen and seen - {"single", "truefalse"}


def test_auto_next_after_a_right_answer_only(app, client) -> None:
    register(client, "autonext")
    set_id = start_set(client)
    _, _, response = answer_current(app, client, set_id, True)
    assert "data-auto-next" not in client.get(response.headers["Location"]).get_data(as_text=True)   # off by default
    save(client, auto_next="y")
    _, _, right = answer_current(app, client, set_id, True)
    page = client.get(right.headers["Location"]).get_data(as_text=True)
    assert 'data-auto-next="1500"' in page and "停留" in page and " hidden>" in page.split("data-auto-next")[1][:200]
    _, _, wrong = answer_current(app, client, set_id, False)
    assert "data-auto-next" not in client.get(wrong.headers["Location"]).get_data(as_text=True)
    # an older answer's page (paged back to) never moves on by itself
    first = re.sub(r"/\d+$", "/0", right.headers["Location"])
    assert "data-auto-next" not in client.get(first).get_data(as_text=True)


def home(client) -> str:
    return client.get("/").get_data(as_text=True)


def test_the_home_page_shows_the_goal_streak_and_rings_on_the_course_clock(app, client, clock) -> None:
    register(client, "goalie")
    page = home(client)
    assert "学习目标" in page and "今天已做 <strong>0</strong> 题，还差 30 题" in page
    assert "今天做一题，开始连续学习" in page and "设置考试日期" in page
    assert page.count('class="ring') >= 3 and "stroke-dasharray" not in page          # nothing done: no arcs
    save(client, daily_goal="3", one_tap="auto", font_size="standard", auto_next="")

    # 23:50 on 29 November in Shanghai (15:50 UTC): two answers
    clock.now = clock.now.replace(hour=15, minute=50)
    set_id = start_set(client, "all", "")
    answer_current(app, client, set_id, True)
    answer_current(app, client, set_id, False)
    page = home(client)
    assert "今天已做 <strong>2</strong> 题，还差 1 题" in page and "连续学习 <strong>1</strong> 天" in page
    assert "stroke-dasharray" in page and "2 / 3 题" in page

    # 00:10 on the 30th: a new day, the goal starts again, yesterday's streak still stands
    clock.advance(minutes=20)
    page = home(client)
    assert "今天已做 <strong>0</strong> 题" in page
    assert "连续学习 <strong>1</strong> 天 · 今天还没练习，做一题保持连续" in page
    for _ in range(3):
        answer_current(app, client, set_id, True)
    page = home(client)
    assert "✓ 今日目标已完成" in page and "连续学习 <strong>2</strong> 天" in page and "还没练习" not in page

    # a day with no answer ends the streak
    clock.advance(days=2)
    assert "今天做一题，开始连续学习" in home(client)


def test_the_exam_date_gives_days_left_and_a_daily_load(app, client, clock) -> None:
    register(client, "examinee")
    set_id = start_set(client, "all", "")
    answer_current(app, client, set_id, True)
    course = app.extensions["tutor_content"].catalog.course("chapter8")
    unseen = len(course.by_id) - 1
    today = date(2026, 11, 29)                               # the clock: 10:00 in Shanghai
    with app.app_context():
        cards = db.session.scalar(select(func.count()).select_from(ReviewCard))
        assert cards == 1
    save(client, exam_date=(today + timedelta(days=12)).isoformat())
    page = home(client)
    new = -(-unseen // 12)
    assert f"距离考试还有 <strong>12</strong> 天 · 建议每天 <strong>{new + 1}</strong> 题（新题 {new} + 复习约 1）" in page
    assert "多于你的每日目标 5 题" in page
    save(client, exam_date=today.isoformat())
    assert "今天考试，祝你顺利！" in home(client)
    save(client, exam_date=(today - timedelta(days=1)).isoformat())
    assert "考试日期（11月28日）已过" in home(client)


def test_settings_are_in_the_data_download_and_deleted_on_closure(app, client, clock) -> None:
    from tutor.privacy.closure import close_account
    register(client, "leaver")
    save(client, exam_date="2027-01-05")
    mine = json.loads(client.get("/account/data.json").data)
    assert [(s["one_tap"], s["font_size"], s["daily_goal"], s["exam_date"]) for s in mine["settings"]] == [
        ("on", "xlarge", 5, "2027-01-05")]
    assert "settings.csv" in __import__("zipfile").ZipFile(
        __import__("io").BytesIO(client.get("/account/data.zip").data)).namelist()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "leaver"))
        deleted = close_account(db.session, user, clock.now)
        db.session.commit()
        assert deleted["user_settings"] == 1
        assert db.session.scalar(select(func.count()).select_from(UserSettings)) == 0


def test_migration_0013_adds_the_settings_table(tmp_path: Path) -> None:
    from tutor import schema
    spec = importlib.util.spec_from_file_location(
        "m0013", ROOT / "tutor" / "migrations" / "versions" / "0013_user_settings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    app = make_app(tmp_path)
    with app.app_context():
        reset_database()
    schema.upgrade(app, module.down_revision)
    with app.app_context():
        with db.engine.begin() as c:
            c.exec_driver_sql("INSERT INTO users (id, username, username_key, password_hash, role, created_at, active, "
                              "session_token, must_change_password) VALUES (1, 'old', 'old', 'x', 'student', "
                              "'2026-01-01 00:00:00', true, 'tok1', false)")
    schema.upgrade(app)
    with app.app_context():
        db.session.add(UserSettings(user_id=1))
        db.session.commit()
        row = db.session.scalar(select(UserSettings))
        assert (row.one_tap, row.auto_next, row.font_size, row.daily_goal, row.exam_date) == (
            "auto", False, "standard", 30, None)
        reset_database()
