"""Practice in place (docs/one-request.md) in Chromium at phone and laptop widths: an answer posted
with fetch and its feedback put in place of the question (no page load, the feedback's URL in the
address bar, focus on the verdict), the next question's card coming with it (or fetched ahead
by a feedback page loaded whole) so that 下一题 makes no request, the back button and a reload on the pushed URL, 答对后自动下一题, an answer refused
offline or on a failed connection with the choice kept. axe on every state; screenshots to
tests/artifacts/inplace-*.png."""
from __future__ import annotations

import re

import pytest

from test_browser import (ARTIFACTS, VIEWPORTS, answer_whatever_is_shown, assert_accessible, browser,  # noqa: F401
                          expect, live_app, register_in_browser, server)
from test_browser_goals import right_index
from test_browser_pwa import FORM_STATE, attempts_of

pytestmark = pytest.mark.browser

OFFLINE = "网络已断开，答案还没有提交，恢复连接后再点提交。"


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"inplace-{name}.png"), full_page=True)


def start(page, server: str) -> int:
    page.goto(server + "/practice/choose?course=chapter8&scope=kp&id=survey.methods")
    page.get_by_role("button", name=re.compile("顺序练习")).click()
    page.wait_for_load_state("load")
    return int(re.search(r"/practice/(\d+)$", page.url).group(1))


def is_prefetch(set_id: int):
    return lambda r: re.search(rf"/practice/{set_id}$", r.url) and r.request.headers.get("x-fragment") == "1"


def answer_in_place(page, set_id: int) -> None:
    """Submit what is chosen; wait for the feedback card (the next question's card comes with it)."""
    with page.expect_response(lambda r: r.url.endswith(f"/practice/{set_id}/answer")):
        page.get_by_role("button", name="提交答案").click()
    expect(page.locator(".verdict")).to_be_visible()


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_answer_feedback_and_next_in_place_back_and_reload(server: str, browser, live_app, device: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    register_in_browser(page, server, f"就地{device}")
    set_id = start(page, server)
    requests: list[str] = []
    page.on("request", lambda r: requests.append(f"{r.method} {r.url} {r.resource_type}"))

    # the answer: one POST, the feedback card in the question's place, no page load
    page.evaluate("window.__stillHere = true")
    answer_whatever_is_shown(page)
    answer_in_place(page, set_id)
    expect(page).to_have_url(f"{server}/practice/{set_id}/0")
    assert page.evaluate("window.__stillHere === true"), "the page was not loaded again"
    assert page.evaluate("document.activeElement.classList.contains('verdict')"), "focus is on the verdict"
    assert re.match(r"回答(正确|错误) · ", page.title()), page.title()
    # one request: the next question's card came with the feedback card, nothing is fetched ahead
    page.wait_for_timeout(300)
    assert [r for r in requests if "/static/" not in r] == [f"POST {server}/practice/{set_id}/answer fetch"], requests
    expect(page.get_by_role("heading", name="解析")).to_be_visible()
    assert len(attempts_of(live_app, f"就地{device}")) == 1
    shoot(page, f"{device}-feedback")
    assert_accessible(page)

    # 下一题: the question fetched ahead is shown, with no request at all
    requests.clear()
    page.get_by_role("link", name="下一题").click()
    expect(page.locator(".counter")).to_have_text("2 / 10")
    expect(page.get_by_role("button", name="提交答案")).to_be_visible()
    expect(page).to_have_url(f"{server}/practice/{set_id}")
    assert [r for r in requests if "/static/" not in r] == [], requests    # (the tab's icon is asked again)
    assert page.evaluate("window.__stillHere === true")
    assert page.evaluate("document.activeElement.matches('h1, .stem')"), "focus is on the question"
    assert page.title().startswith("练习 2/10 · ")
    shoot(page, f"{device}-question")
    assert_accessible(page)

    # back: the first question's feedback, as the server shows it; forward: the question again
    # Each is a page load the script starts after the history step: under a loaded CI machine
    # one took over the default 5 s, hence the longer waits.
    page.go_back()
    expect(page).to_have_url(f"{server}/practice/{set_id}/0")
    expect(page.locator(".counter")).to_have_text("1 / 10", timeout=20_000)
    expect(page.locator(".verdict")).to_be_visible()
    page.go_forward(wait_until="commit")     # a page the browser kept loads itself again
    expect(page).to_have_url(f"{server}/practice/{set_id}")
    expect(page.locator(".counter")).to_have_text("2 / 10", timeout=20_000)
    expect(page.get_by_role("button", name="提交答案")).to_be_visible()
    page.wait_for_load_state("load")

    # the second answered in place, then reloaded on its pushed URL: the server's same page
    answer_whatever_is_shown(page)
    answer_in_place(page, set_id)
    expect(page).to_have_url(f"{server}/practice/{set_id}/1")
    verdict = page.locator(".verdict").inner_text()
    page.evaluate("window.__stillHere = true")
    with page.expect_response(is_prefetch(set_id)):   # a feedback page loaded whole fetches 下一题's card
        page.reload()
    expect(page.locator(".verdict")).to_have_text(verdict)
    expect(page.locator(".counter")).to_have_text("2 / 10")
    assert page.evaluate("window.__stillHere === undefined")
    page.get_by_role("link", name="下一题").click()
    expect(page.locator(".counter")).to_have_text("3 / 10")
    page.wait_for_load_state("load")

    # offline: refused on the page, the choice kept; online again, the same answer goes in place
    answer_whatever_is_shown(page)
    chosen = page.evaluate(FORM_STATE)
    context.set_offline(True)
    page.get_by_role("button", name="提交答案").click()
    alert = page.locator("form[data-answer-form] [data-offline-status]")
    expect(alert).to_have_text(OFFLINE)
    assert page.url == f"{server}/practice/{set_id}" and page.evaluate(FORM_STATE) == chosen
    shoot(page, f"{device}-offline")
    assert_accessible(page)
    context.set_offline(False)
    expect(alert).to_contain_text("网络已恢复")

    # a connection that fails (the browser thinks it is online): the same words, the choice kept
    page.route("**/answer", lambda route: route.abort())
    page.get_by_role("button", name="提交答案").click()
    expect(alert).to_have_text(OFFLINE)
    assert page.evaluate(FORM_STATE) == chosen and len(attempts_of(live_app, f"就地{device}")) == 2
    page.unroute("**/answer")
    answer_in_place(page, set_id)
    expect(page).to_have_url(f"{server}/practice/{set_id}/2")
    assert len(attempts_of(live_app, f"就地{device}")) == 3
    context.close()


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_auto_next_after_a_right_answer_uses_the_question_fetched_ahead(server: str, browser, live_app,
                                                                        device: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    register_in_browser(page, server, f"自动{device}")
    page.goto(server + "/settings/")
    page.get_by_label("答对后自动进入下一题").check()
    page.get_by_role("button", name="保存设置").click()
    expect(page.locator(".flash")).to_contain_text("设置已保存")
    page.goto(server + "/practice/choose?course=chapter8&scope=all&id=")
    page.get_by_role("button", name=re.compile("^随机练习")).click()
    page.wait_for_load_state("load")
    set_id = int(re.search(r"/practice/(\d+)$", page.url).group(1))
    for _ in range(10):          # until a 单选 or 判断, whose right option is known
        kind, right = right_index(live_app, page)
        if right >= 0:
            break
        answer_whatever_is_shown(page)
        answer_in_place(page, set_id)
        page.get_by_role("link", name="下一题").click()
        expect(page.get_by_role("button", name="提交答案")).to_be_visible()
    assert right >= 0, "no single-choice or true/false question in ten"
    number = page.locator(".counter").inner_text()
    page.evaluate("window.__stillHere = true")
    page.locator("form[data-answer-form] label.option").nth(right).click()
    requests: list[str] = []
    answer_in_place(page, set_id)
    expect(page.locator(".verdict")).to_contain_text("回答正确")
    expect(page.locator("[data-auto-next]")).to_contain_text("秒后进入下一题")
    shoot(page, f"{device}-auto-next")
    assert_accessible(page)
    page.on("request", lambda r: requests.append(r.url))
    page.wait_for_url(re.compile(rf"/practice/{set_id}$"), timeout=4000)     # 1.5 s later, in place
    expect(page.get_by_role("button", name="提交答案")).to_be_visible()
    assert page.locator(".counter").inner_text() != number
    assert [r for r in requests if "/static/" not in r] == [], requests
    assert page.evaluate("window.__stillHere === true")
    context.close()
