"""Every page that shows a stem shows it through its type's renderer: a fill question's blanks
read （1）＿＿＿, and the raw `{{1}}` placeholder is on no page — practice, the review, 错题本,
收藏, the set summary, a mock exam and its result, and the instructor's 题目分析 and preview.

The content is the real chapter8 bank, copied with one extra exam blueprint that draws fill
questions (the course's own mock exam has none)."""
from __future__ import annotations

import shutil
from datetime import datetime, timedelta

import pytest

from tutor.extensions import db

from conftest import CONTENT, make_app, make_instructor
from test_browser import (ARTIFACTS, VIEWPORTS, browser, expect, login_in_browser, register_in_browser,  # noqa: F401
                          server, shoot)

pytestmark = pytest.mark.browser

FILL_EXAM = """
  - id: fills
    title: 填空题专项模拟
    duration_minutes: 20
    parts:
      - {type: fill, count: 3, points: 2}
"""


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory):
    content = tmp_path_factory.mktemp("content")
    shutil.copytree(CONTENT / "chapter8", content / "chapter8")
    course = content / "chapter8" / "course.yaml"
    text = course.read_text(encoding="utf-8")
    assert text.rstrip().endswith("{type: truefalse, count: 10, points: 1}")   # exams: is the last key
    course.write_text(text.rstrip() + "\n" + FILL_EXAM, encoding="utf-8")
    return make_app(tmp_path_factory.mktemp("live"), TUTOR_CONTENT_DIR=str(content))


def no_placeholder(page, where: str) -> None:
    html = page.content()
    assert "{{" not in html and "}}" not in html, where


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_no_page_shows_a_raw_blank_placeholder(server: str, browser, live_app, device: str) -> None:  # noqa: F811
    from sqlalchemy import select

    from tutor.models import Favourite, User

    course = live_app.extensions["tutor_content"].catalog.course("chapter8")
    fills = [q for q in course.questions if q.type == "fill"][:2]
    assert all("{{1}}" in q.stem for q in fills)
    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    student = f"填空{device}"
    register_in_browser(page, server, student)
    with live_app.app_context():   # two fill questions starred beforehand, to practise them as a set
        user = db.session.scalar(select(User).where(User.username == student))
        for offset, q in enumerate(reversed(fills)):
            db.session.add(Favourite(user_id=user.id, course_id="chapter8", question_id=q.id,
                                     created_at=datetime(2026, 1, 1) + timedelta(minutes=offset)))
        db.session.commit()

    page.goto(server + "/favourites")
    page.get_by_role("button", name="练习收藏的题").click()
    for number in (1, 2):
        expect_stem = page.locator("h1.stem").inner_text()
        assert "＿＿＿" in expect_stem and "（1）" in expect_stem
        no_placeholder(page, "practice question")
        if number == 1:
            shoot(page, f"{device}-stems-question")
        for field in page.locator("form[data-answer-form] input[type=text]").all():
            field.fill("不知道")
        page.get_by_role("button", name="提交答案").click()
        assert page.locator(".verdict").inner_text().startswith("✗")
        no_placeholder(page, "feedback")
        if number == 1:
            shoot(page, f"{device}-stems-feedback")
            page.get_by_role("button", name="已收藏").click()     # unstar, then star again: 收藏 by hand
            page.get_by_role("button", name="收藏").click()
            page.get_by_role("link", name="下一题").click()
    page.get_by_role("link", name="查看本组结果").click()
    no_placeholder(page, "set summary")
    assert page.locator("main").get_by_text("（1）＿＿＿").count() >= 1
    shoot(page, f"{device}-stems-summary")

    for url, name in (("/notebook", "notebook"), ("/favourites", "favourites")):
        page.goto(server + url)
        no_placeholder(page, name)
        assert page.locator("main").get_by_text("（1）＿＿＿").count() >= 1, name
        shoot(page, f"{device}-stems-{name}")

    page.goto(server + "/exams/")
    page.locator("form:has(input[name=blueprint][value=fills]) button").click()
    for number in (1, 2, 3):
        expect_text = page.locator(".examhead").inner_text()
        assert f"第 {number} / 3 题" in expect_text
        no_placeholder(page, "exam item")
        for field in page.locator("#examform input[type=text]").all():
            field.fill("不知道")
        page.get_by_role("button", name="保存并下一题" if number < 3 else "保存并检查").click()
    page.get_by_role("button", name="确认交卷").click()
    expect(page.locator("section.review")).to_have_count(3)
    no_placeholder(page, "exam result")
    assert page.locator("main").get_by_text("（1）＿＿＿").count() >= 3
    shoot(page, f"{device}-stems-exam-result")
    context.close()

    teacher = f"教师{device}"
    make_instructor(live_app, teacher)
    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    login_in_browser(page, server, teacher)
    page.goto(server + "/instructor/items?course=chapter8&type=fill")      # one page: fewer than 50
    no_placeholder(page, "item analysis")
    assert page.locator("main").get_by_text("（1）＿＿＿").count() >= len(fills)
    page.locator("main").get_by_text("（1）＿＿＿").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"{device}-stems-items.png"))
    page.goto(server + f"/instructor/questions/chapter8/{fills[0].id}")
    no_placeholder(page, "preview")
    context.close()
