"""The first hour, walked in a real Chromium at a desktop and a phone viewport.

One journey per viewport: a new student registers, reads, practises every question type,
stars, studies, works through a whole 顺序练习 scope and wraps, abandons a set, opens the
错题本, 收藏 and 智能复习, sits a mock exam and reads 我的进度; then a teacher (made with
conftest's make_instructor, with a small class seeded through the app's own recording code)
walks the class overview, heatmap, 题目分析, a preview, the student's progress and exam
result, the review queue, the content page and the import form.

Every page state the journey reaches is checked the same way (`Journey.check`):

(a) axe-core, WCAG 2.0/2.1/2.2 A and AA rules: no serious or critical violation;
(b) no sideways scrolling: `scrollWidth <= innerWidth` at the viewport, and on the phone run
    also at 360 x 800;
(c) phone only: every visible interactive control - `a[href]`, `button`, `input` (not hidden),
    `select`, `textarea`, `summary`, and a `label` that wraps a control - is at least 44 x 44
    CSS px. A checkbox or radio counts through its label (the label is the target that takes
    the tap), so the label must be 44 x 44 instead. The one exception is WCAG 2.5.8's
    "inline" one: a link whose computed display is `inline` and whose nearest block
    ancestor holds text besides the link's own (a link inside a sentence of running text,
    e.g. `p a`, `.prose a`, a link in a list item's sentence) is not measured;
(d) phone only: no visible text (outside SVG charts) set below 14 px;
(e) no raw template syntax (`{{`, `{%`) in the page's text;
(f) no console error (CSP violations are reported there and by `securitypolicyviolation`),
    no uncaught page error, no response of 500 or more.

Keyboard focus: on the register page the first three controls reached by Tab show an outline
at least 2 px wide. A mistyped address shows the Chinese 404 page, checked like any other.

Times: the test notes the UTC moment it starts the mock exam and the abandoned set, and
asserts the pages show those moments in Asia/Shanghai ('12月6日 18:35'), never in UTC.

Checks are collected rather than raised one by one, so that one run lists every problem on
every page (with the page state's number and name); the test fails at the end if any was
found. Full-page screenshots of every state go to tests/artifacts/journey/<viewport>/.
"""
from __future__ import annotations

import random
import re
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import PASSWORD, make_instructor
from test_browser import ARTIFACTS, browser, live_app, server, sync_api  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

JOURNEY = ARTIFACTS / "journey"
DEVICES = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
NARROWEST = {"width": 360, "height": 800}
ZONE = "Asia/Shanghai"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ALL_TYPES = {"single", "multiple", "truefalse", "fill", "matching", "ordering", "short", "case"}

# (c) and (d), run in the page. Returns a list of "what size" strings for the failures.
TARGETS_JS = r"""
() => {
  const visible = el => {
    if (el.closest('.sr, [hidden], [aria-hidden=true]')) return false;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none') return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1;
  };
  const isBlock = el => !getComputedStyle(el).display.startsWith('inline');
  const inRunningText = a => {
    if (getComputedStyle(a).display !== 'inline') return false;
    let block = a.parentElement;
    while (block && !isBlock(block)) block = block.parentElement;
    if (!block) return false;
    const own = a.textContent.replace(/\s+/g, '');
    const all = block.textContent.replace(/\s+/g, '');
    return all.length > own.length;
  };
  const describe = (el, r) => {
    const cls = el.getAttribute('class') ? '.' + el.getAttribute('class').trim().split(/\s+/).join('.') : '';
    const text = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ').slice(0, 24);
    return `${el.tagName.toLowerCase()}${cls} "${text}" ${Math.round(r.width)}x${Math.round(r.height)}`;
  };
  const bad = [];
  const seen = new Set();
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary, label';
  for (let el of document.querySelectorAll(selector)) {
    if (el.tagName === 'LABEL' && !el.querySelector('input:not([type=hidden]), select, textarea')) continue;
    if (el.tagName === 'INPUT' && (el.type === 'checkbox' || el.type === 'radio')) {
      const label = el.closest('label') || (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`));
      if (label) el = label;   // the label takes the tap
    }
    if (seen.has(el) || !visible(el)) continue;
    seen.add(el);
    if (el.tagName === 'A' && inRunningText(el)) continue;   // WCAG 2.5.8 inline exception
    const r = el.getBoundingClientRect();
    if (r.width < 43.5 || r.height < 43.5) bad.push(describe(el, r));
  }
  return bad;
}
"""

SMALL_TEXT_JS = r"""
() => {
  const found = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.textContent.trim()) continue;
    const el = node.parentElement;
    if (!el || el.closest('svg, .sr, [hidden], script, style, option')) continue;
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || el.getClientRects().length === 0) continue;
    const size = parseFloat(s.fontSize);
    if (size < 13.95) {
      const cls = el.getAttribute('class') ? '.' + el.getAttribute('class').trim().split(/\s+/).join('.') : '';
      const key = `${el.tagName.toLowerCase()}${cls} ${size.toFixed(1)}px`;
      if (!found.has(key)) found.set(key, node.textContent.trim().slice(0, 16));
    }
  }
  return [...found].map(([k, v]) => `${k} "${v}"`);
}
"""

# What an answer form holds (names and values, the CSRF token left out).
FORM_STATE_JS = """() => [...new FormData(document.querySelector('form[data-answer-form]')).entries()]
    .filter(([k]) => k !== 'csrf_token').map(([k, v]) => k + '=' + v)"""

CSP_LISTENER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '') + ':' + e.lineNumber));
"""


def local_stamps(start: datetime, end: datetime, zone: str) -> set[str]:
    """'12月6日 18:35' for every minute from `start` to `end` (naive UTC) in `zone`."""
    from tutor.localtime import short
    stamps, moment = set(), start.replace(second=0, microsecond=0)
    while moment <= end:
        stamps.add(short(moment, zone))
        moment += timedelta(minutes=1)
    return stamps


class Journey:
    """One viewport's walk: the page, its numbered states and everything found wrong."""

    def __init__(self, browser: Any, device: str, server: str) -> None:
        self.browser, self.device, self.server = browser, device, server
        self.phone = device == "phone"
        self.folder = JOURNEY / device
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.number = 0
        self.state = "start"
        self.problems: list[str] = []
        self.notes: list[str] = []
        self.pending: list[str] = []   # console errors, 5xx seen since the last check
        self.context: Any = None
        self.page: Any = None
        self.seconds = {"checks": 0.0, "axe": 0.0}

    # -- the browser ------------------------------------------------------------------------

    def open(self) -> Any:
        if self.context is not None:
            self.context.close()
        self.context = self.browser.new_context(locale="zh-CN", device_scale_factor=1, **DEVICES[self.device])
        self.context.add_init_script(CSP_LISTENER)
        page = self.context.new_page()
        page.set_default_timeout(15_000)
        page.on("console", lambda m: m.type == "error" and self.pending.append(f"console error: {m.text}"))
        page.on("pageerror", lambda e: self.pending.append(f"page error: {e}"))
        page.on("response", lambda r: r.status >= 500 and self.pending.append(f"HTTP {r.status} {r.url}"))
        page.on("dialog", self._dialog)
        self.page = page
        return page

    def _dialog(self, dialog: Any) -> None:
        self.notes.append(f"[{self.state}] dialog {dialog.type}: {dialog.message!r}")
        dialog.accept()

    def close(self) -> None:
        if self.context is not None:
            self.context.close()
            self.context = None

    # -- findings -------------------------------------------------------------------------

    def fail(self, message: str) -> None:
        where = "before the first state" if self.number == 0 else f"at/after {self.number:02d}-{self.state}"
        self.problems.append(f"[{self.device}, {where}] {message}")

    def expect(self, condition: bool, message: str) -> bool:
        if not condition:
            self.fail(message)
        return bool(condition)

    def attempt(self, what: str, action: Callable[[], Any]) -> bool:
        """Do a step that needs another engineer's feature; note it and go on if it fails."""
        try:
            action()
            return True
        except (AssertionError, sync_api.Error) as exc:
            self.fail(f"{what}: {str(exc).splitlines()[0][:300]}")
            return False

    def text(self) -> str:
        return self.page.locator("body").inner_text()

    def has_text(self, needle: str) -> bool:
        return needle in self.text()

    # -- one page state ---------------------------------------------------------------------

    def check(self, name: str) -> None:
        page = self.page
        page.wait_for_load_state("load")
        began = time.monotonic()
        self.number += 1
        self.state = name
        # from the top: a full-page shot of a scrolled page repeats the sticky header mid-page
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(self.folder / f"{self.number:02d}-{name}.png"), full_page=True)

        from axe_playwright_python.sync_playwright import Axe
        axe_began = time.monotonic()
        result = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS},
                                           "resultTypes": ["violations"]}).response
        self.seconds["axe"] += time.monotonic() - axe_began
        for v in result["violations"]:
            nodes = [" ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
                     for n in v["nodes"]][:4]
            line = f"axe {v['id']} ({v['impact']}) on {nodes}"
            if v["impact"] in ("serious", "critical"):
                self.fail(line)
            else:
                self.notes.append(f"[{self.device} {self.number:02d}-{name}] {line}")

        self._no_sideways_scroll()
        if self.phone:
            small = page.evaluate(TARGETS_JS)
            self.expect(not small, f"tap targets under 44x44: {small[:12]}{' …' if len(small) > 12 else ''}")
            tiny = page.evaluate(SMALL_TEXT_JS)
            self.expect(not tiny, f"text under 14px: {tiny[:10]}")
            page.set_viewport_size(NARROWEST)
            self._no_sideways_scroll()
            page.set_viewport_size(DEVICES["phone"]["viewport"])

        body = self.text()
        self.expect("{{" not in body and "{%" not in body,
                    f"raw template text: {body[max(0, body.find('{{') - 30):body.find('{{') + 30]!r}")
        csp = page.evaluate("window.__csp || []")
        self.expect(not csp, f"CSP violations: {csp}")
        self.expect(not self.pending, f"since the last state: {self.pending[:6]}")
        self.pending = []
        self.seconds["checks"] += time.monotonic() - began

    def _no_sideways_scroll(self) -> None:
        width, inner = self.page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        if width > inner:
            wide = self.page.evaluate("""() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > innerWidth + 1 && !e.closest('.scroll, .prose table'))
                .slice(-4).map(e => e.tagName.toLowerCase() + (e.className && typeof e.className === 'string'
                ? '.' + e.className.trim().split(/\\s+/).join('.') : '') + ' right=' + Math.round(e.getBoundingClientRect().right))""")
            self.fail(f"scrolls sideways at {inner}px: scrollWidth {width}; widest: {wide}")

    def goto(self, path: str) -> None:
        response = self.page.goto(self.server + path)
        self.expect(response is not None and response.status < 400,
                    f"GET {path} answered {response.status if response else 'nothing'}")


# -- answering -------------------------------------------------------------------------------

def answer_shown(page: Any) -> None:
    """Give an answer to the question on the page, whatever its type: first options, text in
    blanks and boxes, distinct ranks and distinct matches."""
    form = page.locator("form[data-answer-form]")
    for fieldset in form.locator("fieldset.options").all():
        fieldset.locator("label.option").first.click()
    for field in form.locator("input[type=text]").all():
        field.fill("最低")
    for field in form.locator("textarea").all():
        field.fill("双赢")
    groups: dict[str, int] = {}
    for select in form.locator("select").all():
        group = re.sub(r"\d+$", "", select.get_attribute("name") or "")
        j = groups.get(group, 0)
        groups[group] = j + 1
        options = select.locator("option").count()
        select.select_option(index=(j % (options - 1)) + 1)


def shown_question(live_app: Any, page: Any) -> Any:
    """The question the practice page at `page.url` shows (read from the database)."""
    from conftest import current_delivery
    set_id = int(re.search(r"/practice/(\d+)", page.url).group(1))
    delivery = current_delivery(live_app, set_id)
    return live_app.extensions["tutor_content"].catalog.course("chapter8").by_id[delivery.question_id]


def answer_through_set(j: Journey, live_app: Any, checked: set[str] | None = None, stop_after: int | None = None,
                       label: str = "") -> int:
    """Answer questions in the browser until the set's summary (or `stop_after` answers).
    The first question and feedback page of each type not in `checked` are checked states."""
    page, answered = j.page, 0
    while "/summary" not in page.url and page.locator("form[data-answer-form]").count():
        q = shown_question(live_app, page)
        if checked is not None and q.type not in checked:
            j.check(f"{label}question-{q.type}")
        answer_shown(page)
        page.get_by_role("button", name="提交答案").click()
        page.wait_for_url(re.compile(r"/practice/\d+/\d+$"))
        answered += 1
        verdict = page.locator(".verdict").inner_text()
        j.expect(verdict.startswith(("✓ 回答正确", "✗ 回答错误", "◐ 部分正确")), f"verdict reads {verdict!r}")
        if checked is not None and q.type not in checked:
            checked.add(q.type)
            j.check(f"{label}feedback-{q.type}")
        if stop_after is not None and answered >= stop_after:
            break
        page.locator("a[data-next]").click()
        # 下一题 swaps the prefetched question in and pushes its URL (no page load), or loads the summary
        page.wait_for_url(re.compile(r"/practice/\d+(/summary)?$"))
        page.wait_for_load_state("load")
    return answered


def seed_covering_all_types(questions: tuple[Any, ...], size: int) -> int | None:
    """A seed under which the app's random picker, for a student new to these questions,
    draws a set of `size` holding every type the scope has (pick_random shuffles the scope's
    new questions with the app's random source and takes the first `size`)."""
    kinds = {q.type for q in questions}
    for seed in range(200_000):
        ids = list(questions)
        random.Random(seed).shuffle(ids)
        if {q.type for q in ids[:size]} == kinds:
            return seed
    return None


# -- the journey -----------------------------------------------------------------------------

def student_path(j: Journey, live_app: Any, name: str) -> None:
    from tutor.models import utcnow
    course = live_app.extensions["tutor_content"].catalog.course("chapter8")
    page = j.open()

    j.goto("/auth/register")
    j.expect(j.has_text("至少 8 个字符"), "the register page does not show the password rule (密码至少 8 个字符) before submitting (H3)")
    j.check("register")
    # keyboard users see where they are: the first few controls reached by Tab show a focus ring
    for _ in range(3):
        page.keyboard.press("Tab")
        ring = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
            return [document.activeElement.tagName, s.outlineStyle, parseFloat(s.outlineWidth)] }""")
        j.expect(ring[1] != "none" and ring[2] >= 2, f"no visible focus ring on a {ring[0]} reached by Tab: {ring}")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_role("button", name="注册并开始学习").click()
    page.wait_for_url(j.server + "/")
    j.expect(page.get_by_text("注册成功").is_visible(), "no 注册成功 message after registering")
    j.check("home-new")

    # a lesson, then its knowledge point's choose page
    page.get_by_role("link", name="客户调查的步骤").click()
    section = page.locator("section#survey\\.steps")
    j.expect(section.get_by_role("heading", name="要点").is_visible(), "the lesson's 要点 are not shown")
    j.check("lesson")
    section.get_by_role("link", name=re.compile("练习这个知识点")).click()
    j.expect(page.get_by_role("heading", name="客户调查的步骤").is_visible(), "the choose page has no heading")
    j.check("choose")
    choose_url = page.url

    # 随机练习: a set holding every type of this scope (the seed is looked up, not hoped for)
    scope = course.by_knowledge_point["survey.steps"]
    seed = seed_covering_all_types(scope, 10)
    assert seed is not None
    live_app.extensions["tutor_random"] = random.Random(seed)
    page.get_by_role("button", name=re.compile("随机练习")).click()
    page.wait_for_url(re.compile(r"/practice/\d+$"))

    # starring the first question: no reload, the chosen option stays chosen (H1)
    answer_shown(page)
    before = page.evaluate(FORM_STATE_JS)
    page.evaluate("window.__sameDocument = true")
    star = page.locator("button.starbtn")
    star.click()
    j.attempt("starring: the button does not turn to ★ 已收藏",
              lambda: sync_api.expect(page.locator("button.starbtn")).to_contain_text("已收藏", timeout=5000))
    same = page.evaluate("window.__sameDocument === true")
    j.expect(same, "starring reloads the page (H1: ☆收藏 without reload)")
    after = page.evaluate(FORM_STATE_JS)
    j.expect(before == after, f"starring changed the answer given before it: {before} became {after} (H1)")
    j.check("question-starred")
    starred_id = shown_question(live_app, page).id

    checked: set[str] = set()
    answer_through_set(j, live_app, checked, stop_after=2)
    # the second feedback page offers 上一题 and 下一题 (H1)
    j.expect(page.get_by_role("link", name="上一题").count() > 0, "the feedback page has no 上一题 link (H1)")
    j.expect(page.get_by_role("link", name="下一题").count() > 0, "the feedback page has no 下一题 link")
    page.locator("a[data-next]").click()
    page.wait_for_url(re.compile(r"/practice/\d+(/summary)?$"))
    answer_through_set(j, live_app, checked)
    j.expect(checked == {q.type for q in scope},
             f"the random set showed types {sorted(checked)}, the scope has {sorted({q.type for q in scope})}")
    j.expect(page.get_by_role("heading", name="本组练习完成").is_visible(), "the random set ends without its summary")
    j.check("summary-random")

    # 背题模式 over the same knowledge point
    page.goto(choose_url)
    page.get_by_role("button", name=re.compile("背题模式")).click()
    j.expect(page.get_by_role("heading", name="答案").is_visible(), "背题模式 shows no 答案")
    j.check("study")
    page.locator("a[data-next]").click()
    j.check("study-next")

    # 顺序练习 through the whole of a small scope (22 questions: 10 + 10 + 2), then one set more
    small = "segmentation.necessity"
    size = len(course.by_knowledge_point[small])
    j.goto(f"/practice/choose?course=chapter8&scope=kp&id={small}")
    j.expect(j.has_text("按题库顺序从第 1 题开始"), "the choose page of a new scope does not say 从第 1 题开始")
    answered = 0
    for round_ in range(3):
        page.get_by_role("button", name=re.compile("顺序练习" if round_ == 0 else "再练一组")).click()
        page.wait_for_url(re.compile(r"/practice/\d+$"))
        answered += answer_through_set(j, live_app, checked, label="seq-")
        j.expect(page.url.endswith("/summary"), f"a 顺序练习 set ends at {page.url}, not its summary")
    j.expect(answered == size, f"顺序练习 took {answered} answers to cover {size} questions")
    j.check("sequential-done")
    j.goto(f"/practice/choose?course=chapter8&scope=kp&id={small}")
    j.expect(j.has_text("已做完一遍 · 从第 1 题开始第二遍"),
             "after the whole scope, the choose page does not say 已做完一遍 · 从第 1 题开始第二遍 (H1)")
    j.check("choose-wrapped")
    page.get_by_role("button", name=re.compile("顺序练习")).click()
    page.wait_for_url(re.compile(r"/practice/\d+$"))
    j.expect(shown_question(live_app, page).id == course.by_knowledge_point[small][0].id,
             "the second pass does not start at the scope's first question")
    answer_through_set(j, live_app, stop_after=3)
    j.goto(f"/practice/choose?course=chapter8&scope=kp&id={small}")
    j.expect(j.has_text("继续第 4 题"), "after 3 answers of the second pass the choose page does not say 继续第 4 题 (H1)")
    j.check("choose-continue")

    # an abandoned set: one answer of ten, then away
    j.goto("/practice/choose?course=chapter8&scope=kp&id=survey.methods")
    abandoned_at = utcnow()
    page.get_by_role("button", name=re.compile("随机练习")).click()
    page.wait_for_url(re.compile(r"/practice/\d+$"))
    abandoned = int(re.search(r"/practice/(\d+)", page.url).group(1))
    answer_through_set(j, live_app, stop_after=1)
    abandoned_until = utcnow()
    page.get_by_role("link", name="课程").first.click()
    home = j.text()
    j.expect("继续上次练习" in home, "the home page has no 继续上次练习 card after an abandoned set (H1)")
    j.check("home-continue")
    j.goto(f"/practice/{abandoned}/summary")
    summary = j.text()
    j.expect("已答1/10" in summary.replace(" ", ""), "the unfinished set's summary does not say 已答 1/10 (H1)")
    j.expect(page.get_by_role("link", name=re.compile("^继续")).count() > 0
             or page.get_by_role("button", name=re.compile("^继续")).count() > 0,
             "the unfinished set's summary has no 继续 control (H1)")
    j.check("summary-unfinished")
    if page.get_by_role("link", name=re.compile("^继续")).count():
        page.get_by_role("link", name=re.compile("^继续")).first.click()
        j.expect(f"/practice/{abandoned}" in page.url and page.locator("form[data-answer-form]").count() == 1,
                 "继续 does not return to the unfinished set's next question")

    # 错题本, an entry's detail page, 收藏
    j.goto("/")
    page.locator("a.tile", has_text="错题本").click()
    j.expect(page.get_by_role("heading", name="错题本").is_visible(), "no 错题本 heading")
    j.check("notebook")
    entries = page.locator("main li[data-entry] a")
    if j.expect(entries.count() > 0, "错题本 entries are not links to a detail page (H1)"):
        entries.first.click()
        page.wait_for_load_state("load")
        j.check("notebook-entry")
    j.goto("/")
    page.locator("a.tile", has_text="收藏").click()
    starred = course.by_id[starred_id]
    from tutor.questions import question_type
    j.expect(question_type(starred).render_stem(starred)[:12] in j.text(), "the starred question is not in 收藏")
    j.check("favourites")

    # 智能复习
    j.goto("/")
    page.locator("form.tile button", has_text="智能复习").click()
    page.wait_for_load_state("load")
    j.check("review")

    # a mock exam: 答题卡, a flag, the confirm page, the result
    j.goto("/exams/")
    j.check("exam-index")
    exam_from = utcnow()
    page.get_by_role("button", name="开始考试").first.click()
    page.wait_for_url(re.compile(r"/exams/\d+"))
    exam_until = utcnow()
    paper_url = page.url.split("?")[0]
    j.expect(not page.locator("header.site nav a", has_text="我的进度").is_visible(),
             "the site navigation is shown during a paper (H2: focused exam header)")
    j.expect(page.get_by_role("heading", name="答题卡").is_visible(), "no visible 答题卡 heading (H2)")
    answer_shown(page)
    j.check("exam-item")
    page.get_by_role("button", name=re.compile("保存并下一题")).click()
    page.wait_for_load_state("load")
    flag = page.get_by_label(re.compile("标记"))
    j.attempt("flagging question 2", lambda: flag.first.check())
    prev, nxt = page.get_by_role("button", name="上一题"), page.get_by_role("button", name=re.compile("保存并下一题"))
    if prev.count() and nxt.count():
        j.expect(prev.bounding_box()["x"] < nxt.bounding_box()["x"], "上一题 is not left of 保存并下一题 (H2)")
    j.check("exam-item-flagged")
    page.get_by_role("button", name=re.compile("保存并下一题")).click()
    page.wait_for_load_state("load")
    cell2 = page.locator(".sheet .cell").nth(1)
    j.expect("flagged" in (cell2.get_attribute("class") or ""), "答题卡 does not mark question 2 as flagged")
    page.get_by_role("button", name=re.compile("交卷")).first.click()
    j.attempt("the confirm page", lambda: sync_api.expect(page.get_by_role("heading", name="确认交卷？")).to_be_visible())
    j.expect(re.search(r"第\s*2\s*题", j.text()) is not None, "the confirm page does not list the flagged question 2")
    j.check("exam-confirm")
    page.get_by_role("button", name="确认交卷").click()
    page.wait_for_url(re.compile(r"/result"))
    j.expect(page.locator("h1").count() == 1, "the exam result has no <h1> (H2)")
    bignum = page.locator(".bignum").first.inner_text() if page.locator(".bignum").count() else ""
    j.expect(not re.search(r"\d\.\d", bignum), f"the result's score is not an integer: {bignum!r} (H2)")
    j.expect("用时 0 分钟" not in j.text(), "the result says 用时 0 分钟 for a paper that took seconds (H2: real time used)")
    j.check("exam-result")
    wrong_only = page.get_by_text("只看错题")
    if j.expect(wrong_only.count() > 0, "the result has no 只看错题 control (H2)"):
        j.attempt("只看错题", lambda: wrong_only.first.click())
        j.check("exam-result-wrong-only")
    j.goto("/exams/")
    records = j.text()
    j.expect(any(s in records for s in local_stamps(exam_from, exam_until, ZONE)),
             f"the exam records do not show the start in 北京时间 ({sorted(local_stamps(exam_from, exam_until, ZONE))})")
    j.expect(not any(s in records for s in local_stamps(exam_from, exam_until, "UTC")), "the exam records show UTC")
    j.check("exam-records")

    # 我的进度
    page.get_by_role("link", name="我的进度").first.click()
    progress = j.text()
    j.expect(any(level in progress for level in ("入门", "熟练", "掌握")), "我的进度 shows no mastery level")
    history = page.locator("ol.history li", has=page.locator(f"a[href$='/practice/{abandoned}/summary']"))
    if j.expect(history.count() == 1, "the abandoned set is not in the 练习 history"):
        row = history.first.inner_text().replace(" ", "")
        j.expect("已答1/10" in row and "继续" in row, f"the history row of the abandoned set reads {row!r} (H1: 已答 1/10 + 继续)")
        j.expect(any(s.replace(" ", "") in row for s in local_stamps(abandoned_at, abandoned_until, ZONE)),
                 f"the history row does not show the set's start in 北京时间: {row!r}")
    j.expect(any(s in progress for s in local_stamps(exam_from, exam_until, ZONE)),
             "我的进度 does not show the exam's start in 北京时间")
    j.expect(not any(s in progress for s in local_stamps(exam_from, exam_until, "UTC")), "我的进度 shows UTC times")
    j.check("progress")
    page.get_by_role("link", name="课程").first.click()
    j.check("home-end")

    # a mistyped address: the error page, in Chinese, with a way home
    response = page.goto(j.server + "/practice/999999/summary")
    j.expect(response is not None and response.status == 404, "a missing set is not a 404")
    j.pending = [p for p in j.pending if "404" not in p]    # the browser logs the 404 it was shown
    j.expect(page.get_by_role("link", name="返回首页").count() == 1, "the error page has no 返回首页")
    j.check("not-found")


def seed_class(live_app: Any, device: str) -> list[str]:
    """Three students with a fortnight of practice and a mock exam each, through the app's own
    recording code (seeding.py); returns their names."""
    from seeding import answer, exam, student
    from tutor.models import utcnow
    course = live_app.extensions["tutor_content"].catalog.course("chapter8")
    moment = utcnow()
    names = [f"{device}{n}" for n in ("王芳", "李强", "张伟")]
    singles = [q.id for q in course.questions if q.type == "single"][:20]
    for rank, name in enumerate(names):
        uid = student(live_app, name)
        for d, kp in enumerate(course.knowledge_points):
            for i, q in enumerate(course.by_knowledge_point[kp][: 8 - 2 * rank]):
                if q.type in ("single", "multiple", "truefalse"):
                    answer(live_app, uid, q.id, correct=(i + d + rank) % 3 != 0,
                           at=moment - timedelta(days=(i + d) % 12, hours=rank))
        exam(live_app, uid, singles, right=set(range(14 - 4 * rank)), started=moment - timedelta(days=2 + rank))
    live_app.extensions["tutor_clock"] = utcnow
    return names


def teacher_path(j: Journey, live_app: Any, student_name: str) -> None:
    teacher = f"{j.device}老师"
    make_instructor(live_app, teacher)
    seed_class(live_app, j.device)
    page = j.open()
    j.goto("/auth/login")
    j.check("login")
    page.get_by_label("用户名").fill(teacher)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("load")
    j.expect(page.url.rstrip("/").endswith("/instructor"), f"an instructor lands on {page.url}, not /instructor/ (H3)")
    if "/instructor" not in page.url:
        j.goto("/instructor/")
    j.expect(page.locator("table.class tbody tr", has_text=student_name).count() == 1,
             "the class overview does not list the journey's student")
    j.expect(not j.has_text("7 天未学习") or "7 天未学习" not in page.locator("table.class tbody tr", has_text=student_name).inner_text(),
             "a student who registered today is flagged 7 天未学习 (H4)")
    j.check("class-overview")

    page.locator("nav.tabs a", has_text="掌握热图").click()
    j.check("heatmap")

    page.locator("nav.tabs a", has_text="题目分析").click()
    j.check("items")
    main = page.locator("main")
    # the first knowledge point, through the filter form (H4)
    first_kp = next(iter(live_app.extensions["tutor_content"].catalog.course("chapter8").knowledge_points.values()))
    j.attempt("题目分析: filter by a knowledge point", lambda: (
        main.locator("select").first.select_option(label=first_kp.name),
        main.get_by_role("button", name="筛选").click()))
    page.wait_for_load_state("load")
    rows = page.locator("table.items tbody tr").count()
    j.expect(rows == len(live_app.extensions["tutor_content"].catalog.course("chapter8").by_knowledge_point[first_kp.id]),
             f"filtered by {first_kp.name}, 题目分析 shows {rows} rows")
    j.check("items-filtered")
    j.goto("/instructor/items")
    j.attempt("题目分析: sort by a column", lambda: main.locator("thead a").filter(has_text=re.compile("难度|作答")).first.click(timeout=5000))
    page.wait_for_load_state("load")
    j.expect("sort=" in page.url, f"sorting 题目分析 went to {page.url}")
    j.check("items-sorted")
    j.expect(page.locator("table.items tbody tr").count() <= 50, "题目分析 shows more than 50 rows on a page (H4)")
    pager = page.get_by_role("link", name=re.compile(r"^(2|下一页.*)$"))
    if j.expect(pager.count() > 0, "题目分析 has no link to page 2 (H4)"):
        pager.first.click()
        page.wait_for_load_state("load")
        j.expect("page=2" in page.url or "p=2" in page.url, f"page 2 is at {page.url}")
        j.check("items-page-2")
    page.locator("table.items tbody a").first.click()
    page.wait_for_load_state("load")
    j.check("preview")

    j.goto("/instructor/")
    page.locator("table.class tbody tr", has_text=student_name).locator("a").first.click()
    page.wait_for_load_state("load")
    j.expect(student_name in j.text(), "the student's progress page does not name the student")
    j.check("student-progress")
    result = page.locator("a[href*='/result']")
    if j.expect(result.count() > 0, "the student's progress page has no link to the exam result"):
        result.first.click()
        page.wait_for_load_state("load")
        j.expect(student_name in j.text(), "an instructor viewing a student's exam result is not told whose it is (H2)")
        j.check("student-exam-result")

    j.goto("/instructor/review")
    j.check("review-queue")
    j.goto("/instructor/content")
    j.check("content")
    j.goto("/instructor/import")
    j.check("import")


def write_index() -> None:
    """tests/artifacts/journey/index.md: the screenshots of each viewport, in journey order."""
    lines = ["# The first-hour journey", ""]
    for device in DEVICES:
        shots = sorted((JOURNEY / device).glob("*.png"))
        if shots:
            lines += [f"## {device}", "", *(f"- [{p.stem}]({device}/{p.name})" for p in shots),
                      "", f"Findings: [{device}-findings.txt]({device}-findings.txt)", ""]
    (JOURNEY / "index.md").write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.parametrize("device", list(DEVICES))
def test_first_hour(server: str, browser, live_app, device: str) -> None:   # noqa: F811
    j = Journey(browser, device, server)
    student = f"{device}学员"
    try:
        student_path(j, live_app, student)
        teacher_path(j, live_app, student)
    finally:
        j.close()
        (JOURNEY / f"{device}-findings.txt").write_text(
            "\n".join(j.problems) + f"\n\n-- seconds in checks: {j.seconds} --\n-- not failing (moderate/minor axe, dialogs) --\n" + "\n".join(j.notes) + "\n",
            encoding="utf-8")
        write_index()
    assert not j.problems, "\n".join(j.problems)
