"""The installable app in Chromium on a phone (390×844): the worker registers and controls the
page, a lesson read online opens again offline, any other page shows the offline page (axe-checked),
and an answer submitted offline is refused on the page with the answer kept, then reaches the
server exactly once when submitted again online. Screenshots go to tests/artifacts/pwa-*.png."""
from __future__ import annotations

import re

import pytest

from test_browser import (ARTIFACTS, answer_whatever_is_shown, assert_accessible, browser,  # noqa: F401
                          live_app, register_in_browser, server, shoot)

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

PHONE = {"width": 390, "height": 844}
LESSON = "/courses/chapter8/lessons/survey"
# What the student has put into the answer form: checked options, typed text, chosen items.
FORM_STATE = """() => Array.from(document.querySelectorAll('form[data-answer-form] :is(input, textarea, select)'))
  .filter(el => el.type !== 'hidden')
  .map(el => el.name + '=' + ((el.type === 'radio' || el.type === 'checkbox') ? el.checked : el.value))"""


def attempts_of(app, username: str) -> list[int | None]:
    """The delivery of every answer the user has stored, read from the database."""
    from tutor.extensions import db
    from tutor.models import Attempt, User
    with app.app_context():
        user_id = db.session.scalar(db.select(User.id).where(User.username == username))
        rows = list(db.session.scalars(db.select(Attempt.delivery_id).where(Attempt.user_id == user_id)))
        db.session.remove()
        return rows


def test_install_read_offline_and_answer_after_reconnecting(server: str, browser, live_app) -> None:  # noqa: F811
    context = browser.new_context(viewport=PHONE, locale="zh-CN")
    page = context.new_page()
    register_in_browser(page, server, "离线学员")
    expect(page.get_by_text("注册成功")).to_be_visible()

    # Installable: the manifest is linked and the worker controls the page after a reload.
    assert page.locator("link[rel=manifest]").get_attribute("href") == "/manifest.webmanifest"
    assert page.evaluate("navigator.serviceWorker.ready.then(r => r.active.scriptURL)") == server + "/sw.js"
    page.reload()
    assert page.evaluate("navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL") \
        == server + "/sw.js"

    # A lesson read online is kept (a copy fetched without cookies, once the page has shown).
    page.get_by_role("link", name="客户调查的方法").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    title = page.get_by_role("heading", level=1).inner_text()
    page.wait_for_function("url => caches.open('lessons-v1').then(c => c.match(url)).then(Boolean)",
                           arg=server + LESSON)
    stored = page.evaluate("url => caches.open('lessons-v1').then(c => c.match(url)).then(r => r.text())",
                           server + LESSON)
    assert "离线学员" not in stored and "csrf_token" not in stored and "退出" not in stored

    # A practice set: one question answered online.
    page.locator("section#survey\\.methods").get_by_role("link", name="练习这个知识点").click()
    page.get_by_role("button", name=re.compile("^随机练习")).click()
    answer_whatever_is_shown(page)
    page.get_by_role("button", name="提交答案").click()
    expect(page.get_by_role("heading", name="解析")).to_be_visible()
    assert len(attempts_of(live_app, "离线学员")) == 1
    page.get_by_role("link", name="下一题").click()
    expect(page.locator(".counter")).to_have_text("2 / 10")
    page.wait_for_load_state("load")

    # The connection drops: the answer is refused on the page, and kept there.
    answer_whatever_is_shown(page)
    chosen = page.evaluate(FORM_STATE)
    question_url = page.url
    context.set_offline(True)
    page.get_by_role("button", name="提交答案").click()
    alert = page.locator("form[data-answer-form] [data-offline-status]")
    expect(alert).to_have_text("网络已断开，答案还没有提交，恢复连接后再点提交。")
    expect(page.locator("[data-offline-note]")).to_contain_text("网络已断开")
    assert page.url == question_url and page.evaluate(FORM_STATE) == chosen
    assert len(attempts_of(live_app, "离线学员")) == 1
    shoot(page, "pwa-offline-answer")

    # Offline, in another tab: the lesson opens from the phone's copy; any other page is the offline page.
    other = context.new_page()
    other.goto(server + LESSON)
    expect(other.get_by_role("heading", level=1)).to_have_text(title)
    expect(other.locator("[data-offline-note]")).to_contain_text("打开过的课文可以继续阅读")
    other.screenshot(path=str(ARTIFACTS / "pwa-offline-lesson.png"))     # the top: the lesson is long
    other.goto(server + "/progress/")
    expect(other.get_by_role("heading", name="网络已断开")).to_be_visible()
    expect(other.get_by_role("link", name=title)).to_have_attribute("href", LESSON)
    expect(other.locator("[data-no-lessons]")).to_be_hidden()
    assert other.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(other)
    shoot(other, "pwa-offline-page")
    other.get_by_role("link", name=title).click()
    expect(other.get_by_role("heading", level=1)).to_have_text(title)
    other.close()

    # Back online: the page says so, the same answer is submitted again and stored once.
    context.set_offline(False)
    expect(alert).to_contain_text("网络已恢复")
    expect(page.locator("[data-offline-note]")).to_have_count(0)
    assert page.evaluate(FORM_STATE) == chosen
    page.get_by_role("button", name="提交答案").click()
    expect(page.get_by_role("heading", name="解析")).to_be_visible()
    expect(page.locator(".counter")).to_have_text("2 / 10")
    deliveries = attempts_of(live_app, "离线学员")
    assert len(deliveries) == 2 and len(set(deliveries)) == 2
    shoot(page, "pwa-feedback-after-reconnect")
    context.close()
