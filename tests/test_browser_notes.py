"""笔记 and 纠错 in Chromium, on a phone (390×844) and a laptop (1280×800): a student writes a note
and reports a problem under a question's feedback, without JavaScript needed (a <details> form);
an instructor replies from the 纠错 queue; the student sees the reply under the question and in
我的纠错. axe-core finds no violation; screenshots go to tests/artifacts/notes-*.png."""
from __future__ import annotations

import re

import pytest

from conftest import PASSWORD, make_user
from test_browser import answer_whatever_is_shown, assert_accessible, browser, live_app, server, shoot  # noqa: F401

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1280, "height": 800}}


def top(page) -> None:
    """Back to the top before a full-page screenshot: the header sticks, and would be drawn mid-page."""
    page.evaluate("window.scrollTo(0, 0)")


def fits(page, size: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"], "sideways scrolling"


@pytest.mark.parametrize("size", SIZES)
def test_note_report_reply(server: str, browser, live_app, size: str) -> None:  # noqa: F811
    make_user(live_app, f"纠错老师{size}", "admin")
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN")
    page = context.new_page()
    # signing up and in through the forms is tested elsewhere: here the pages of this feature
    assert page.request.post(server + "/auth/register", form={
        "username": f"笔记{size}", "password": PASSWORD, "confirm": PASSWORD}).ok
    started = page.request.post(server + "/practice/start",
                                form={"course": "chapter8", "scope": "kp", "id": "survey.methods"})
    assert started.ok
    page.goto(started.url)
    answer_whatever_is_shown(page)
    page.get_by_role("button", name="提交答案").click()
    # answered in place: the address becomes the feedback page's once its card is shown
    page.wait_for_url(re.compile(r"/practice/\d+/\d+$"))
    feedback = page.url

    note = page.get_by_label("我的笔记")
    note.fill("定性调研：问为什么；定量调研：问多少。")
    page.get_by_role("button", name="保存笔记").click()
    expect(page.get_by_text("笔记已保存")).to_be_visible()
    expect(page.get_by_label("我的笔记")).to_have_value("定性调研：问为什么；定量调研：问多少。")
    page.get_by_text("纠错：这道题有问题？").click()
    page.get_by_label("题干不清").check()
    page.get_by_label("具体说明").fill("题干里的“它”指的是哪一方？")
    fits(page, size)
    assert_accessible(page)
    top(page)
    shoot(page, f"notes-feedback-{size}")
    page.get_by_role("button", name="提交纠错").click()
    expect(page.get_by_text("纠错已提交")).to_be_visible()
    expect(page.locator("[data-notes] .myreport")).to_contain_text("待处理")

    teacher = context.browser.new_context(viewport=SIZES[size], locale="zh-CN").new_page()
    assert teacher.request.post(server + "/auth/login", form={"username": f"纠错老师{size}",
                                                             "password": PASSWORD}).ok
    teacher.goto(server + "/instructor/reports/")
    expect(teacher.get_by_role("link", name="纠错（")).to_be_visible()
    item = teacher.locator("li[data-report]", has_text="它")
    expect(item).to_contain_text("题干不清")
    expect(item.locator("[data-source]")).to_contain_text(".yaml:")
    fits(teacher, size)
    assert_accessible(teacher)
    shoot(teacher, f"notes-queue-{size}")
    item.get_by_label("回复（学生看得到）").fill("指买方，已在题干中写明，谢谢！")
    item.get_by_role("button", name="标记为已处理").click()
    expect(teacher.get_by_text("已标记为已处理")).to_be_visible()
    teacher.context.close()

    page.goto(feedback)
    expect(page.locator("[data-reply]")).to_contain_text("指买方")
    page.get_by_role("link", name="我的全部纠错").click()
    expect(page.get_by_role("heading", name="我的纠错")).to_be_visible()
    expect(page.locator("[data-reply]")).to_contain_text("指买方")
    fits(page, size)
    if size == "phone":         # the same markup at both widths: axe once keeps the file fast
        assert_accessible(page)
    shoot(page, f"notes-mine-{size}")
    context.close()
