"""智能练习 in Chromium on a phone (390×844) and a laptop (1280×800): the home page's forecast and
button, a question with why it was chosen, answering a set, the forecast moving, and the
readiness on 我的进度. axe on each page; screenshots to tests/artifacts/adaptive-*.png."""
from __future__ import annotations

import re

import pytest

from test_browser import (ARTIFACTS, answer_whatever_is_shown, assert_accessible, browser, expect,  # noqa: F401
                          live_app, register_in_browser, server, shoot)

pytestmark = pytest.mark.browser

DEVICES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True},
    "laptop": {"viewport": {"width": 1280, "height": 800}},
}


def shoot_part(page, name: str, selector: str) -> None:
    """One element: a long home page's full shot is too tall to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(selector).first.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def forecast(page) -> tuple[int, int]:
    text = page.locator("[data-forecast]").inner_text()
    found = re.search(r"模拟考试预测\s*(\d+)\s*分.*及格把握\s*(\d+)%", text, re.S)
    assert found, text
    return int(found.group(1)), int(found.group(2))


@pytest.mark.parametrize("device", list(DEVICES))
def test_adaptive_practice_in_the_browser(server: str, browser, device: str) -> None:
    context = browser.new_context(locale="zh-CN", **DEVICES[device])
    page = context.new_page()
    register_in_browser(page, server, f"智能{device}")
    page.goto(server + "/")
    card = page.locator("section.adaptive")
    expect(card).to_be_visible()
    expect(card.locator("[data-time-to-pass]")).to_contain_text("按现在的进度，还需")
    before = forecast(page)
    no_sideways_scroll(page)
    assert_accessible(page)
    shoot_part(page, f"adaptive-home-{device}", "section.adaptive")
    card.get_by_role("button", name="开始智能练习").click()

    expect(page.locator("[data-why]")).to_contain_text("为什么选这题")
    expect(page.locator(".qhead .eyebrow")).to_have_text("智能练习")
    page.wait_for_load_state("load")
    no_sideways_scroll(page)
    assert_accessible(page)
    shoot(page, f"adaptive-question-{device}")

    for number in range(1, 11):
        expect(page.locator(".counter")).to_have_text(f"{number} / 10")
        assert page.locator("[data-why]").inner_text().strip()
        answer_whatever_is_shown(page)
        page.get_by_role("button", name="提交答案").click()
        expect(page.locator("[data-why]")).to_have_count(0)      # the feedback page has its verdict instead
        if number == 1:
            assert_accessible(page)
            shoot(page, f"adaptive-feedback-{device}")
        next_link = page.get_by_role("link", name=re.compile("下一题|查看本组结果"))
        next_link.first.click()

    page.goto(server + "/")
    after = forecast(page)
    assert after != before                     # ten answers moved the estimate
    page.goto(server + "/progress/")
    expect(page.locator(".readiness")).to_contain_text("及格把握")
    no_sideways_scroll(page)
    assert_accessible(page)
    shoot_part(page, f"adaptive-progress-{device}", ".readiness")
    context.close()
