"""搜索 in Chromium on a phone (390×844) and a laptop (1280×800): the 搜索 link in the header, the
box at the top of the search page, 课文 and 题目 results with the matched words marked, a question
opened in place in 背题 style, an anonymous visitor's lesson-only results. axe-core finds no
violation; screenshots go to tests/artifacts/search-*.png."""
from __future__ import annotations

import pytest

from test_browser import assert_accessible, browser, live_app, register_in_browser, server, shoot  # noqa: F401

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1280, "height": 800}}


def fits(page, size: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]


@pytest.mark.parametrize("size", SIZES)
def test_search_lessons_and_questions(server: str, browser, size: str) -> None:  # noqa: F811
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN")
    page = context.new_page()
    page.goto(server + "/")
    page.get_by_role("link", name="搜索", exact=True).click()
    box = page.get_by_role("searchbox", name="搜索词")
    expect(box).to_be_focused()
    shoot(page, f"search-empty-{size}")     # the same box and header as the pages checked below

    box.fill("信赖忠诚")
    box.press("Enter")
    lessons = page.locator("section.searchgroup").first
    expect(lessons.get_by_role("link", name="客户忠诚的种类")).to_be_visible()
    expect(lessons.locator("mark").first).to_have_text("信赖忠诚")
    expect(page.get_by_text("后可以搜索题目")).to_be_visible()
    fits(page, size)
    assert_accessible(page)
    shoot(page, f"search-anonymous-{size}")

    register_in_browser(page, server, f"搜索{size}")
    page.goto(server + "/search?q=" + "焦点人群法")
    questions = page.locator("#questions")
    first = questions.locator("details").first
    expect(first.locator("summary mark").first).to_have_text("焦点人群法")
    first.locator("summary").click()
    expect(first.get_by_role("heading", name="答案")).to_be_visible()
    expect(first.get_by_role("heading", name="解析")).to_be_visible()
    fits(page, size)
    assert_accessible(page)
    shoot(page, f"search-results-{size}")

    first.get_by_role("link", name="单独打开这道题").click()
    expect(page.get_by_role("heading", name="解析")).to_be_visible()
    fits(page, size)
    assert_accessible(page)
    shoot(page, f"search-question-{size}")
    page.get_by_role("link", name="← 返回搜索结果").click()
    expect(page.get_by_role("searchbox", name="搜索词")).to_have_value("焦点人群法")

    lesson = page.locator("section.searchgroup").first.locator("a.hittitle").first
    lesson.click()
    assert page.url.endswith("#survey.methods")
    context.close()
