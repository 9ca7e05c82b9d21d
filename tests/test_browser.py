"""Browser tests: Playwright driving Debian's Chromium against the app on a real server.

Screenshots at phone and laptop widths are written to tests/artifacts/ for people to look at.
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Iterator

import pytest
from werkzeug.serving import make_server

from tutor.extensions import db

from conftest import PASSWORD, delivery_of, make_app

CHROMIUM = os.environ.get("TUTOR_TEST_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
VIEWPORTS = {"phone": {"width": 375, "height": 812}, "laptop": {"width": 1280, "height": 860}}

pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    pytest.skip(f"Chromium not found at {CHROMIUM}: install Debian's chromium package "
                "(apt-get install chromium fonts-wqy-microhei) to run the browser tests",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
expect = sync_api.expect


@pytest.fixture(scope="module")
def live_app(tmp_path_factory: pytest.TempPathFactory):
    return make_app(tmp_path_factory.mktemp("live"))


@pytest.fixture(scope="module")
def server(live_app) -> Iterator[str]:
    app = live_app
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


def go_next(page) -> None:
    """Click 下一题 and wait until the next card or page is shown: the in-place swap pushes the
    next card's URL once it is on the page (at once if prefetched, else after its fetch), and
    the last one loads the summary; until then the feedback card is still there."""
    link = page.locator("a[data-next]")
    link.wait_for()                       # the feedback card is shown, with its own URL
    before = page.url
    link.click()
    expect(page).not_to_have_url(before)
    page.wait_for_load_state("load")


def on_item(page, text: str) -> None:
    """Wait until the exam page for `text` has loaded, scripts included, before typing."""
    expect(page.locator(".examhead")).to_contain_text(text)
    page.wait_for_load_state("load")


def shoot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def assert_accessible(page) -> None:
    """axe-core (axe-playwright-python ships it) finds no WCAG violation on the page."""
    from axe_playwright_python.sync_playwright import Axe
    violations = Axe().run(page).response["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


def login_in_browser(page, server: str, name: str) -> None:
    page.goto(server + "/auth/login")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def register_in_browser(page, server: str, name: str) -> None:
    page.goto(server + "/auth/register")
    page.get_by_label("用户名").fill(name)
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_role("button", name="注册并开始学习").click()


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
    expect(page.get_by_text("注册成功")).to_be_visible()
    shoot(page, f"{device}-home")

    page.get_by_role("link", name="客户调查的方法").click()
    section = page.locator("section#survey\\.methods")
    expect(section.get_by_role("heading", name="要点")).to_be_visible()
    assert "人员走访" in section.inner_text()
    shoot(page, f"{device}-lesson")

    section.get_by_role("link", name="练习这个知识点").click()
    page.get_by_role("button", name="随机练习").click()
    for number in (1, 2, 3):
        expect(page.locator(".counter")).to_have_text(f"{number} / 10")
        answer_whatever_is_shown(page)
        if number == 1:
            shoot(page, f"{device}-question")
        page.get_by_role("button", name="提交答案").click()
        verdict = page.locator(".verdict")
        expect(verdict).to_contain_text(re.compile("✓ 回答正确|✗ 回答错误|◐ 部分正确"))
        expect(page.get_by_role("heading", name="解析")).to_be_visible()
        if number == 1:
            shoot(page, f"{device}-feedback")
        page.get_by_role("link", name="下一题").click()

    page.get_by_role("link", name="我的进度").click()
    expect(page.locator(".stats")).to_contain_text("累计答题")
    page.wait_for_load_state("load")        # inner_text follows the layout: styles first
    stats = page.locator(".stats").inner_text()
    assert "3累计答题" in stats.replace("\n", "")
    history = page.locator("ol.history li")
    expect(history).to_have_count(1)
    assert "已答 3/10 · 继续" in history.first.inner_text()   # the set is not finished
    page.get_by_text("以表格查看").first.click()
    row = page.locator("tr", has_text="客户调查的方法")
    assert "3/21" in row.inner_text().replace(" ", "") or "/" in row.inner_text()
    shoot(page, f"{device}-progress")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= VIEWPORTS[device]["width"], "the page must not scroll sideways"
    context.close()


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_mock_exam_with_keyboard_and_answer_sheet(server: str, browser, device: str) -> None:
    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    register_in_browser(page, server, f"考生{device}")
    page.get_by_role("link", name="模拟考试").first.click()
    page.get_by_role("button", name="开始考试").click()
    assert page.locator("#clock").inner_text().startswith(("45:00", "44:5"))
    shoot(page, f"{device}-exam-item")
    # jump with the answer sheet to question 5, flag it, answer it with the keyboard
    page.locator(".sheet button.cell", has_text="5").first.click()
    on_item(page, "第 5 / 40 题")
    page.get_by_label("标记本题").check()
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    on_item(page, "第 6 / 40 题")
    cell5 = page.locator(".sheet button.cell").nth(4)
    assert "answered" in cell5.get_attribute("class") and "flagged" in cell5.get_attribute("class")
    page.locator(".sheet button.cell").first.click()
    for number in range(1, 39):
        on_item(page, f"第 {number} / 40 题")
        if number != 5:    # 5 is answered already: Enter keeps its answer and moves on
            page.keyboard.press("2" if number % 3 else "1")
        page.keyboard.press("Enter")
    # question 39 is left blank: moving on with the answer sheet saves nothing for it
    on_item(page, "第 39 / 40 题")
    page.locator(".sheet button.cell").nth(39).click()
    on_item(page, "第 40 / 40 题")
    page.keyboard.press("1")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="确认交卷？")).to_be_visible()
    confirm = page.locator("main").inner_text()
    assert "还有 1 道题没有作答" in confirm and "第39题" in confirm and "已标记的题" in confirm
    shoot(page, f"{device}-exam-confirm")
    page.get_by_role("button", name="确认交卷").click()
    expect(page.locator(".bignum")).to_be_visible()     # waits for the result page to load
    result = page.locator("main").inner_text()
    assert "各题型得分" in result and "逐题回顾" in result and "未作答" in result
    expect(page.locator("section.review")).to_have_count(40)
    shoot(page, f"{device}-exam-result")
    context.close()


def test_fill_ordering_and_matching_in_the_browser(server: str, browser, live_app) -> None:
    from datetime import datetime, timedelta

    from sqlalchemy import select

    from tutor.models import Favourite, User

    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="zh-CN")
    page = context.new_page()
    register_in_browser(page, server, "新题型")
    course = live_app.extensions["tutor_content"].catalog.course("chapter8")
    wanted = {kind: next(q for q in course.questions if q.type == kind)
              for kind in ("fill", "ordering", "matching")}
    with live_app.app_context():   # arrange: the three questions starred, in this order
        user = db.session.scalar(select(User).where(User.username == "新题型"))
        start = datetime(2026, 1, 1)
        for offset, q in enumerate(reversed(list(wanted.values()))):
            db.session.add(Favourite(user_id=user.id, course_id="chapter8", question_id=q.id,
                                     created_at=start + timedelta(minutes=offset)))
        db.session.commit()
    page.goto(server + "/favourites")
    page.get_by_role("button", name="练习收藏的题").click()

    fill = wanted["fill"]
    for i, accepted in enumerate(fill.blanks):
        page.get_by_label(f"第 {i + 1} 空").fill(accepted[0] + "。")
    shoot(page, "phone-fill")
    page.get_by_role("button", name="提交答案").click()
    assert page.locator(".verdict").inner_text().startswith("✓ 回答正确")
    page.get_by_role("link", name="下一题").click()

    ordering = wanted["ordering"]
    for position, item in enumerate(ordering.items, start=1):
        page.get_by_label(f"“{item}”的顺序").select_option(str(position))
    shoot(page, "phone-ordering")
    page.get_by_role("button", name="提交答案").click()
    assert page.locator(".verdict").inner_text().startswith("✓ 回答正确")
    page.get_by_role("link", name="下一题").click()

    matching = wanted["matching"]
    for pair in matching.pairs:
        page.locator("label.pair", has_text=pair.left).locator("select").select_option(label=pair.right)
    shoot(page, "phone-matching")
    page.get_by_role("button", name="提交答案").click()
    assert page.locator(".verdict").inner_text().startswith("✓ 回答正确")
    shoot(page, "phone-matching-feedback")
    page.get_by_role("link", name="查看本组结果").click()
    assert "3 / 3" in page.locator(".bignum").inner_text()
    context.close()


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_progress_and_instructor_dashboard_with_seeded_data(server: str, browser, live_app, device: str) -> None:
    from datetime import timedelta

    from tutor.models import utcnow
    from seeding import answer, exam, student

    course = live_app.extensions["tutor_content"].catalog.course("chapter8")
    moment = utcnow()
    names = [f"{device}-{n}" for n in ("王芳", "李强", "张伟", "刘洋")]
    for rank, name in enumerate(names):
        uid = student(live_app, name)
        for d, kp in enumerate(course.knowledge_points):
            for i, q in enumerate(course.by_knowledge_point[kp][: 12 - 3 * rank]):
                answer(live_app, uid, q.id, correct=(i + d + rank) % (rank + 2) != 0,
                       at=moment - timedelta(days=(i + d) % 20, hours=rank))
        singles = [q.id for q in course.questions if q.type == "single"][:20]
        for k in range(3 - rank // 2):
            exam(live_app, uid, singles, right=set(range(8 + 4 * k - 2 * rank)),
                 started=moment - timedelta(days=6 - 2 * k))
    live_app.extensions["tutor_clock"] = utcnow
    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    login_in_browser(page, server, names[0])
    page.get_by_role("link", name="我的进度").click()
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(3)     # waits for the page to load
    for title in ("各知识点掌握程度（0-100）", "最近 30 天的答题量与正确率", "模拟考试得分（%）"):
        assert page.locator("svg.chart title", has_text=title).count() == 1
    assert page.get_by_text("模拟考试预估得分").is_visible()
    assert page.locator(".weakest li").count() == 3
    shoot(page, f"{device}-progress-seeded")
    context.close()

    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    with live_app.app_context():
        from tutor.models import ADMIN, User
        # sees every student: since classes (issue 18) a plain instructor sees only their classes'
        if db.session.scalar(db.select(User).where(User.username == f"教师{device}")) is None:
            teacher = User(username=f"教师{device}", role=ADMIN)
            teacher.set_password(PASSWORD)
            db.session.add(teacher)
            db.session.commit()
    login_in_browser(page, server, f"教师{device}")
    assert page.url.endswith("/instructor/")        # a teacher lands on the class overview
    page.get_by_role("navigation", name="网站导航").get_by_role("link", name="学生").click()
    assert page.locator("table.class tbody tr", has_text=names[0]).count() == 1, page.locator("main").inner_text()[:1500]
    page.get_by_role("link", name="最好成绩").click()
    shoot(page, f"{device}-instructor-students")
    page.get_by_role("link", name="掌握热图").click()
    assert page.locator("table.heat td a").count() >= 4 * 13
    shoot(page, f"{device}-instructor-heatmap")
    page.locator("table.heat tbody tr", has_text=names[1]).locator("td a").first.click()
    expect(page.get_by_role("heading", name=f"{names[1]} 的学习进度")).to_be_visible()
    page.goto(server + "/instructor/items")
    assert page.locator("table.items tbody tr").count() == min(50, len(course.questions))     # a page of 50
    shoot(page, f"{device}-instructor-items")
    page.get_by_role("link", name="导入题目").click()
    page.locator("#file").set_input_files(str(Path(__file__).parent / "fixtures" / "transfer" / "tagged.txt"))
    page.get_by_label("主题").select_option("survey")
    page.get_by_label("知识点（文件里没写知识点的题目用它）").select_option("survey.methods")
    page.get_by_role("button", name="转换并预览").click()
    expect(page.locator("h2", has_text="转换结果")).to_be_visible()
    assert page.locator("section.preview").count() >= 5
    assert page.get_by_role("button", name="下载 imported-survey.yaml").is_visible()
    shoot(page, f"{device}-instructor-import")
    context.close()


def test_mock_exam_hands_itself_in_at_zero(server: str, browser, live_app) -> None:
    """The countdown reaches zero in the page: it sends the current answer and hands the paper in."""
    from datetime import timedelta

    from tutor.models import utcnow
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="zh-CN")
    page = context.new_page()
    register_in_browser(page, server, "倒计时")
    page.goto(server + "/exams/")
    page.get_by_role("button", name="开始考试").click()
    on_item(page, "第 1 / 40 题")
    # move the server's clock to 3 seconds before the deadline, and show the question again
    live_app.extensions["tutor_clock"] = lambda: utcnow() + timedelta(minutes=45, seconds=-3)
    try:
        page.reload()
        on_item(page, "第 1 / 40 题")
        page.keyboard.press("1")                               # chosen, never saved by the student
        expect(page.locator(".bignum")).to_be_visible(timeout=15_000)
        assert "/result" in page.url
        review = page.locator("section.review").first.inner_text()
        assert "未作答" not in review                          # the answer on screen was sent
    finally:
        live_app.extensions["tutor_clock"] = utcnow
    context.close()



@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_a_refused_bank_and_keys_hidden_during_an_exam(server: str, browser, live_app, device: str,
                                                       tmp_path: Path) -> None:
    """What the hardening looks like to the people it protects: a teacher's decompression bomb
    is refused in words, and a student in a mock exam cannot read its keys in 背题模式."""
    from sqlalchemy import select

    from conftest import make_instructor
    from test_import_limits import xlsx_zeros_bomb
    from tutor.models import ExamPaper, PracticeSet

    make_instructor(live_app, f"{device}-导入老师")
    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    login_in_browser(page, server, f"{device}-导入老师")
    page.goto(server + "/instructor/import")
    bomb = tmp_path / "题库.xlsx"
    bomb.write_bytes(xlsx_zeros_bomb())
    page.locator("input[type=file]").set_input_files(str(bomb))
    page.get_by_role("button", name="转换并预览").click()
    expect(page.get_by_text("文件过大或过于复杂").first).to_be_visible()
    assert_accessible(page)
    shoot(page, f"{device}-import-refused")
    context.close()

    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    register_in_browser(page, server, f"{device}-考生")
    page.goto(server + "/exams/")
    page.get_by_role("button", name="开始考试").first.click()
    on_item(page, "第 1 / 40 题")
    course = live_app.extensions["tutor_content"].catalog.course("chapter8")
    with live_app.app_context():
        from tutor.extensions import db as database
        paper = database.session.scalars(select(ExamPaper).order_by(ExamPaper.id.desc())).first()
        on_paper = course.by_id[paper.items[0]["question_id"]]
    started = page.request.post(server + "/practice/start", form={
        "course": "chapter8", "mode": "study", "scope": "kp", "id": on_paper.knowledge_point})
    assert started.ok
    with live_app.app_context():
        study = database.session.scalars(select(PracticeSet).order_by(PracticeSet.id.desc())).first()
        index = study.question_ids.index(on_paper.id)
    page.goto(f"{server}/practice/{study.id}?i={index}")
    expect(page.get_by_role("note")).to_contain_text("考试进行中，交卷后可查看")
    assert "答案" not in page.locator("main").inner_text().replace("答案和解析", "")
    assert_accessible(page)
    shoot(page, f"{device}-study-during-exam")
    context.close()


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_short_answer_self_assessment_and_the_review_queue(server: str, browser, live_app, device: str) -> None:
    import re
    from conftest import login, make_instructor
    from tutor.models import Attempt
    live_app.config["TUTOR_PRACTICE_SET_SIZE"] = 50
    name = f"{device}-自评"
    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    register_in_browser(page, server, name)
    client = live_app.test_client()       # the same student answers the short question
    login(client, name)
    started = client.post("/practice/start", data={"course": "chapter8", "scope": "kp", "id": "overview.definition"})
    set_id = int(re.search(r"(\d+)$", started.headers["Location"]).group(1))
    q = live_app.extensions["tutor_content"].catalog.course("chapter8").by_id["overview.definition-s01"]
    position, delivery_id = delivery_of(live_app, set_id, q.id)
    client.post(f"/practice/{set_id}/answer", data={"delivery": delivery_id, "text": q.rubric[0].point})
    page.goto(f"{server}/practice/{set_id}/{position}")
    expect(page.get_by_text("关键词评分，仅供参考")).to_be_visible()
    page.get_by_role("button", name="部分").click()
    expect(page.get_by_text("你的自评：部分")).to_be_visible()
    shoot(page, f"{device}-feedback-self-assessment")
    context.close()

    teacher = f"复核{device}"
    make_instructor(live_app, teacher)
    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    login_in_browser(page, server, teacher)
    page.goto(server + "/instructor/")
    page.get_by_role("link", name="人工复核").click()
    with live_app.app_context():
        attempt_id = db.session.scalar(db.select(Attempt.id).where(Attempt.delivery_id == delivery_id))
    card = page.locator(f'[data-attempt="{attempt_id}"]')
    expect(card).to_contain_text(q.rubric[0].point)
    shoot(page, f"{device}-instructor-review")
    card.get_by_label("复核分数").fill("3")
    card.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已保存复核分数")).to_be_visible()
    context.close()

    context = browser.new_context(viewport=VIEWPORTS[device], locale="zh-CN")
    page = context.new_page()
    login_in_browser(page, server, name)
    page.goto(f"{server}/practice/{set_id}/{position}")
    expect(page.get_by_text("已由老师复核：得 3 / ")).to_be_visible()
    shoot(page, f"{device}-feedback-reviewed")
    context.close()
