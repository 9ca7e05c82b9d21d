"""The home page, 我的进度 and the account pages in Chromium: what a student sees on a phone.

Charts are measured, not just found: every label's box lies inside its chart, axis labels do not
overlap, chart text is at least 12 px at 360 px wide; on the home page every tap target is at
least 44x44 CSS px and no text is under 14 px; no page scrolls sideways. Screenshots of each page
at phone and laptop widths go to tests/artifacts/ (h3-*.png), and axe-core checks each page.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from conftest import Clock
from seeding import answer, exam, student
from test_browser import (VIEWPORTS, answer_whatever_is_shown, assert_accessible, browser, live_app,  # noqa: F401
                          login_in_browser, server, shoot)

pytestmark = pytest.mark.browser

NOW = datetime(2026, 12, 2, 2, 0)          # 10:00 in Shanghai
NARROW = {"width": 360, "height": 780}
# The narrowest phone and a laptop (the journey test walks these pages at 390 px too).
SIZES = {"narrow": NARROW, "laptop": VIEWPORTS["laptop"]}


@pytest.fixture(scope="module")
def clocked(live_app):  # noqa: F811
    live_app.extensions["tutor_clock"] = Clock(NOW)
    return live_app


def seed_history(app, name: str) -> tuple[int, list[str]]:
    """A student a week in: one point mastered, one practised well, two begun, three mock exams
    (two on one local day), and a first session on a point this morning. Returns what 智能复习
    its id and the exam scores in %."""
    course = app.extensions["tutor_content"].catalog.course("chapter8")
    uid = student(app, name)

    def twice(q, correct: bool, at: datetime) -> None:   # a right answer twice takes it out of the learning steps
        answer(app, uid, q.id, correct=correct, at=at)
        answer(app, uid, q.id, correct=correct, at=at + timedelta(minutes=15))

    mastered = course.by_knowledge_point["survey.methods"]
    for q in mastered[: int(len(mastered) * 0.75) + 1]:
        twice(q, True, NOW - timedelta(days=1, hours=3))                   # back in two days: not today
    practised = course.by_knowledge_point["segmentation.standards"]
    practised = practised[: len(practised) // 2]
    for i, q in enumerate(practised):
        if i % 6:
            twice(q, True, NOW - timedelta(days=1, hours=4))
        else:
            answer(app, uid, q.id, correct=False, at=NOW - timedelta(days=1, hours=4))   # again in a minute
    for i, q in enumerate(course.by_knowledge_point["churn.causes"][:6]):
        twice(q, i % 2 == 0, NOW - timedelta(days=9, minutes=i))           # right ones due 7 days ago
    for q in course.by_knowledge_point["overview.definition"][:8]:
        answer(app, uid, q.id, correct=True, at=NOW - timedelta(minutes=30))
    singles = [q.id for q in course.questions if q.type == "single"
               and q.knowledge_point in ("churn.loyalty_types", "churn.loyalty_methods")][:20]
    for days, hours, right in ((6, 0, 9), (2, 1, 11), (2, 5, 14)):
        exam(app, uid, singles, right=set(range(right)), started=NOW - timedelta(days=days, hours=hours))
    app.extensions["tutor_clock"] = Clock(NOW)    # exam() moved it
    scores = sorted(f"{100 * right / len(singles):.0f}" for _, _, right in ((6, 0, 9), (2, 1, 11), (2, 5, 14)))
    return uid, scores


def due_today(app, uid: int) -> tuple[int, int]:
    """Cards due by the end of the local day (Shanghai: 16:00 UTC): still in FSRS's learning
    steps (state 1), and the others."""
    from sqlalchemy import select

    from tutor.extensions import db
    from tutor.models import ReviewCard
    with app.app_context():
        states = db.session.scalars(select(ReviewCard.state).where(
            ReviewCard.user_id == uid, ReviewCard.due <= datetime(2026, 12, 2, 16, 0))).all()
    return states.count(1), len(states) - states.count(1)


def new_page(browser, size: str):  # noqa: F811
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN")
    return context, context.new_page()


def no_sideways_scroll(page, size: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= SIZES[size]["width"], f"the page is {width} px wide"


CHART_GEOMETRY = """() => [...document.querySelectorAll('svg.chart')].map(svg => {
  const box = svg.getBoundingClientRect();
  const scale = box.width / svg.viewBox.baseVal.width;
  const texts = [...svg.querySelectorAll('text')].map(t => {
    const r = t.getBoundingClientRect();
    return {text: t.textContent, cls: t.getAttribute('class') || '', left: r.left, right: r.right,
            top: r.top, bottom: r.bottom};
  });
  const bars = [...svg.querySelectorAll('rect')].map(r => r.getBoundingClientRect().left);
  return {title: svg.querySelector('title').textContent, left: box.left, right: box.right, top: box.top,
          bottom: box.bottom, scale, font: parseFloat(getComputedStyle(svg).fontSize), texts, bars,
          label: svg.getAttribute('aria-labelledby'), desc: svg.querySelector('desc').textContent};
})"""


def overlapping(boxes: list[dict]) -> list[tuple[str, str]]:
    return [(a["text"], b["text"]) for i, a in enumerate(boxes) for b in boxes[i + 1:]
            if a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]]


def check_charts(page) -> list[dict]:
    charts = page.evaluate(CHART_GEOMETRY)
    assert len(charts) == 3
    for chart in charts:
        assert chart["label"] and chart["desc"], chart["title"]            # a text alternative
        assert chart["font"] * chart["scale"] >= 12, (chart["title"], chart["scale"])
        for t in chart["texts"]:
            inside = (t["left"] >= chart["left"] - 0.5 and t["right"] <= chart["right"] + 0.5
                      and t["top"] >= chart["top"] - 0.5 and t["bottom"] <= chart["bottom"] + 0.5)
            assert inside, (chart["title"], t["text"], t, chart)
        for cls in ("xlabel", "legend"):
            labels = [t for t in chart["texts"] if cls in t["cls"]]
            assert not overlapping(labels), (chart["title"], overlapping(labels))
    return charts


@pytest.mark.parametrize("size", list(SIZES))
def test_progress_charts_fit_and_say_what_they_show(clocked, server, browser, size: str) -> None:  # noqa: F811
    _, scores = seed_history(clocked, f"{size}-进度")
    context, page = new_page(browser, size)
    login_in_browser(page, server, f"{size}-进度")
    page.goto(server + "/progress/")
    charts = {c["title"]: c for c in check_charts(page)}

    mastery = charts["各知识点掌握程度（0-100）"]
    names = [t["text"] for t in mastery["texts"] if "ylabel" in t["cls"]]
    assert "应对竞争流失的三种策略" in names and not any("…" in n for n in names)   # nothing cut short
    first_bar = min(mastery["bars"])
    assert all(t["right"] <= first_bar + 0.5 for t in mastery["texts"] if "ylabel" in t["cls"])

    activity = charts["最近 30 天的答题量与正确率"]
    legend = [t["text"] for t in activity["texts"] if "legend" in t["cls"]]
    assert legend == ["每天答题数（左）", "正确率（右）"]
    assert "100%" in [t["text"] for t in activity["texts"]]
    assert "12月2日" in [t["text"] for t in activity["texts"] if "xlabel" in t["cls"]]

    exams = charts["模拟考试得分（%）"]
    days = [t["text"] for t in exams["texts"] if "xlabel" in t["cls"]]
    assert "11月30日①" in days and "11月30日②" in days           # two papers on one local day
    assert sorted(t["text"] for t in exams["texts"] if "value" in t["cls"]) == scores

    levels = page.locator(".mastery-summary .levelcounts").inner_text().split()
    assert levels[:6] == ["掌握", "1", "个", "熟练", "1", "个"] and sum(map(int, levels[1::3])) == 13
    check_phone_layout(page, size)
    shoot(page, f"h3-{size}-progress")
    assert_accessible(page)
    for summary in page.locator("summary", has_text="以表格查看").all():
        summary.click()
    check_phone_layout(page, size)
    assert_accessible(page)
    context.close()


TAP_TARGETS = """() => [...document.querySelectorAll('main a.button, main button, main summary')]
  .filter(e => e.offsetParent !== null)
  .map(e => { const r = e.getBoundingClientRect(); return {text: e.innerText.trim(), w: r.width, h: r.height}; })"""

SMALL_TEXT = """() => {
  const small = [];
  for (const el of document.querySelectorAll('main *')) {
    if (el.closest('svg')) continue;
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || el.offsetParent === null) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 14) small.push([el.tagName, el.className, el.textContent.trim().slice(0, 20), size]);
  }
  return small;
}"""


def check_phone_layout(page, size: str) -> None:
    page.wait_for_load_state("load")          # after a click, the stylesheets may still be on their way
    no_sideways_scroll(page, size)
    if size == "laptop":
        return
    small_targets = [t for t in page.evaluate(TAP_TARGETS) if t["w"] < 44 or t["h"] < 44]
    assert small_targets == []
    assert page.evaluate(SMALL_TEXT) == []


@pytest.mark.parametrize("size", list(SIZES))
def test_home_for_a_new_student_and_one_with_history(clocked, server, browser, size: str) -> None:  # noqa: F811
    context, page = new_page(browser, size)
    page.goto(server + "/auth/register")
    hint = page.locator("#password-hint")
    assert hint.is_visible() and "至少 8 个字符" in hint.inner_text()
    assert page.get_by_label("密码", exact=True).get_attribute("aria-describedby") == "password-hint"
    check_phone_layout(page, size)
    shoot(page, f"h3-{size}-register")
    assert_accessible(page)
    page.get_by_label("用户名").fill(f"{size}-新同学")
    page.get_by_label("密码", exact=True).fill("short")
    page.get_by_label("确认密码").fill("short")
    page.get_by_role("button", name="注册并开始学习").click()
    assert page.locator("#password-error").inner_text() == "密码至少 8 个字符"
    assert page.get_by_label("密码", exact=True).get_attribute("aria-describedby") == "password-hint password-error"
    assert_accessible(page)

    from conftest import PASSWORD
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_role("button", name="注册并开始学习").click()
    assert page.get_by_text("注册成功").is_visible()
    assert page.locator(".levelcounts").inner_text().split()[-2:] == ["13", "个"]
    shoot(page, f"h3-{size}-home-new")
    check_phone_layout(page, size)
    assert_accessible(page)
    context.close()

    uid, _ = seed_history(clocked, f"{size}-老同学")
    new, due = due_today(clocked, uid)
    assert new >= 8 + 3 and due >= 3      # this morning's session, the wrong ones, the reviews of 9 days ago
    context, page = new_page(browser, size)
    page.goto(server + "/auth/login")
    check_phone_layout(page, size)
    shoot(page, f"h3-{size}-login")
    assert_accessible(page)
    login_in_browser(page, server, f"{size}-老同学")
    tile = page.locator(".hub form.tile button")
    assert tile.locator(".count").inner_text() == str(new + due)
    assert tile.locator(".due-split").inner_text() == f"新学回顾 {new} · 到期复习 {due}"
    note = page.locator(".due-note")
    assert f"今天要复习的 {new + due} 道题中，{new} 道是新学的题" in note.inner_text() and "当天会再出现一次" in note.inner_text()
    assert tile.get_attribute("aria-describedby") == note.get_attribute("id")
    levels = page.locator(".levelcounts").inner_text()
    assert levels.split()[:3] == ["掌握", "1", "个"]
    badges = page.locator(".kps .level").all_inner_texts()
    assert [badges.count(name) for name in ("掌握", "熟练", "入门", "未练习")] == [int(n) for n in levels.split()[1::3]]
    shoot(page, f"h3-{size}-home-history")
    check_phone_layout(page, size)
    assert_accessible(page)
    page.get_by_role("link", name="我的进度").click()
    assert page.locator(".levelcounts").inner_text() == levels          # the same indicator, the same figures
    assert page.locator(".stats .due-split").inner_text() == f"新学回顾 {new} · 到期复习 {due}"

    # a set left unfinished shows in the history with 继续; the page stays clean
    page.goto(server + "/")
    page.locator(".kps li", has_text="客户调查的内容").get_by_role("link", name="练习").click()
    page.get_by_role("button", name="随机练习").click()
    answer_whatever_is_shown(page)
    page.get_by_role("button", name="提交答案").click()
    page.get_by_role("link", name="我的进度").click()
    assert "已答 1/" in page.locator("ol.history li.unfinished").first.inner_text()
    shoot(page, f"h3-{size}-progress-unfinished")
    check_phone_layout(page, size)
    assert_accessible(page)
    context.close()
