"""我的账户 and 注销 in Chromium, on a phone (390×844) and a laptop (1280×800): the account page
with its downloads, the closure page saying what is deleted and kept, and the 撤销注销 banner.
axe-core finds no violation; screenshots go to tests/artifacts/privacy-*.png."""
from __future__ import annotations

import pytest

from conftest import PASSWORD
from test_browser import assert_accessible, browser, live_app, register_in_browser, server, shoot  # noqa: F401

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1280, "height": 800}}


@pytest.mark.parametrize("size", SIZES)
def test_account_page_closure_and_cancel(server: str, browser, size: str) -> None:  # noqa: F811
    context = browser.new_context(viewport=SIZES[size], locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    register_in_browser(page, server, f"注销{size}")
    page.get_by_role("link", name="我的账户").click()
    expect(page.get_by_role("heading", name="下载我的数据")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 Excel 可打开的表格（ZIP）").click()
    assert download.value.suggested_filename.endswith(".zip")
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    assert_accessible(page)
    shoot(page, f"privacy-account-{size}")

    page.get_by_role("link", name="申请注销账户…").click()
    expect(page.get_by_role("heading", name="将被删除")).to_be_visible()
    expect(page.get_by_role("heading", name="匿名保留")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= SIZES[size]["width"]
    assert_accessible(page)
    shoot(page, f"privacy-close-{size}")
    page.get_by_label("当前密码").fill(PASSWORD)
    page.get_by_role("button", name="申请注销（15 天后生效）").click()
    expect(page.get_by_role("alert")).to_contain_text("账号注销申请中")
    shoot(page, f"privacy-pending-{size}")
    page.get_by_role("button", name="撤销注销").click()
    expect(page.get_by_text("已撤销注销")).to_be_visible()
    context.close()
