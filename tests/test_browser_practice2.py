"""Issue 19 items 1, 2 and 4 in Chromium at phone (390×844) and laptop (1280×800) width: 简答题 of
one knowledge point chosen on the choose page, answered, the 答题卡 showing it, 上一题, 收藏
without a reload, the set finished, 本组错题重练, and the 错题本 filtered to its entry. Every
state is checked with axe-core and photographed to tests/artifacts/practice2-*.png."""
from __future__ import annotations

import re

import pytest

from test_browser import (ARTIFACTS, assert_accessible, browser, expect, live_app,  # noqa: F401
                          register_in_browser, server)

pytestmark = pytest.mark.browser

DEVICES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1280, "height": 800}}


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"practice2-{name}.png"), full_page=True)


def assert_target(locator, what: str) -> None:
    box = locator.bounding_box()
    assert box is not None and box["width"] >= 44 and box["height"] >= 44, (what, box)


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"


@pytest.mark.parametrize("device", list(DEVICES))
def test_short_answers_of_a_point_card_previous_star_retry_and_notebook(server: str, browser, live_app,
                                                                         device: str) -> None:
    course = live_app.extensions["tutor_content"].catalog.course("chapter8")
    shorts = [q for q in course.by_knowledge_point["survey.steps"] if q.type == "short"]
    assert len(shorts) >= 2
    context = browser.new_context(viewport=DEVICES[device], locale="zh-CN")
    page = context.new_page()
    register_in_browser(page, server, f"专项{device}")

    # 专项练习: the point's 题型 with their counts; 简答题 chosen
    page.goto(server + "/practice/choose?course=chapter8&scope=kp&id=survey.steps")
    page.get_by_role("link", name=re.compile(r"^简答题")).click()
    expect(page.locator("[data-count]")).to_have_text(f"简答题：共 {len(shorts)} 道题")
    assert_target(page.get_by_role("link", name=re.compile(r"^简答题")), "a 题型 row")
    assert_target(page.get_by_role("button", name=re.compile("直接练")).first, "直接练")
    no_sideways_scroll(page)
    shoot(page, f"{device}-choose")
    assert_accessible(page)
    page.get_by_role("button", name=re.compile("^随机练习")).click()
    expect(page.locator(".eyebrow").first).to_have_text("随机练习 · 客户调查的步骤 · 简答题")

    # the first one answered wrong: the card says so, in words as well as colour
    page.locator("form[data-answer-form] textarea").fill("不知道")
    page.get_by_role("button", name="提交答案").click()
    expect(page.locator(".verdict")).to_contain_text("回答错误")
    card = page.locator("details[data-card]")
    card.locator("summary").click()
    expect(card.locator(".qcell").first).to_have_attribute("data-cell", "wrong")
    expect(card.locator(".qcell").first).to_contain_text("题：答错（当前）")
    assert_target(card.locator(".qcell").nth(1), "a card cell")
    no_sideways_scroll(page)
    shoot(page, f"{device}-feedback-card")
    assert_accessible(page)

    # the second question: 上一题 goes back to the first one's feedback; the card stayed open
    page.get_by_role("link", name="下一题").click()
    expect(page.get_by_role("button", name="提交答案")).to_be_visible()
    expect(page.locator("details[data-card]")).to_have_attribute("open", "")
    second = next(q for q in shorts if q.stem[:12] in page.locator(".stem").inner_text())
    shoot(page, f"{device}-question-card")
    assert_accessible(page)
    page.get_by_role("link", name="上一题").click()
    expect(page.locator(".counter")).to_have_text(f"1 / {len(shorts)}")

    # ☆ 收藏 without a reload: a marker on the window survives the post
    page.evaluate("window.__stillHere = true")
    star = page.locator("button.starbtn")
    star.click()
    expect(star).to_have_text("★ 已收藏")
    assert page.evaluate("window.__stillHere === true")

    # the second one answered right, then the set's result
    page.get_by_role("link", name="下一题").click()
    page.locator("form[data-answer-form] textarea").fill(second.model_answer)
    page.get_by_role("button", name="提交答案").click()
    expect(page.locator(".verdict")).to_contain_text("回答正确")
    expect(page.locator("details[data-card] .qcell").nth(1)).to_have_attribute("data-cell", "right")
    page.get_by_role("link", name="查看本组结果").click()
    retry = page.get_by_role("button", name="本组错题重练")
    assert_target(retry, "本组错题重练")
    no_sideways_scroll(page)
    shoot(page, f"{device}-summary")
    assert_accessible(page)

    # 本组错题重练: exactly the one answered wrong
    retry.click()
    expect(page.locator(".eyebrow").first).to_have_text("本组错题重练")
    expect(page.locator(".counter")).to_have_text("1 / 1")
    assert second.stem[:12] not in page.locator(".stem").inner_text()

    # the 错题本 filtered to 简答题, its entry with the wrong answer and 解析
    page.goto(server + "/notebook")
    page.get_by_label("题型", exact=True).select_option("short")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"/notebook\?type=short"))
    entries = page.locator("li[data-entry]")
    expect(entries).to_have_count(1)
    assert_target(entries.first.get_by_role("button", name=re.compile("移出")), "移出")
    no_sideways_scroll(page)
    shoot(page, f"{device}-notebook")
    assert_accessible(page)
    entries.first.locator("a").click()
    expect(page.locator(".wronglog > li")).to_have_count(1)
    expect(page.locator(".wronglog [data-score]")).to_contain_text("得 0 /")
    expect(page.get_by_role("heading", name="解析")).to_be_visible()
    no_sideways_scroll(page)
    shoot(page, f"{device}-entry")
    assert_accessible(page)
    context.close()
