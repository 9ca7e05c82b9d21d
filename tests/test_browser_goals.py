"""设置 and the study goals in Chromium, on a phone (390×844, touch, 一键作答 on, dark scheme) and
a laptop (1280×800, 一键作答 自动, so off, light scheme): set the goal and exam date, 特大 applied
with no sideways scroll, the goal rings and exam plan on the home page, a 单选/判断 answered
with one tap (phone) or a click and Enter (laptop), auto-next after the right answer. axe on
every page state, in the dark scheme too; screenshots to tests/artifacts/goals-*.png."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from conftest import current_delivery
from tutor.questions.base import LETTERS

from test_browser import (assert_accessible, browser, expect, go_next, live_app, register_in_browser,  # noqa: F401
                          server, shoot)

pytestmark = pytest.mark.browser

DEVICES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True,
              "color_scheme": "dark"},
    "laptop": {"viewport": {"width": 1280, "height": 800}, "color_scheme": "light"},
}
ONE_TAP = {"phone": "on", "laptop": "auto"}


def shoot_screen(page, name: str, selector: str | None = None) -> None:
    """The first screen (a long page's full shot is too tall to look at), or one element."""
    from test_browser import ARTIFACTS
    ARTIFACTS.mkdir(exist_ok=True)
    target = page.locator(selector) if selector else page
    target.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def right_index(live_app, page) -> tuple[str, int]:
    """The shown question's type and the position of its right option (single and true/false)."""
    set_id = int(re.search(r"/practice/(\d+)", page.url).group(1))
    delivery = current_delivery(live_app, set_id)
    q = live_app.extensions["tutor_content"].catalog.course("chapter8").by_id[delivery.question_id]
    if q.type == "truefalse":
        return q.type, 0 if q.answer else 1
    if q.type == "single":
        return q.type, next(shown for shown, original in enumerate(delivery.layout) if LETTERS[original] == q.answer)
    return q.type, -1


@pytest.mark.parametrize("device", list(DEVICES))
def test_goals_one_tap_auto_next_font_and_dark_theme(server: str, browser, live_app, device: str) -> None:
    from test_browser import answer_whatever_is_shown
    context = browser.new_context(locale="zh-CN", **DEVICES[device])
    page = context.new_page()
    register_in_browser(page, server, f"目标{device}")

    # 设置: one-tap, auto-next, 特大, a goal of 5 and an exam in 12 days
    page.goto(server + "/settings/")
    if ONE_TAP[device] == "on":
        page.get_by_label("开", exact=True).check()
    page.get_by_label("答对后自动进入下一题").check()
    page.get_by_label("特大").check()
    page.get_by_label("每日目标（题）").fill("5")
    today = datetime.now(timezone.utc).astimezone(ZoneInfo(live_app.config["TUTOR_TIMEZONE"])).date()
    page.get_by_label("考试日期（可不填）").fill((today + timedelta(days=12)).isoformat())
    page.get_by_role("button", name="保存设置").click()
    expect(page.locator(".flash")).to_contain_text("设置已保存")
    page.wait_for_load_state("load")                          # theme.css too
    assert page.evaluate("document.documentElement.className") == "font-xlarge"
    assert page.evaluate("getComputedStyle(document.body).fontSize") in ("20px", "21.25px")
    no_sideways_scroll(page)
    if device == "phone":                                     # dark; the laptop's light page is like any form
        assert_accessible(page)
    shoot(page, f"goals-settings-{device}")

    # the home page: rings, streak, the plan to the exam
    page.goto(server + "/")
    goals = page.locator(".goals")
    expect(goals).to_contain_text("还差 5 题完成目标")
    expect(goals).to_contain_text("距离考试还有 12 天")
    expect(goals.locator(".ring")).to_have_count(3)
    no_sideways_scroll(page)
    assert_accessible(page)
    shoot_screen(page, f"goals-home-{device}")
    shoot_screen(page, f"goals-card-{device}", ".goals")

    # practice until a 单选 or 判断 is shown; answer the others as any student would
    page.goto(server + "/practice/choose?course=chapter8&scope=all&id=")
    page.get_by_role("button", name=re.compile("^随机练习")).click()
    page.wait_for_load_state("load")
    for _ in range(10):
        kind, right = right_index(live_app, page)
        if right >= 0:
            break
        answer_whatever_is_shown(page)
        page.get_by_role("button", name="提交答案").click()
        page.wait_for_url(re.compile(r"/practice/\d+/\d+$"))
        go_next(page)
    assert right >= 0, "no single-choice or true/false question in ten"
    no_sideways_scroll(page)
    assert_accessible(page)                                   # the question page, dark on the phone
    shoot_screen(page, f"goals-question-{device}")

    option = page.locator("form[data-answer-form] label.option").nth(right)
    if device == "phone":
        option.tap()                                          # one tap answers
    else:
        option.click()                                        # 自动 on a laptop: a click only chooses,
        page.wait_for_timeout(300)
        assert re.search(r"/practice/\d+$", page.url), page.url
        page.keyboard.press("Enter")                          # and Enter (keys.js) submits
    page.wait_for_url(re.compile(r"/practice/\d+/\d+$"))
    expect(page.locator(".verdict")).to_contain_text("回答正确")
    countdown = page.locator("[data-auto-next]")
    expect(countdown).to_be_visible()
    expect(countdown).to_contain_text("秒后进入下一题")
    if device == "phone":
        assert_accessible(page)
    shoot_screen(page, f"goals-feedback-{device}", "main")
    page.wait_for_url(re.compile(r"/practice/\d+$"), timeout=4000)     # 1.5 s later: the next question
    question_url = page.url

    page.goto(server + "/")
    expect(page.locator(".goals")).to_contain_text("今天已做")
    shoot_screen(page, f"goals-card-after-{device}", ".goals")
    if device == "laptop":
        context.close()
        return

    # 停留 keeps the page (on the phone): answer the next one-tap question right again, then stay
    page.goto(question_url)
    for _ in range(10):
        kind, right = right_index(live_app, page)
        if right >= 0:
            break
        answer_whatever_is_shown(page)
        page.get_by_role("button", name="提交答案").click()
        page.wait_for_url(re.compile(r"/practice/\d+/\d+$"))
        go_next(page)
    if right >= 0:
        option = page.locator("form[data-answer-form] label.option").nth(right)
        option.tap()
        page.wait_for_url(re.compile(r"/practice/\d+/\d+$"))
        page.get_by_role("button", name="停留").tap()
        expect(page.locator("[data-auto-next]")).to_contain_text("已停留在本页")
        page.wait_for_timeout(1700)
        assert re.search(r"/practice/\d+/\d+$", page.url), page.url

    context.close()
