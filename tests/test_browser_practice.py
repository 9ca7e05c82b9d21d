"""Issue 16 in a real browser, at phone and laptop widths: starring keeps the chosen option, the
feedback's options keep letter and text on one line, tap targets of 44 px, paging through a set,
继续上次练习, the 错题本 with 未作答 and its entry page, and a case's material panel.
Every page state is checked with axe-core and photographed to tests/artifacts/."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from tutor.extensions import db
from tutor.models import Favourite, User

from test_browser import (VIEWPORTS, assert_accessible, browser, expect, live_app, register_in_browser,  # noqa: F401
                          server, shoot)

pytestmark = pytest.mark.browser


def new_page(browser, device: str, **options):
    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN", **options)
    return context, context.new_page()


def assert_target(locator, what: str) -> None:
    """At least 44 × 44 CSS px to tap."""
    box = locator.bounding_box()
    assert box is not None, what
    assert box["width"] >= 44 and box["height"] >= 44, (what, box)


def assert_accessible_within(page, selector: str) -> None:
    """axe-core finds nothing in one part of a page (the home page's other parts are another area's)."""
    from axe_playwright_python.sync_playwright import Axe
    violations = Axe().run(page, context=selector).response["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


def shoot_screen(page, name: str) -> None:
    """What the first screen shows (a long page's full shot is too tall to look at)."""
    from test_browser import ARTIFACTS
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-screen.png"))


def set_id_in(url: str) -> int:
    return int(re.search(r"/practice/(\d+)", url).group(1))


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_star_keeps_the_choice_then_feedback_paging_and_resume(server: str, browser, device: str) -> None:
    context, page = new_page(browser, device)
    register_in_browser(page, server, f"收藏{device}")
    page.goto(server + "/practice/choose?course=chapter8&scope=kp&id=survey.methods")
    assert "按题库顺序从第 1 题开始" in page.get_by_role("button", name=re.compile("顺序练习")).inner_text()
    page.get_by_role("button", name=re.compile("顺序练习")).click()
    set_id = set_id_in(page.url)
    page.wait_for_load_state("load")

    options = page.locator("form[data-answer-form] label.option")
    for i in range(options.count()):
        assert_target(options.nth(i), "an option label")
    radio = options.nth(1).locator("input")
    assert radio.bounding_box()["width"] >= 20, "the radio or checkbox itself is visibly larger"
    options.nth(1).click()
    expect(radio).to_be_checked()

    # ☆ 收藏 in place: no reload (a marker set on the window survives), the choice stays
    page.evaluate("window.__stillHere = true")
    star = page.locator("button.starbtn")
    assert_target(star, "the star")
    expect(star).to_have_attribute("aria-pressed", "false")
    star.click()
    expect(star).to_have_text("★ 已收藏")
    expect(star).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-star-status]")).to_have_text("已收藏")
    assert page.evaluate("window.__stillHere === true")
    expect(radio).to_be_checked()
    shoot(page, f"{device}-practice-starred")
    assert_accessible(page)
    star.click()
    expect(star).to_have_text("☆ 收藏")
    expect(page.locator("[data-star-status]")).to_have_text("已取消收藏")
    star.click()
    expect(star).to_have_text("★ 已收藏")
    expect(radio).to_be_checked()

    page.get_by_role("button", name="提交答案").click()
    expect(page.locator(".verdict")).to_be_visible()
    # the review's options: letter and text on one line, the tags below the text on a phone
    for option in page.locator(".option.shown").all():
        letter, text = option.locator(".letter").bounding_box(), option.locator("span").nth(1).bounding_box()
        assert abs(letter["y"] - text["y"]) < 6, "letter and text share the first line"
        tags = option.locator(".optiontags")
        if tags.count():
            box = tags.bounding_box()
            if device == "phone":
                assert box["y"] >= text["y"] + text["height"] - 2, "tags wrap below the text"
            assert box["x"] >= text["x"] - 1
    assert_target(page.locator(".lessonlink a"), "复习课文")
    assert_target(page.get_by_role("link", name="下一题"), "下一题")
    assert page.get_by_role("link", name="上一题").count() == 0
    expect(page.locator("button.starbtn")).to_have_text("★ 已收藏")
    shoot(page, f"{device}-practice-feedback")
    assert_accessible(page)

    page.get_by_role("link", name="下一题").click()
    options.first.click()
    page.get_by_role("button", name="提交答案").click()
    expect(page.locator(".verdict")).to_be_visible()
    page.get_by_role("link", name="上一题").click()       # back to the first question's 解析
    expect(page.locator(".counter")).to_have_text("1 / 10")
    expect(page.get_by_role("heading", name="解析")).to_be_visible()
    shoot(page, f"{device}-practice-feedback-previous")
    page.get_by_role("link", name="下一题").click()
    expect(page.locator(".counter")).to_have_text("2 / 10")
    page.get_by_role("link", name="下一题").click()
    expect(page.get_by_role("button", name="提交答案")).to_be_visible()
    expect(page.locator(".counter")).to_have_text("3 / 10")

    # the student leaves: the home page offers to resume, the set's page says how far it got
    page.goto(server + "/")
    card = page.locator("section.resume")
    expect(card.get_by_role("heading", name="继续上次练习")).to_be_visible()
    expect(card).to_contain_text("顺序练习 · 客户调查的方法")
    expect(card).to_contain_text("已答 2/10")
    assert_target(card.get_by_role("link", name="继续"), "继续")
    shoot(page, f"{device}-home-resume")
    assert_accessible_within(page, "section.resume")
    page.goto(server + f"/practice/{set_id}/summary")
    expect(page.get_by_role("heading", name="本组练习进行中")).to_be_visible()
    expect(page.locator("[data-set-progress]")).to_have_text("已答 2/10")
    for link in page.locator(".setresults li > a").all():
        assert_target(link, "a set summary row")
    shoot(page, f"{device}-set-summary-unfinished")
    assert_accessible(page)
    page.get_by_role("link", name="继续").click()
    expect(page.locator(".counter")).to_have_text("3 / 10")
    page.goto(server + "/progress/")
    expect(page.locator("ol.history li.unfinished")).to_contain_text("已答 2/10 · 继续")
    page.goto(server + "/practice/choose?course=chapter8&scope=kp&id=survey.methods")
    expect(page.get_by_role("button", name=re.compile("顺序练习"))).to_contain_text("继续第 3 题")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[device]["width"]
    context.close()


def test_star_without_javascript_posts_and_comes_back(server: str, browser) -> None:
    context, page = new_page(browser, "phone", java_script_enabled=False)
    register_in_browser(page, server, "无脚本")
    page.goto(server + "/practice/choose?course=chapter8&scope=kp&id=churn.causes")
    page.get_by_role("button", name=re.compile("随机练习")).click()
    question_url = page.url
    page.locator("button.starbtn").click()
    assert page.url == question_url
    expect(page.locator("button.starbtn")).to_have_text("★ 已收藏")
    expect(page.locator(".flash")).to_have_text("已收藏")
    context.close()


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_notebook_unanswered_tag_filters_and_entry_page(server: str, browser, device: str) -> None:
    context, page = new_page(browser, device)
    register_in_browser(page, server, f"错题{device}")
    page.goto(server + "/practice/choose?course=chapter8&scope=kp&id=survey.steps")
    page.get_by_role("button", name=re.compile("顺序练习")).click()
    page.locator("form[data-answer-form]").wait_for()
    from test_browser import answer_whatever_is_shown
    for _ in range(10):       # until one answer is wrong (the first option of each question)
        answer_whatever_is_shown(page)
        page.get_by_role("button", name="提交答案").click()
        expect(page.locator(".verdict")).to_be_visible()
        if not page.locator(".verdict").inner_text().startswith("✓"):
            break
        page.get_by_role("link", name="下一题").click()
    # a mock exam handed in blank
    page.goto(server + "/exams/")
    page.get_by_role("button", name="开始考试").first.click()
    paper = re.search(r"/exams/(\d+)", page.url).group(1)
    page.goto(server + f"/exams/{paper}/submit")
    page.get_by_role("button", name="确认交卷").click()
    expect(page.locator("h1")).to_be_visible()

    page.goto(server + "/notebook")
    rows = page.locator("ul.notebook li")
    blank = page.locator("ul.notebook li", has=page.locator(".blanktag"))
    assert blank.count() >= 38 and rows.count() >= blank.count()
    assert page.locator("ul.notebook li.bad").count() == 0
    colour = blank.first.locator("a").evaluate("a => getComputedStyle(a.querySelector('.blanktag')).color")
    assert colour != "rgb(197, 34, 31)", "未作答 is not shown in the mistake red"
    for link in page.locator(".filters a").all():
        assert_target(link, "a filter")
    assert_target(rows.first.locator("a"), "a notebook row")
    shoot(page, f"{device}-notebook")
    page.locator("ul.notebook").scroll_into_view_if_needed()
    shoot_screen(page, f"{device}-notebook")
    assert_accessible(page)
    page.get_by_role("link", name="未作答", exact=True).click()
    assert "show=blank" in page.url
    assert page.locator("ul.notebook li").count() == blank.count()
    expect(page.locator('.filters a[aria-current="page"]')).to_have_text("未作答")
    shoot(page, f"{device}-notebook-unanswered")
    page.get_by_role("link", name="答错", exact=True).click()
    wrong_rows = page.locator("ul.notebook li")
    assert wrong_rows.count() >= 1 and page.locator(".blanktag").count() == 0
    expect(wrong_rows.first).to_contain_text("错 1 次")

    wrong_rows.first.locator("a").click()
    expect(page.get_by_role("heading", name="你的作答记录")).to_be_visible()
    expect(page.locator(".wronglog time").first).to_contain_text("月")
    page.locator(".wronglog summary").first.click()
    expect(page.get_by_role("heading", name="正确答案")).to_be_visible()
    assert_target(page.get_by_role("button", name="移出错题本"), "移出错题本")
    shoot(page, f"{device}-notebook-entry")
    shoot_screen(page, f"{device}-notebook-entry")
    assert_accessible(page)
    before = len(page.context.pages)
    page.get_by_role("button", name="移出错题本").click()
    expect(page.locator(".flash")).to_have_text("已移出错题本")
    assert len(page.context.pages) == before
    context.close()


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_case_material_is_a_labelled_panel_that_stays_in_reach(server: str, browser, live_app, device: str) -> None:
    context, page = new_page(browser, device)
    name = f"案例{device}"
    register_in_browser(page, server, name)
    course = live_app.extensions["tutor_content"].catalog.course("chapter8")
    case = max((q for q in course.questions if q.type == "case"), key=lambda q: len(q.questions))
    with live_app.app_context():
        user = db.session.scalar(select(User).where(User.username == name))
        db.session.add(Favourite(user_id=user.id, course_id="chapter8", question_id=case.id,
                                 created_at=datetime(2026, 1, 1) + timedelta(minutes=1)))
        db.session.commit()
    page.goto(server + "/favourites")
    page.get_by_role("button", name="练习收藏的题").click()
    material = page.locator("details.material")
    expect(material.locator("summary")).to_have_text("案例材料")
    expect(material.get_by_role("heading", level=1)).to_be_visible()
    assert material.get_attribute("open") is not None
    background = material.evaluate("m => getComputedStyle(m).backgroundColor")
    assert background != page.locator("section.question").evaluate("s => getComputedStyle(s).backgroundColor")
    assert_target(material.locator("summary"), "the material's toggle")
    shoot(page, f"{device}-case-question")
    shoot_screen(page, f"{device}-case-question")
    assert_accessible(page)

    last = page.locator(".subq").last
    last.scroll_into_view_if_needed()
    last.locator("input, select, textarea").first.scroll_into_view_if_needed()
    if device == "phone":     # the panel stays at the top of the screen while the student answers
        box = material.bounding_box()
        assert -1 <= box["y"] <= 5, box
        shoot_screen(page, f"{device}-case-answering")
        material.locator("summary").click()        # folded away: a bar that is still there
        assert material.get_attribute("open") is None
        box = material.bounding_box()
        assert -1 <= box["y"] <= 5 and box["height"] <= 72, box
        material.locator("summary").click()
        assert material.get_attribute("open") is not None
        assert_accessible(page)
    context.close()
