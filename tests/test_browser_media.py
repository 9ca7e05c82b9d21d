"""Pictures in a real browser: a question's picture and a lesson's picture load (naturalWidth > 0)
under the app's Content-Security-Policy, within the width of a phone's screen."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import make_app
from test_browser import VIEWPORTS, browser, register_in_browser, server  # noqa: F401

pytestmark = pytest.mark.browser
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "media"


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory):
    """The app on a copy of the picture course (tests/fixtures/media), for test_browser's server."""
    root = tmp_path_factory.mktemp("pictures")
    shutil.copytree(FIXTURE, root / "content")
    return make_app(root / "app", TUTOR_CONTENT_DIR=str(root / "content"))


def loaded(page, selector: str) -> list[int]:
    """The natural widths of the pictures matching `selector` once each has loaded (0: broken)."""
    return page.eval_on_selector_all(selector, "imgs => Promise.all(imgs.map(i => i.decode()"
                                               ".then(() => i.naturalWidth, () => 0)))")


def test_question_and_lesson_pictures_load_on_a_phone(server: str, browser) -> None:  # noqa: F811
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="zh-CN")
    page = context.new_page()
    page.goto(server + "/courses/pics/lessons/survey")           # public, before logging in
    assert loaded(page, ".prose img") == [24]
    register_in_browser(page, server, "看图")
    page.goto(server + "/practice/choose?course=pics&scope=kp&id=survey.methods")
    page.get_by_role("button", name=re.compile("顺序练习")).click()     # the bank's first question:
    page.wait_for_load_state("load")                                        # its stem has the chart
    assert loaded(page, '.stem img[src="/media/pics/images/chart.png"]') == [40]
    for box in page.eval_on_selector_all('main img[src^="/media/"]', "imgs => imgs.map(i => i.getBoundingClientRect().right)"):
        assert box <= VIEWPORTS["phone"]["width"]
    context.close()
