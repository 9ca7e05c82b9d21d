"""The teacher pages in Chromium, on the narrowest phone (360 px; the journey test walks them at
390 px too) and a laptop: no page scrolls
sideways, wide tables scroll inside their own labelled region, controls are at least 44×44 CSS
px and text at least 14px on the phone, and axe-core finds no WCAG 2.2 AA violation in any
state. Screenshots go to tests/artifacts/instructor-*.png."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import re

import pytest

from tutor.extensions import db

from conftest import PASSWORD, make_instructor
from test_browser import assert_accessible, browser, live_app, login_in_browser, server, shoot  # noqa: F401

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

FIXTURES = Path(__file__).parent / "fixtures" / "transfer"
WIDTHS = {"phone360": {"width": 360, "height": 780}, "laptop": {"width": 1280, "height": 860}}
TEACHER = "班主任"
NAMES = ["王芳", "李强", "张伟", "刘洋", "陈静", "杨磊", "赵敏", "黄鹏飞", "周婷", "吴昊", "徐佳怡", "孙悦"]

# What a finger presses on these pages (WCAG 2.5.5's 44×44, the brief's rule for teacher pages).
CONTROLS = (".tabs a, th .sortlink, .pagebutton, .filters select, .teacher button, .teacher .button, "
            ".teacher input[type=number], .teacher input[type=file], .importform select, details.about summary, "
            "table.heat td a, table.heat tbody th a, table.class tbody th a")


@pytest.fixture(scope="module")
def seeded(live_app) -> dict:  # noqa: F811
    """A class of twelve over the real chapter: practice answers across every knowledge point,
    mock exams, a newcomer, and a short answer waiting for 人工复核."""
    from tutor import learning
    from tutor.models import utcnow
    from tutor.questions import grade
    from seeding import answer, exam, student

    course = live_app.extensions["tutor_content"].catalog.course("chapter8")
    moment = utcnow()
    kps = list(course.knowledge_points)
    ids = [q.id for q in course.questions if q.type in ("single", "multiple", "truefalse")]
    singles = [q.id for q in course.questions if q.type == "single"][:20]
    users = {}
    for rank, name in enumerate(NAMES):
        uid = users[name] = student(live_app, name)
        if name == "孙悦":
            continue                    # registered just now: 尚未开始
        for n, qid in enumerate(ids[rank * 7: rank * 7 + 60]):
            kp_bias = kps.index(course.by_id[qid].knowledge_point)
            answer(live_app, uid, qid, (n + kp_bias + rank) % (2 + rank % 4) != 0,
                   at=moment - timedelta(days=(n % 5) + (9 if name == "吴昊" else 0), hours=rank))
        if rank % 3 != 2 and name != "吴昊":
            exam(live_app, uid, singles, right=set(range(6 + rank)), started=moment - timedelta(days=3))
    q = course.by_id["overview.definition-s01"]
    with live_app.app_context():
        result = grade(q, q.rubric[0].point, course.grading)
        learning.record(users["王芳"], course, q, q.rubric[0].point, result, now=moment, mode="random", seconds=40.0)
        db.session.commit()
    live_app.extensions["tutor_clock"] = utcnow
    make_instructor(live_app, TEACHER)
    return {"course": course, "users": users}


def open_page(browser, server: str, size: str):  # noqa: F811
    context = browser.new_context(viewport=WIDTHS[size], locale="zh-CN")
    page = context.new_page()
    login_in_browser(page, server, TEACHER)
    expect(page.get_by_role("button", name="退出")).to_be_visible()
    return context, page


def check_layout(page, size: str) -> None:
    """The page does not scroll sideways; on a phone every control is 44×44 and no text under 14px."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= WIDTHS[size]["width"], f"{page.url} is {width}px wide at {size}"
    for region in page.locator("div.scroll").all():
        assert region.get_attribute("tabindex") == "0" and region.get_attribute("role") == "region"
        assert region.get_attribute("aria-label")
    if not size.startswith("phone"):
        return
    small = page.evaluate("""(selector) => [...document.querySelectorAll(selector)]
        .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
        .map(e => [e.outerHTML.slice(0, 90), e.getBoundingClientRect()])
        .filter(([, r]) => r.width < 43.5 || r.height < 43.5)""", CONTROLS)
    assert small == [], small[:5]
    tiny = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => !e.closest('.sr') && e.getClientRects().length
                && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
        .filter(e => parseFloat(getComputedStyle(e).fontSize) < 14)
        .map(e => e.outerHTML.slice(0, 90) + ' ' + getComputedStyle(e).fontSize)""")
    assert tiny == [], tiny[:5]


def visit(page, size: str, name: str) -> None:
    page.wait_for_load_state("load")        # a link just clicked: measure the new page, styled
    check_layout(page, size)
    assert_accessible(page)
    shoot(page, f"instructor-{size}-{name}")


@pytest.mark.parametrize("size", list(WIDTHS))
def test_class_heatmap_and_review(server, browser, seeded, size: str) -> None:  # noqa: F811
    context, page = open_page(browser, server, size)
    page.goto(server + "/instructor/")
    expect(page.get_by_role("heading", name="学生", exact=False).first).to_be_visible()
    rows = page.locator("table.class tbody tr")
    assert rows.count() >= len(NAMES)
    assert "尚未开始" in rows.filter(has_text="孙悦").inner_text()
    assert "7 天未学习" not in rows.filter(has_text="孙悦").inner_text()
    assert "7 天未学习" in rows.filter(has_text="吴昊").inner_text()
    visit(page, size, "students")
    page.get_by_role("link", name="正确率").click()
    expect(page.locator('th[aria-sort="descending"]')).to_contain_text("正确率")
    visit(page, size, "students-sorted")

    page.get_by_role("link", name="掌握热图").click()
    grid = page.get_by_role("region", name="掌握热图（可横向滚动）")
    expect(grid).to_be_visible()
    if size.startswith("phone"):   # the grid scrolls in its card, the names stay in view
        assert grid.evaluate("e => e.scrollWidth > e.clientWidth")
        first_name = page.locator("table.heat tbody th").first
        before = first_name.bounding_box()["x"]
        grid.evaluate("e => e.scrollBy(300, 0)")
        assert abs(first_name.bounding_box()["x"] - before) <= 3     # the border spacing, not 300px
        grid.evaluate("e => e.scrollTo(0, 0)")
    assert page.locator("table.heat td a").count() >= len(NAMES) * 13
    assert page.locator("ol.kplegend li").count() == 13
    visit(page, size, "heatmap")
    page.locator("table.heat tbody tr", has_text=NAMES[1]).locator("td a").first.click()
    expect(page.get_by_role("heading", name=f"{NAMES[1]} 的学习进度")).to_be_visible()

    page.goto(server + "/instructor/review")
    expect(page.locator("section.review").first).to_be_visible()
    visit(page, size, "review")
    context.close()


@pytest.mark.parametrize("size", list(WIDTHS))
def test_item_analysis_filters_sort_and_pages(server, browser, seeded, size: str) -> None:  # noqa: F811
    course = seeded["course"]
    context, page = open_page(browser, server, size)
    page.goto(server + "/instructor/items")
    pages = -(-len(course.questions) // 50)
    expect(page.get_by_text(f"第 1/{pages} 页", exact=True)).to_be_visible()
    assert page.locator("table.items tbody tr").count() == 50
    visit(page, size, "items")

    page.get_by_role("link", name="下一页").click()
    expect(page.get_by_text(f"第 2/{pages} 页", exact=True)).to_be_visible()
    assert "page=2" in page.url
    visit(page, size, "items-page2")

    page.get_by_label("题型").select_option("fill")
    page.get_by_role("button", name="筛选").click()
    fills = [q for q in course.questions if q.type == "fill"]
    expect(page.locator("table.items tbody tr")).to_have_count(len(fills))
    assert "{{" not in page.locator("table.items").inner_text()
    visit(page, size, "items-filtered")

    page.goto(server + "/instructor/items?type=single")
    page.locator("th .sortlink", has_text="难度系数").click()       # highest first
    page.locator("th .sortlink", has_text="难度系数").click()       # then lowest
    expect(page.locator('th[aria-sort="ascending"]')).to_contain_text("难度系数")
    assert "type=single" in page.url and "sort=facility" in page.url
    values = [float(v) for v in page.locator('td[data-label="难度系数"]').all_inner_texts() if v != "—"]
    assert values and values == sorted(values)
    page.get_by_role("link", name="第 2 页").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    assert "sort=facility" in page.url
    visit(page, size, "items-sorted-page2")
    context.close()


@pytest.mark.parametrize("size", list(WIDTHS))
def test_content_previews_and_import(server, browser, seeded, size: str) -> None:  # noqa: F811
    context, page = open_page(browser, server, size)
    page.goto(server + "/instructor/content")
    visit(page, size, "content")
    page.goto(server + "/instructor/questions/chapter8/" + next(q.id for q in seeded["course"].questions if q.type == "fill"))
    visit(page, size, "preview-fill")
    page.goto(server + "/instructor/content/chapter8/survey.methods")
    visit(page, size, "preview-kp")

    page.goto(server + "/instructor/import")
    visit(page, size, "import")
    page.locator("#file").set_input_files(str(FIXTURES / "tagged_broken.txt"))
    page.get_by_label("主题").select_option("survey")
    page.get_by_role("button", name="转换并预览").click()
    expect(page.locator("h2", has_text="转换结果")).to_be_visible()
    expect(page.locator("h2", has_text="个问题")).to_be_visible()
    visit(page, size, "import-problems")
    page.locator("#file").set_input_files(str(FIXTURES / "tagged.txt"))
    page.get_by_label("主题").select_option("survey")
    page.get_by_label("知识点（文件里没写知识点的题目用它）").select_option("survey.methods")
    page.get_by_role("button", name="转换并预览").click()
    expect(page.get_by_label("转换后的 YAML")).to_be_visible()
    visit(page, size, "import-result")
    context.close()
