"""The mock exam in Chromium: focused exam mode and its leave warning, the buttons' order, the
答题卡, the 交卷 confirmation and a readable result (issue 16: a real student's first hour).

Screenshots go to tests/artifacts/exam-*.png at phone and laptop widths."""
from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from tutor.extensions import db
from tutor.models import ExamPaper

from conftest import answer_form, make_instructor
from test_browser import (ARTIFACTS, VIEWPORTS, assert_accessible, browser, expect, live_app, login_in_browser,  # noqa: F401
                          on_item, register_in_browser, server, shoot)

pytestmark = pytest.mark.browser


def start_paper(page, server: str, name: str) -> int:
    register_in_browser(page, server, name)
    page.goto(server + "/exams/")
    page.get_by_role("button", name="开始考试").first.click()
    on_item(page, "第 1 / 40 题")
    return int(re.search(r"/exams/(\d+)", page.url).group(1))


def items_of(live_app, paper_id: int) -> list[dict]:
    with live_app.app_context():
        return db.session.scalar(select(ExamPaper).where(ExamPaper.id == paper_id)).items


def save_through(page, server: str, live_app, paper_id: int, answers: dict[int, bool | None],
                 flagged: frozenset[int] = frozenset()) -> None:
    """Save answers as the exam form would, with the page's own session (right, wrong, None: blank)."""
    course = live_app.extensions["tutor_content"].catalog.course("chapter8")
    items = items_of(live_app, paper_id)
    for index, right in answers.items():
        q = course.by_id[items[index]["question_id"]]
        form = {"item": str(index), "go": "next"}
        if right is not None:
            form.update(answer_form(q, items[index]["layout"], right))
        if index in flagged:
            form["flag"] = "1"
        data = [(k, v) for k, values in form.items() for v in (values if isinstance(values, list) else [values])]
        response = page.request.post(f"{server}/exams/{paper_id}/answer", data=urlencode(data), max_redirects=0,
                                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert response.status == 302, response.text()


def test_focused_exam_mode_asks_before_leaving_but_not_for_its_own_navigation(server: str, browser, live_app) -> None:
    context = browser.new_context(viewport=VIEWPORTS["laptop"], locale="zh-CN")
    page = context.new_page()
    paper_id = start_paper(page, server, "专注考生")
    # the site's nav (and 退出) gives way to the paper's own header
    assert page.locator("nav[aria-label=网站导航]").count() == 0
    assert page.get_by_role("button", name="退出").count() == 0
    assert page.get_by_role("link", name="模拟考试").count() == 0
    header = page.locator("header.examsite")
    expect(header).to_contain_text("第八章模拟考试")
    expect(header.locator("#clock")).to_be_visible()
    expect(header.get_by_role("button", name="交卷")).to_be_visible()

    dialogs: list[str] = []

    def dismiss(dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()
    page.on("dialog", dismiss)

    # the exam's own navigation never asks: save and next, the 答题卡, 上一题, Enter in a text field
    page.locator("#examform label.option").first.click()          # a user gesture: the page may now ask
    page.get_by_role("button", name="保存并下一题").click()
    on_item(page, "第 2 / 40 题")
    page.locator("#examform label.option").first.click()
    page.locator(".sheet button.cell").nth(4).click()
    on_item(page, "第 5 / 40 题")
    page.locator("#examform label.option").first.click()
    page.get_by_role("button", name="上一题").click()
    on_item(page, "第 4 / 40 题")
    # Enter in a text field submits with the form's default button: save and next, never 交卷
    page.evaluate("""() => { const f = document.createElement('input'); f.type = 'text'; f.name = 'note';
                             f.setAttribute('aria-label', '备注'); document.getElementById('examform').prepend(f); }""")
    page.get_by_label("备注").press("Enter")
    on_item(page, "第 5 / 40 题")
    assert dialogs == []

    # leaving some other way asks first; dismissing keeps the student on the paper
    page.locator("#examform label.option").first.click()
    page.evaluate("() => { location.href = '/'; }")
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    assert f"/exams/{paper_id}" in page.url
    on_item(page, "第 5 / 40 题")

    # 交卷 in the header saves the answer on screen and opens the confirmation, without asking
    page.get_by_role("button", name="交卷").click()
    expect(page.get_by_role("heading", name="确认交卷？")).to_be_visible()
    assert page.locator("nav[aria-label=网站导航]").count() == 0
    confirm_cells = page.locator(".sheet a.cell")
    assert "answered" in confirm_cells.nth(4).get_attribute("class")    # saved by 交卷
    page.locator("a.chip", has_text="第3题").first.click()              # back to an unanswered one
    on_item(page, "第 3 / 40 题")
    page.get_by_role("button", name="交卷").click()
    page.get_by_role("button", name="确认交卷").click()
    expect(page.get_by_role("heading", level=1, name="第八章模拟考试")).to_be_visible()
    assert dialogs == ["beforeunload"]
    # the result page is no exam page: the site's nav is back, and leaving asks nothing
    assert page.locator("nav[aria-label=网站导航]").count() == 1
    page.locator("main").click(position={"x": 5, "y": 5})
    page.get_by_role("link", name="我的进度").click()
    expect(page).to_have_url(re.compile("/progress"))
    assert dialogs == ["beforeunload"]
    context.close()


def test_closing_an_open_paper_asks(server: str, browser) -> None:
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="zh-CN")
    page = context.new_page()
    start_paper(page, server, "关页考生")
    seen: list[str] = []
    page.on("dialog", lambda dialog: (seen.append(dialog.type), dialog.accept()))
    page.locator("#examform label.option").first.click()
    with page.expect_event("close"):          # closing does not wait for the page to go
        page.close(run_before_unload=True)
    assert seen == ["beforeunload"]
    context.close()


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_exam_page_buttons_and_answer_sheet(server: str, browser, live_app, device: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    paper_id = start_paper(page, server, f"{device}-答题卡")
    save_through(page, server, live_app, paper_id, {0: True, 1: False, 2: True, 7: None, 21: True},
                 flagged=frozenset({2, 7}))
    page.goto(f"{server}/exams/{paper_id}?i=2")
    on_item(page, "第 3 / 40 题")

    # 上一题 on the left of 保存并下一题, side by side on the phone too, both at least 44 px tall
    prev = page.get_by_role("button", name="上一题").bounding_box()
    nxt = page.get_by_role("button", name="保存并下一题").bounding_box()
    assert prev["x"] + prev["width"] <= nxt["x"]
    assert abs(prev["y"] - nxt["y"]) < 2
    assert prev["height"] >= 44 and nxt["height"] >= 44
    shoot(page, f"exam-{device}-item")
    assert_accessible(page)

    sheet = page.locator("nav.sheet")
    expect(sheet.get_by_role("heading", name="答题卡", exact=True)).to_be_visible()
    parts = sheet.locator("h3")
    assert [re.sub(r"\s+", " ", t) for t in parts.all_inner_texts()] == [
        "单选题 共 20 题 · 已答 3", "多选题 共 10 题 · 已答 1", "判断题 共 10 题 · 已答 0"]
    cells = sheet.locator("button.cell")
    expect(cells).to_have_count(40)
    assert sheet.locator(".sheet-part").nth(1).locator("button.cell").first.inner_text().strip() == "21"
    for box in (cells.nth(i).bounding_box() for i in range(40)):
        assert box["width"] >= 44 and box["height"] >= 44, box
    # answered, unanswered and current differ by more than colour: border style, tick, frame
    answered, blank, current = cells.nth(0), cells.nth(5), cells.nth(2)
    style = lambda cell, prop: cell.evaluate(f"c => getComputedStyle(c).{prop}")   # noqa: E731
    assert style(blank, "borderTopStyle") == "dashed" and style(answered, "borderTopStyle") == "solid"
    assert answered.evaluate("c => getComputedStyle(c, '::after').content") == '"✓"'
    assert blank.evaluate("c => getComputedStyle(c, '::after').content") in ("none", "normal")
    assert current.get_attribute("aria-current") == "step" and style(current, "outlineStyle") == "solid"
    assert "已答" in answered.get_attribute("aria-label") and "未答" in blank.get_attribute("aria-label")
    # 标记: a flag icon, and the words for screen readers
    flagged = cells.nth(7)
    assert flagged.locator("svg.flagicon").is_visible()
    assert "已标记" in flagged.get_attribute("aria-label") and "已标记" not in blank.get_attribute("aria-label")
    assert page.locator("label.flag svg.flagicon").is_visible()
    sheet.scroll_into_view_if_needed()
    sheet.screenshot(path=str(ARTIFACTS / f"exam-{device}-sheet.png"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[device]["width"], "the page must not scroll sideways"
    context.close()


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_submit_confirmation_lists_chips_that_never_break(server: str, browser, live_app, device: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    paper_id = start_paper(page, server, f"{device}-交卷确认")
    answered = {i: True for i in range(40) if i not in (16, 17, 18, 25, 33, 39)}
    save_through(page, server, live_app, paper_id, answered, flagged=frozenset({3, 30}))
    page.goto(f"{server}/exams/{paper_id}/submit")
    expect(page.get_by_role("heading", name="确认交卷？")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("还有 6 道题没有作答")
    groups = page.locator(".chipgroup")
    assert [g.locator("h2").inner_text().split()[0] for g in groups.all()] == ["单选题", "多选题", "判断题", "已标记的题"]
    assert groups.nth(0).locator("a.chip").all_inner_texts() == ["第17题", "第18题", "第19题"]
    assert groups.nth(1).locator("a.chip").all_inner_texts() == ["第26题"]
    assert groups.nth(2).locator("a.chip").all_inner_texts() == ["第34题", "第40题"]
    flagged = groups.nth(3).locator("a.chip")
    assert [t.replace("（已标记）", "").strip() for t in flagged.all_inner_texts()] == ["第4题", "第31题"]
    assert flagged.first.locator("svg.flagicon").is_visible()
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('a.chip')).lineHeight)")
    for chip in page.locator("a.chip").all():
        box = chip.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 44
        assert chip.evaluate("c => getComputedStyle(c).whiteSpace") == "nowrap"
        assert chip.evaluate("c => c.getClientRects().length") == 1                  # one box: not broken
        assert chip.evaluate("c => c.scrollHeight") < 44 + line                      # one line of text
    shoot(page, f"exam-{device}-confirm")
    assert_accessible(page)
    page.locator("a.chip", has_text="第26题").click()
    on_item(page, "第 26 / 40 题")
    context.close()


def finished_paper(page, server: str, live_app, name: str) -> tuple[int, list[dict]]:
    """A handed-in paper: items 0-24 right, 25-29 wrong, 30-39 unanswered."""
    paper_id = start_paper(page, server, name)
    save_through(page, server, live_app, paper_id, {i: i < 25 for i in range(30)})
    page.goto(f"{server}/exams/{paper_id}/submit")
    page.get_by_role("button", name="确认交卷").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("第八章模拟考试")
    return paper_id, items_of(live_app, paper_id)


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_result_overview_only_wrong_and_jumps(server: str, browser, live_app, device: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    paper_id, items = finished_paper(page, server, live_app, f"{device}-成绩")
    right_points = sum(i["points"] for i in items[:25])
    expect(page.locator(".bignum")).to_have_text(f"{right_points} / 50 分")
    expect(page.locator("[data-time-used]")).to_contain_text("用时 不到 1 分钟")
    overview = page.locator("section.overview")
    expect(overview.get_by_role("heading", name="答题卡")).to_be_visible()
    legend = overview.locator(".exam-legend").inner_text()
    assert "正确 25" in legend and "错误 5" in legend and "未作答 10" in legend and "部分正确 0" in legend
    cells = overview.locator("a.cell")
    expect(cells).to_have_count(40)
    assert [c.get_attribute("class").split()[1] for c in cells.all()] == \
        ["right"] * 25 + ["wrong"] * 5 + ["unanswered"] * 10
    marks = {c.evaluate("c => getComputedStyle(c, '::after').content") for c in (cells.nth(0), cells.nth(25), cells.nth(30))}
    assert len(marks) == 3                                         # a different mark for each, not only a colour
    # wrong answers are open, right and unanswered ones collapsed
    reviews = page.locator("section.review")
    expect(reviews).to_have_count(40)
    # each item's own disclosure (the 纠错 form inside it is another <details>)
    assert reviews.nth(25).locator(":scope > details").get_attribute("open") is not None
    assert reviews.nth(0).locator(":scope > details").get_attribute("open") is None
    assert not reviews.nth(0).get_by_text("解析", exact=True).is_visible()
    for i in (0, 24, 30, 39):                                      # a collapsed question is a line or three
        assert reviews.nth(i).bounding_box()["height"] < 170, i
    shoot(page, f"exam-{device}-result")
    assert_accessible(page)

    # 只看错题 hides the right ones in place
    page.get_by_role("link", name="只看错题").click()
    expect(page).to_have_url(re.compile(r"\?only=wrong"))
    assert sum(r.is_visible() for r in reviews.all()) == 15
    assert not reviews.nth(0).is_visible() and reviews.nth(25).is_visible() and reviews.nth(39).is_visible()
    shoot(page, f"exam-{device}-result-only-wrong")
    assert_accessible(page)
    # a jump from the 答题卡 to a right answer shows it again, opened, in view
    cells.nth(3).click()
    target = page.locator("#item-4")
    expect(target).to_be_visible()
    expect(target.locator(":scope > details")).to_have_attribute("open", "")
    expect(target.get_by_role("heading", name="解析")).to_be_in_viewport()
    assert page.url.endswith("#item-4")
    page.get_by_role("link", name="只看错题").click()
    page.get_by_role("link", name="显示全部题目").click()
    assert sum(r.is_visible() for r in reviews.all()) == 40
    # the student's own actions
    expect(page.get_by_role("button", name="再考一次")).to_be_visible()
    context.close()


def test_result_without_javascript(server: str, browser, live_app) -> None:
    """No script: 只看错题 is a link the server answers, and a jump lands on the question."""
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="zh-CN")
    page = context.new_page()
    paper_id, _ = finished_paper(page, server, live_app, "无脚本成绩")
    context.close()
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    login_in_browser(page, server, "无脚本成绩")
    page.goto(f"{server}/exams/{paper_id}/result")
    page.get_by_role("link", name="只看错题").click()
    expect(page).to_have_url(re.compile(r"\?only=wrong#review$"))
    expect(page.locator("section.review")).to_have_count(15)
    expect(page.locator("#item-1")).to_have_count(0)
    # a right answer's cell leads back to the whole list, at that question
    page.locator("section.overview a.cell").first.click()
    expect(page).to_have_url(re.compile(r"/result#item-1$"))
    expect(page.locator("section.review")).to_have_count(40)
    page.locator("#item-1 > details > summary").click()
    expect(page.locator("#item-1").get_by_role("heading", name="解析")).to_be_visible()
    context.close()


def test_exam_works_without_javascript(server: str, browser, live_app) -> None:
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    register_in_browser(page, server, "无脚本考生")
    page.goto(server + "/exams/")
    page.get_by_role("button", name="开始考试").first.click()
    expect(page.locator(".examhead")).to_contain_text("第 1 / 40 题")
    page.locator("#examform label.option").first.click()
    page.get_by_role("button", name="保存并下一题").click()
    expect(page.locator(".examhead")).to_contain_text("第 2 / 40 题")
    page.get_by_role("button", name="上一题").click()
    expect(page.locator(".examhead")).to_contain_text("第 1 / 40 题")
    assert "answered" in page.locator(".sheet button.cell").first.get_attribute("class")
    page.locator(".sheet button.cell").nth(9).click()
    expect(page.locator(".examhead")).to_contain_text("第 10 / 40 题")
    page.locator("#examform label.option").first.click()
    page.get_by_role("button", name="交卷").click()                 # saves question 10 on the way
    expect(page.get_by_role("heading", name="确认交卷？")).to_be_visible()
    expect(page.locator("main")).to_contain_text("还有 38 道题没有作答")
    page.get_by_role("button", name="确认交卷").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("第八章模拟考试")
    context.close()


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_an_instructor_reads_a_students_result(server: str, browser, live_app, device: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    paper_id, _ = finished_paper(page, server, live_app, f"{device}-被看的学生")
    context.close()
    make_instructor(live_app, f"{device}-看卷老师")
    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    login_in_browser(page, server, f"{device}-看卷老师")
    page.goto(f"{server}/exams/{paper_id}/result")
    expect(page.locator(".resulthead")).to_contain_text(f"学生：{device}-被看的学生")
    for student_only in ("再考一次", "去错题本", "返回模拟考试"):
        assert page.get_by_text(student_only).count() == 0
    assert "已加入错题本" not in page.locator("main").inner_text()
    expect(page.get_by_role("link", name=f"返回{device}-被看的学生的学习进度")).to_be_visible()
    shoot(page, f"exam-{device}-result-instructor")
    assert_accessible(page)
    context.close()
