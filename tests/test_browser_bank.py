"""Issue 17's pages in Chromium, on a phone and a laptop: a 教材外拓展 question as a student
meets it, the teacher's 题目分析 suggesting a calibrated difficulty, and an Excel bank from
another system previewed and published into the course from the 导入题目 page (writing on).
axe-core finds no serious violation; screenshots go to tests/artifacts/bank-*.png."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import CONTENT, make_app, make_instructor
from test_browser import VIEWPORTS, assert_accessible, browser, go_next, login_in_browser, register_in_browser, server, shoot  # noqa: F401

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

EXCEL = Path(__file__).parent / "fixtures" / "transfer" / "excel"
SIZES = {"phone": VIEWPORTS["phone"], "laptop": {"width": 1280, "height": 860}}


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory):
    """The app on a copy of the real chapter that the import page may write into."""
    root = tmp_path_factory.mktemp("bank")
    shutil.copytree(CONTENT, root / "content")
    app = make_app(root / "app", TUTOR_CONTENT_DIR=str(root / "content"), TUTOR_CONTENT_WRITABLE=True,
                   TUTOR_CONTENT_POLL_SECONDS=0)
    app.config["bank_root"] = root / "content"
    return app


@pytest.fixture(scope="module")
def calibrated(live_app) -> str:
    """Twenty students got a written-hard single right at first try: 题目分析 suggests ★."""
    from seeding import answer, student
    from tutor.instructor.calibration import MIN_ATTEMPTS
    from tutor.models import utcnow
    course = live_app.extensions["tutor_content"].catalog.course("chapter8")
    hard = next(q for q in course.questions if q.type == "single" and q.difficulty == 3)
    for n in range(MIN_ATTEMPTS):
        answer(live_app, student(live_app, f"学员{n:02d}"), hard.id, True, utcnow())
    make_instructor(live_app, "教务老师")
    return hard.id


@pytest.mark.parametrize("size", SIZES)
def test_a_beyond_source_question_is_labelled_for_the_student(server: str, browser, size: str) -> None:  # noqa: F811
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN")
    page = context.new_page()
    register_in_browser(page, server, f"拓展{size}")
    page.goto(server + "/practice/choose?course=chapter8&scope=kp&id=churn.loyalty_types")
    page.get_by_role("button", name=re.compile("背题模式")).click()
    for _ in range(3):                               # -01 … -03 keep to the chapter; -04 does not
        go_next(page)
    tag = page.locator(".beyondtag")
    expect(tag).to_have_text("教材外拓展")
    assert "不进入模拟考试" in tag.get_attribute("title")
    assert_accessible(page)
    shoot(page, f"bank-beyond-{size}")
    context.close()


@pytest.mark.parametrize("size", SIZES)
def test_items_page_suggests_the_calibrated_level(server: str, browser, calibrated: str, size: str) -> None:  # noqa: F811
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN")
    page = context.new_page()
    login_in_browser(page, server, "教务老师")
    page.goto(server + "/instructor/items?flag=relabel")
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr")).to_contain_text("标注 ★★★ → 建议 ★")
    expect(page.locator("tbody tr")).to_contain_text("标注难度与作答不符")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    assert_accessible(page)
    shoot(page, f"bank-calibration-{size}")
    context.close()


def test_a_ruoyi_workbook_is_previewed_and_published_from_the_page(server: str, browser, live_app, calibrated) -> None:  # noqa: F811
    context = browser.new_context(viewport=SIZES["phone"], locale="zh-CN")
    page = context.new_page()
    login_in_browser(page, server, "教务老师")
    page.goto(server + "/instructor/import")
    page.locator("input[type=file]").set_input_files(str(EXCEL / "ruoyi_options_cell.xlsx"))
    page.get_by_role("button", name=re.compile("转换并预览")).click()
    expect(page.locator("main")).to_contain_text("表格格式")
    assert_accessible(page)
    shoot(page, "bank-import-preview-phone")
    page.get_by_label(re.compile("发布名称")).fill("ruoyi")
    page.get_by_role("button", name=re.compile("发布到题库")).click()
    expect(page.locator("main")).to_contain_text("已发布")
    assert_accessible(page)
    shoot(page, "bank-import-published-phone")
    written = sorted(p.name for p in (live_app.config["bank_root"] / "chapter8" / "questions").glob("imported-*.yaml"))
    assert written, "publishing wrote no question file"
    page.goto(server + "/instructor/content")
    expect(page.locator("main")).to_contain_text(written[0])
    context.close()
