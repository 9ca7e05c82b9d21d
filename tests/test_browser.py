"""Browser tests: Playwright driving Debian's Chromium against the app on a real server.

Screenshots at phone and laptop widths are written to tests/artifacts/ for people to look at.
"""
from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path
from typing import Iterator

import pytest
from werkzeug.serving import make_server

from tutor.extensions import db

from conftest import PASSWORD, make_app

CHROMIUM = os.environ.get("TUTOR_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "laptop": {"width": 1280, "height": 860}}

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    pytest.skip(f"Chromium not found at {CHROMIUM}: install Debian's chromium package "
                "(apt-get install chromium fonts-wqy-microhei) to run the browser tests",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    app = make_app(tmp_path_factory.mktemp("live"))
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    with app.app_context():
        db.session.remove()
        db.drop_all()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield browser
        browser.close()


def answer_whatever_is_shown(page) -> None:
    """Give some answer to the question on the page, whatever its type."""
    form = page.locator("form[data-answer-form]")
    for fieldset in form.locator("fieldset.options").all():
        fieldset.locator("label.option").first.click()
    for i, field in enumerate(form.locator("input[type=text]").all()):
        field.fill("最低")
    for field in form.locator("textarea").all():
        field.fill("双赢")
    selects = form.locator("select").all()
    for i, select in enumerate(selects):
        options = select.locator("option").all()
        select.select_option(index=min(i + 1, len(options) - 1))


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_register_read_answer_three_and_see_progress(server: str, browser, device: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    page.goto(server + "/")
    assert page.get_by_role("heading", name="进出口贸易客户管理", exact=True).is_visible()

    page.get_by_role("link", name="注册").first.click()
    page.get_by_label("用户名").fill(f"学员{device}")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_role("button", name="注册并开始学习").click()
    assert page.get_by_text("注册成功").is_visible()
    shoot(page, f"{device}-home")

    page.get_by_role("link", name="客户调查的方法").click()
    section = page.locator("section#survey\\.methods")
    assert section.get_by_role("heading", name="要点").is_visible()
    assert "人员走访" in section.inner_text()
    shoot(page, f"{device}-lesson")

    section.get_by_role("link", name="练习这个知识点").click()
    page.get_by_role("button", name="随机练习").click()
    for number in (1, 2, 3):
        assert page.locator(".counter").inner_text() == f"{number} / 10"
        answer_whatever_is_shown(page)
        if number == 1:
            shoot(page, f"{device}-question")
        page.get_by_role("button", name="提交答案").click()
        verdict = page.locator(".verdict")
        assert verdict.inner_text().startswith(("✓ 回答正确", "✗ 回答错误", "◐ 部分正确"))
        assert page.get_by_role("heading", name="解析").is_visible()
        if number == 1:
            shoot(page, f"{device}-feedback")
        page.get_by_role("link", name="下一题").click()

    page.get_by_role("link", name="我的进度").click()
    stats = page.locator(".stats").inner_text()
    assert "3\n累计答题" in stats
    assert page.locator("ol.results li").count() == 3
    row = page.locator("tr", has_text="客户调查的方法")
    assert "正确率" in row.inner_text() or "%" in row.inner_text()
    shoot(page, f"{device}-progress")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[device]["width"], "the page must not scroll sideways"
    context.close()
