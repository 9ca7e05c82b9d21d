"""Issue 16, the first hour on the home page, 我的进度 and the account pages, through the test client.

One mastery indicator on both pages, 智能复习's count explained and split, the charts' labels in
the course's timezone with same-day exams told apart, the password rules shown before a failed
submit, and a teacher landing on the teacher pages. The layout (label boxes, tap targets, text
sizes, no sideways scroll) is measured in Chromium in test_browser_progress.py.
"""
from __future__ import annotations

import colorsys
import re
from datetime import datetime, timedelta
from pathlib import Path

from tutor import passwords
from tutor.progress import charts

from conftest import PASSWORD, Clock, answer_current, login, make_instructor, register, start_mode
from seeding import answer, exam, student

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 12, 2, 2, 0)          # 10:00 in Shanghai


def levelcounts(page: str) -> list[tuple[str, int]]:
    block = page.split('<ul class="levelcounts"')[1].split("</ul>")[0]
    return [(name, int(n)) for name, n in re.findall(r'<span class="level l\d">(\S+)</span> (\d+) 个', block)]


# --- 5. the teacher lands on the teacher pages -------------------------------------------

def test_a_teacher_lands_on_the_class_overview_and_a_student_on_the_course(app, client) -> None:
    make_instructor(app, "laoshi")
    response = login(client, "laoshi")
    assert response.status_code == 302 and response.headers["Location"] == "/instructor/"
    assert client.get("/auth/login").headers["Location"] == "/instructor/"      # already signed in
    assert "学生" in client.get("/instructor/").get_data(as_text=True)
    client.post("/auth/logout")

    response = client.post("/auth/login?next=/progress/", data={"username": "laoshi", "password": PASSWORD})
    assert response.headers["Location"] == "/progress/"                         # a safe next still wins
    client.post("/auth/logout")
    response = client.post("/auth/login?next=//evil.example/", data={"username": "laoshi", "password": PASSWORD})
    assert response.headers["Location"] == "/instructor/"
    client.post("/auth/logout")

    register(client, "xuesheng")
    client.post("/auth/logout")
    assert login(client, "xuesheng").headers["Location"] == "/"
    assert client.get("/auth/register").headers["Location"] == "/"


# --- 4. register shows the password rules before a failed submit --------------------------

def test_register_shows_every_password_rule_under_the_field_before_any_submit(client) -> None:
    page = client.get("/auth/register").get_data(as_text=True)
    field = re.search(r'<input[^>]*id="password"[^>]*>', page).group(0)
    assert 'aria-describedby="password-hint"' in field and "aria-invalid" not in field
    hint = re.search(r'<small class="hint" id="password-hint">([^<]+)</small>', page).group(1)
    # each rule passwords.problem() enforces is told before it is broken
    assert passwords.problem("short") == f"密码至少 {passwords.MIN_LENGTH} 个字符"
    assert f"至少 {passwords.MIN_LENGTH} 个字符" in hint and f"最多 {passwords.MAX_LENGTH} 个" in hint
    assert passwords.problem("xiaoming2026", "xiaoming2026") == "密码不能与用户名相同"
    assert "不能与用户名相同" in hint
    assert "太常见" in passwords.problem("password123", "someone")
    assert "常见或容易猜到" in hint

    failed = client.post("/auth/register", data={"username": "xiaoming", "password": "short",
                                                  "confirm": "short"}).get_data(as_text=True)
    field = re.search(r'<input[^>]*id="password"[^>]*>', failed).group(0)
    assert 'aria-describedby="password-hint password-error"' in field and 'aria-invalid="true"' in field
    assert '<small class="error" id="password-error">密码至少 8 个字符</small>' in failed
    assert 'id="password-hint"' in failed                                    # the rules stay in view


def test_the_password_change_page_shows_the_same_rules(client) -> None:
    register(client)
    page = client.get("/auth/password").get_data(as_text=True)
    field = re.search(r'<input[^>]*id="password"[^>]*>', page).group(0)
    assert 'aria-describedby="password-hint"' in field
    assert f"至少 {passwords.MIN_LENGTH} 个字符" in page.split('id="password-hint"')[1].split("</small>")[0]


# --- 3. 智能复习 explained ------------------------------------------------------------------

def test_smart_review_count_is_split_and_explained_after_a_first_session(app, client, clock) -> None:
    register(client)
    set_id = int(start_mode(client, "random", "kp", "segmentation.standards").headers["Location"].rsplit("/", 1)[1])
    learnt = [answer_current(app, client, set_id, correct)[1].id for correct in (True, True, True, False)]
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<span class="count">4</span><small>今天到期</small>', home)
    assert re.search(r'新学回顾 4</span> · <span class="nowrap">到期复习 0', home)
    note = re.search(r'<p class="due-note" id="due-note-chapter8">([^<]+)</p>', home).group(1)
    assert "今天要复习的 4 道题中，4 道是新学的题" in note and "当天会再出现一次" in note
    assert "约 10 分钟后" in note                     # the scheduler's last learning step
    assert 'aria-describedby="due-note-chapter8"' in home
    progress = client.get("/progress/").get_data(as_text=True)
    assert re.search(r'<span class="bignum">4</span><small>今天待复习</small><small class="due-split">'
                     r'<span class="nowrap">新学回顾 4</span>', progress)

    # review the three right ones until they leave the learning steps; the wrong one stays new
    for _ in range(4):
        clock.advance(minutes=15)
        response = start_mode(client, "review")
        if "/practice/" not in response.headers["Location"]:
            break
        review = int(response.headers["Location"].rsplit("/", 1)[1])
        while client.get(f"/practice/{review}").status_code == 200:
            answer_current(app, client, review, True)
    clock.advance(days=3)
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<span class="count">4</span><small>今天到期</small>', home)
    assert re.search(r'新学回顾 0</span> · <span class="nowrap">到期复习 4', home)
    note = re.search(r'<p class="due-note" id="due-note-chapter8">([^<]+)</p>', home).group(1)
    assert "这 4 道题按记忆规律今天该复习了" in note and "新学" not in note
    assert len(learnt) == 4


def test_nothing_due_shows_no_split_and_no_note(app, client) -> None:
    register(client)
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<span class="count">0</span><small>今天到期</small>\s*</button>', home)
    assert "due-note" not in home and "新学回顾" not in home


# --- 2. one mastery indicator -----------------------------------------------------------

def seed_levels(app) -> int:
    """One knowledge point 掌握, one 熟练, one 入门, the other ten 未练习."""
    course = app.extensions["tutor_content"].catalog.course("chapter8")
    uid = student(app, "xiaohong")
    mastered = course.by_knowledge_point["survey.methods"]
    for q in mastered[: int(len(mastered) * 0.75) + 1]:
        answer(app, uid, q.id, correct=True, at=NOW - timedelta(days=1, hours=2))
        answer(app, uid, q.id, correct=True, at=NOW - timedelta(days=1, hours=1))
    practised = course.by_knowledge_point["segmentation.standards"]
    for i, q in enumerate(practised[: len(practised) // 2 + 1]):
        answer(app, uid, q.id, correct=i % 5 != 0, at=NOW - timedelta(days=2, minutes=i))
    for i, q in enumerate(course.by_knowledge_point["churn.causes"][:4]):
        answer(app, uid, q.id, correct=i == 0, at=NOW - timedelta(days=3, minutes=i))
    app.extensions["tutor_clock"] = Clock(NOW)
    return uid


def test_home_and_progress_show_the_same_mastery_indicator(app, client) -> None:
    seed_levels(app)
    login(client, "xiaohong")
    home = client.get("/").get_data(as_text=True)
    progress = client.get("/progress/").get_data(as_text=True)
    expected = [("掌握", 1), ("熟练", 1), ("入门", 1), ("未练习", 10)]
    assert levelcounts(home) == expected and levelcounts(progress) == expected
    # per knowledge point: the level word, in the same badge, on both pages
    rows = home.split('<ul class="kps">', 1)[1]
    methods = rows.split("客户调查的方法</a>")[1].split("</li>")[0]
    assert '<span class="level l3">掌握</span>' in methods and "练过 " in methods
    causes = rows.split("客户流失的原因</a>")[1].split("</li>")[0]
    assert '<span class="level l1">入门</span>' in causes
    table = progress.split("以表格查看")[1]
    assert re.search(r'客户调查的方法</td><td><span class="level l3">掌握</span>', table)
    assert re.search(r'客户流失的原因</td><td><span class="level l1">入门</span>', table)
    # 正确率 only as a labelled secondary figure, never as the per-point badge
    assert "正确率" not in "".join(home.split('<ul class="kps">')[1:])
    assert re.search(r"答题正确率 \d+%", home)
    assert 'class="badge' not in home


def test_a_new_student_sees_every_point_unpractised(client) -> None:
    register(client)
    home = client.get("/").get_data(as_text=True)
    assert levelcounts(home) == [("掌握", 0), ("熟练", 0), ("入门", 0), ("未练习", 13)]
    assert home.count('<span class="level l0">未练习</span>') == 13 + 1      # the rows and the summary
    assert "答题正确率" not in home                                     # no 0%/— before any answer


def css_vars() -> dict[str, str]:
    css = (ROOT / "tutor/static/progress.css").read_text(encoding="utf-8")
    return dict(re.findall(r"--(l\d-(?:bg|ink)):\s*(#[0-9a-fA-F]{3,6})", css))


def luminance(colour: str) -> float:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    channels = [int(colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def full(colour: str) -> str:
    colour = colour.lower().lstrip("#")
    return "#" + ("".join(c * 2 for c in colour) if len(colour) == 3 else colour)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_level_badges_have_contrast_and_beginning_does_not_look_like_failure() -> None:
    colours = css_vars()
    for level in range(4):
        bg, ink = colours[f"l{level}-bg"], colours[f"l{level}-ink"]
        assert contrast(bg, ink) >= 4.5, (level, bg, ink)
        # the charts draw the levels in the same colours as the badges
        assert charts.LEVEL_COLOURS[level].lower() == full(bg)
        assert charts.LEVEL_INKS[level].lower() == full(ink)
    def hue(colour: str) -> float:
        c = colour.lstrip("#")
        return 360 * colorsys.rgb_to_hsv(*(int(c[i:i + 2], 16) / 255 for i in (0, 2, 4)))[0]
    assert 180 <= hue(colours["l1-bg"]) <= 260            # 入门 is a blue, not the red of 错误 or the amber of a warning


# --- 1. charts ----------------------------------------------------------------------------

def test_chart_days_are_local_and_same_day_exams_are_told_apart(app, client) -> None:
    course = app.extensions["tutor_content"].catalog.course("chapter8")
    uid = student(app, "xiaohong")
    singles = [q.id for q in course.by_knowledge_point["segmentation.standards"] if q.type == "single"][:10]
    exam(app, uid, singles, right={0, 1, 2, 3, 4, 5, 6}, started=datetime(2026, 12, 1, 3, 0))     # 11:00 on 12月1日
    exam(app, uid, singles, right={0, 1, 2}, started=datetime(2026, 12, 1, 16, 30))    # 00:30 on 12月2日
    exam(app, uid, singles, right=set(range(9)), started=datetime(2026, 12, 1, 23, 0))  # 07:00 on 12月2日
    q = course.by_knowledge_point["churn.causes"][0]
    answer(app, uid, q.id, correct=True, at=datetime(2026, 12, 1, 17, 0))               # 01:00 on 12月2日
    app.extensions["tutor_clock"] = Clock(NOW)
    login(client, "xiaohong")
    page = client.get("/progress/").get_data(as_text=True)

    exams = page.split('aria-labelledby="exams-chapter8-t')[1].split("</svg>")[0]
    axis = re.findall(r'class="xlabel">([^<]+)</text>', exams)
    assert sorted(axis) == ["12月1日", "12月2日①", "12月2日②"]
    assert re.findall(r'class="value"[^>]*>(\d+)</text>', exams) == ["70", "30", "90"]   # in the order taken
    desc = re.search(r'<desc id="exams-chapter8-d">([^<]+)</desc>', exams).group(1)
    assert "12月2日 00:30（当天第 1 次）：30%（不及格）" in desc and "12月2日 07:00（当天第 2 次）：90%（及格）" in desc
    assert "及格" in re.findall(r'class="legend">([^<]+)</text>', exams)

    activity = page.split('aria-labelledby="activity-t')[1].split("</svg>")[0]
    assert re.findall(r'class="legend">([^<]+)</text>', activity) == ["每天答题数（左）", "正确率（右）"]
    # all 31 answers were on 12月1日 in UTC; in Shanghai two exams and the practice fell on 12月2日
    assert "<title>12月2日：答题 21</title>" in activity and "<title>12月1日：答题 10</title>" in activity
    table = page.split("<h2>最近 30 天</h2>", 1)[1]
    assert '<td>12月2日</td><td class="num">21</td>' in table and '<td>12月1日</td><td class="num">10</td>' in table


def test_charts_place_labels_inside_and_apart_on_their_canvas() -> None:
    """From the charts' own width estimate (the browser test measures the real boxes)."""
    def texts(svg: str) -> list[tuple[float, str, str, str]]:
        return [(float(x), anchor, cls, text) for x, anchor, cls, text in re.findall(
            r'<text x="([\d.]+)" y="[\d.]+" fill="[^"]+" text-anchor="(\w+)"(?: class="(\w+)")?[^>]*>([^<]+)</text>', svg)]

    def span(x: float, anchor: str, text: str) -> tuple[float, float]:
        w = charts.text_width(text)
        return {"start": (x, x + w), "middle": (x - w / 2, x + w / 2), "end": (x - w, x)}[anchor]

    papers = [(f"12月{d // 2 + 1}日{'①②'[d % 2]}", 30 + 2.5 * d, f"paper {d}") for d in range(25)]
    days = [(f"11月{d + 1}日", d % 7, (d % 5) / 4 if d % 7 else None) for d in range(30)]
    long = [("一个名字特别特别长的知识点需要换行才放得下", 40, 1), ("短", 100, 3), ("中等长度的知识点", 0, 0)]
    for svg in (charts.exam_line(papers, 60), charts.activity_bars(days), charts.mastery_bars(long)):
        boxes = [(span(x, anchor, text), cls, text) for x, anchor, cls, text in texts(str(svg))]
        for (left, right), _, text in boxes:
            assert left >= -0.5 and right <= charts.WIDTH + 0.5, text
        axis = sorted(box for box, cls, _ in boxes if cls == "xlabel")
        assert all(a[1] <= b[0] for a, b in zip(axis, axis[1:])), axis
    wrapped = str(charts.mastery_bars(long))
    lines = re.findall(r'class="ylabel">([^<]+)</text>', wrapped)
    assert len(lines) == 4 and lines[0] + lines[1] == long[0][0]      # two lines, nothing cut
    assert all(charts.text_width(line) <= charts.WIDTH / 2 for line in lines)
