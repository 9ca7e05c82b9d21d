"""The mock exam's pages through the test client (issue 16): focused exam mode, the 答题卡 by
part, the 交卷 confirmation's chips, the result page (title, whole scores, time used, overview,
只看错题, collapsed questions) and an instructor reading a student's paper."""
from __future__ import annotations

import re

import pytest

from tutor.exam.paper import ItemResult, duration_text, sections, status
from tutor.formatting import points_text
from tutor.questions import Grade

from conftest import login, make_instructor, register
from test_exam import paper_of, save, start_exam


def text(html: str) -> str:
    """The page's words, tags removed and spaces folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section_of(page: str, number: int) -> str:
    return page.split(f'id="item-{number}"')[1].split("</section>")[0]


# --- pure helpers -----------------------------------------------------------------------------

@pytest.mark.parametrize("value, shown", [(10.0, "10"), (50, "50"), (7.5, "7.5"), (0.0, "0"), (2 / 3, "0.7"),
                                          (29.96, "30"), (30.04, "30"), (0.25, "0.2")])
def test_points_are_whole_unless_fractional(value: float, shown: str) -> None:
    assert points_text(value) == shown


@pytest.mark.parametrize("seconds, shown", [(0, "不到 1 分钟"), (59.9, "不到 1 分钟"), (60, "1 分钟"),
                                            (750, "12 分 30 秒"), (2700, "45 分钟"), (3905, "1 小时 5 分"),
                                            (7200, "2 小时")])
def test_time_used_in_words(seconds: float, shown: str) -> None:
    assert duration_text(seconds) == shown


def test_sections_follow_the_paper_order() -> None:
    items = [{"type": t} for t in ("single", "single", "multiple", "truefalse", "truefalse", "single")]
    assert sections(items) == [("single", [0, 1]), ("multiple", [2]), ("truefalse", [3, 4]), ("single", [5])]


def test_item_status() -> None:
    def result(grade: Grade, response: object) -> ItemResult:
        return ItemResult(0, None, {}, response, grade, 0.0)
    assert status(result(Grade(True, 1.0, 1.0), ["A"])) == "right"
    assert status(result(Grade(False, 0.5, 1.0), ["A"])) == "partial"
    assert status(result(Grade(False, 0.0, 1.0), ["A"])) == "wrong"
    assert status(result(Grade(False, 0.0, 1.0), None)) == "unanswered"


# --- the exam page ----------------------------------------------------------------------------

def test_the_exam_page_replaces_the_site_nav_with_the_papers_header(app, client, clock) -> None:
    register(client)
    paper_id = start_exam(client)
    page = client.get(f"/exams/{paper_id}?i=1").get_data(as_text=True)
    header = page.split("<main>")[0]
    assert "网站导航" not in header and "退出" not in header and "/auth/logout" not in page
    assert "我的进度" not in header and "模拟考试</a>" not in header
    assert 'class="site examsite"' in header and "第八章模拟考试" in header and 'id="clock"' in header
    # 交卷 in the header belongs to the answer form: it saves the answer on screen first
    assert re.search(r'<button type="submit" form="examform" name="go" value="submit"[^>]*>交卷</button>', header)
    # the form's default button (Enter in a field) comes first and saves and moves on
    first = re.search(r'<button[^>]*form="examform"[^>]*>', page).group(0)
    assert 'value="next"' in first and 'tabindex="-1"' in first and 'aria-hidden="true"' in first
    # 上一题 before 保存并下一题 in the form, in reading order
    form = page.split('id="examform"')[1].split("</form>")[0]
    assert form.index("上一题") < form.index("保存并下一题") and "交卷" not in form
    # the confirm page is focused too
    confirm = client.get(f"/exams/{paper_id}/submit").get_data(as_text=True)
    assert "网站导航" not in confirm.split("<main>")[0] and "退出" not in confirm


def test_handing_in_from_the_header_saves_the_answer_on_screen(app, client, clock) -> None:
    register(client)
    paper_id = start_exam(client)
    response = save(client, app, paper_id, 3, go="submit")
    assert response.headers["Location"] == f"/exams/{paper_id}/submit"
    confirm = text(client.get(f"/exams/{paper_id}/submit").get_data(as_text=True))
    assert "还有 39 道题没有作答" in confirm and "第4题" not in confirm and "第3题" in confirm


def test_the_answer_sheet_is_grouped_by_part_and_marks_flags(app, client, clock) -> None:
    register(client)
    paper_id = start_exam(client)
    save(client, app, paper_id, 0)
    save(client, app, paper_id, 22, flag="1")
    page = client.get(f"/exams/{paper_id}?i=22").get_data(as_text=True)
    sheet = page.split('<nav class="sheet"')[1].split("</nav>")[0]
    assert '<h2 id="sheet-title" class="sheet-title">答题卡</h2>' in sheet
    assert re.findall(r"<h3>(\S+) <span[^>]*>共 (\d+) 题 · 已答 (\d+)</span></h3>", sheet) == [
        ("单选题", "20", "1"), ("多选题", "10", "1"), ("判断题", "10", "0")]
    cells = re.findall(r"<button [^>]*>.*?</button>", sheet, re.S)
    assert len(cells) == 40
    assert 'aria-label="第 23 题，已答，已标记，当前题"' in cells[22] and 'aria-current="step"' in cells[22]
    assert 'class="flagicon"' in cells[22] and "flagged" in cells[22]
    assert 'aria-label="第 1 题，已答"' in cells[0] and "answered" in cells[0] and "flagicon" not in cells[0]
    assert 'aria-label="第 2 题，未答"' in cells[1] and "blank" in cells[1] and "aria-current" not in cells[1]


# --- the confirmation ------------------------------------------------------------------------

def test_the_confirmation_lists_unanswered_and_flagged_items_as_chips_by_part(app, client, clock) -> None:
    register(client)
    paper_id = start_exam(client)
    for index in range(40):
        if index not in (16, 25, 39):
            save(client, app, paper_id, index, **({"flag": "1"} if index in (4, 30) else {}))
    save(client, app, paper_id, 25, correct=False, flag="1")
    page = client.get(f"/exams/{paper_id}/submit").get_data(as_text=True)
    assert "还有 2 道题没有作答" in page
    groups = re.findall(r'<div class="chipgroup">\s*<h2>(\S+) <span[^>]*>([^<]*)</span></h2>(.*?)</ul>', page, re.S)
    chips = [(name, count, re.findall(r'<a class="chip[^"]*" href="([^"]+)">(?:<svg.*?</svg>)?(第\d+题)', body, re.S))
             for name, count, body in groups]
    assert chips == [
        ("单选题", "1 题未答", [(f"/exams/{paper_id}?i=16", "第17题")]),
        ("判断题", "1 题未答", [(f"/exams/{paper_id}?i=39", "第40题")]),
        ("已标记的题", "3 题", [(f"/exams/{paper_id}?i={i}", f"第{i + 1}题") for i in (4, 25, 30)]),
    ]
    assert page.count('<span class="sr">（已标记）</span>') == 3


# --- the result ------------------------------------------------------------------------------

def hand_in(client, app, right: range, wrong: range) -> tuple[int, list[dict]]:
    paper_id = start_exam(client)
    for index in right:
        save(client, app, paper_id, index)
    for index in wrong:
        save(client, app, paper_id, index, correct=False)
    return paper_id, paper_of(app, paper_id).items


def test_the_result_page_has_a_title_whole_scores_and_the_time_used(app, client, clock) -> None:
    register(client)
    paper_id, items = hand_in(client, app, range(10), range(10, 12))
    clock.advance(minutes=12, seconds=30)
    client.post(f"/exams/{paper_id}/submit")
    page = client.get(f"/exams/{paper_id}/result").get_data(as_text=True)
    assert re.search(r"<h1>第八章模拟考试</h1>", page)
    assert '<p class="bignum bad">10 <small>/ 50 分</small></p>' in page
    assert "（及格线 30 分）" in page and ".0" not in text(page).split("各知识点")[0]
    assert "用时 12 分 30 秒 · 答错和未答的题已加入错题本" in text(page)
    assert "学生：" not in page
    # the record on the exam list is whole too
    assert "10 / 50" in text(client.get("/exams/").get_data(as_text=True))
    # and so are the records on 我的进度
    progress = text(client.get("/progress/").get_data(as_text=True))
    assert "第八章模拟考试：10 / 50 分" in progress and "10.0" not in progress


def test_a_quick_hand_in_and_one_at_the_deadline(app, client, clock) -> None:
    register(client)
    paper_id, _ = hand_in(client, app, range(1), range(0))
    clock.advance(seconds=40)
    client.post(f"/exams/{paper_id}/submit")
    assert "用时 不到 1 分钟" in text(client.get(f"/exams/{paper_id}/result").get_data(as_text=True))

    paper_id, _ = hand_in(client, app, range(1), range(0))
    clock.advance(hours=3)                          # never handed in: closed at the deadline plus grace
    page = text(client.get(f"/exams/{paper_id}/result").get_data(as_text=True))
    assert "用时 45 分钟（到时自动交卷）" in page


def test_the_overview_only_wrong_and_collapsed_questions(app, client, clock) -> None:
    register(client)
    paper_id, items = hand_in(client, app, range(0, 25), range(25, 30))
    client.post(f"/exams/{paper_id}/submit")
    page = client.get(f"/exams/{paper_id}/result").get_data(as_text=True)
    overview = page.split('<section class="card overview"')[1].split("</section>")[0]
    legend = text(overview.split("</ul>")[0])
    assert "正确 25" in legend and "部分正确 0" in legend and "错误 5" in legend and "未作答 10" in legend
    cells = re.findall(r'<a class="cell (\w+)" href="(#item-\d+)"\s+aria-label="([^"]+)">(\d+)</a>', overview)
    assert [c[0] for c in cells] == ["right"] * 25 + ["wrong"] * 5 + ["unanswered"] * 10
    assert cells[0][1:] == ("#item-1", "第 1 题，正确", "1")
    assert cells[27][1:] == ("#item-28", "第 28 题，错误", "28")
    assert cells[35][1:] == ("#item-36", "第 36 题，未作答", "36")
    assert [h for h in re.findall(r"<h3>(\S+) <span", overview)] == ["单选题", "多选题", "判断题"]
    # details: wrong ones open, right and unanswered ones closed, every one in the page
    assert page.count('class="card question review"') == 40
    assert "<details open>" in section_of(page, 26) and "<details >" in section_of(page, 1)
    assert "<details >" in section_of(page, 31) and "正确答案" in section_of(page, 1)
    assert "只看错题" in page and 'href="/exams/%d/result?only=wrong#review"' % paper_id in page

    wrong_only = client.get(f"/exams/{paper_id}/result?only=wrong").get_data(as_text=True)
    shown = re.findall(r'id="item-(\d+)"', wrong_only)
    assert shown == [str(n) for n in range(26, 41)]
    assert "显示全部题目" in wrong_only and "只显示答错、部分正确和未作答的 15 道题" in wrong_only
    # a right answer's cell leads back to the whole list; a wrong one's stays on the page
    assert f'href="/exams/{paper_id}/result#item-1"' in wrong_only and 'href="#item-26"' in wrong_only
    # the score, the tables and the sums do not change with the filter
    headline = re.compile(r'<p class="bignum[^"]*">.*?</p>')
    assert headline.search(wrong_only).group(0) == headline.search(page).group(0) == \
        '<p class="bignum ok">30 <small>/ 50 分</small></p>'
    assert text(wrong_only).split("各题型得分")[1].split("逐题回顾")[0] == \
        text(page).split("各题型得分")[1].split("逐题回顾")[0]


def test_an_instructor_sees_whose_paper_and_none_of_the_students_actions(app, client, clock) -> None:
    register(client, "alice")
    paper_id, _ = hand_in(client, app, range(3), range(3, 5))
    client.post(f"/exams/{paper_id}/submit")
    own = client.get(f"/exams/{paper_id}/result").get_data(as_text=True)
    assert "再考一次" in own and "去错题本" in own and "学生：" not in own
    assert re.search(r'<form method="post" action="/exams/start"[^>]*>.*?name="blueprint" value="mock"', own, re.S)

    make_instructor(app, "teacher")
    teacher = app.test_client()
    login(teacher, "teacher")
    page = teacher.get(f"/exams/{paper_id}/result").get_data(as_text=True)
    assert '<p class="student">学生：alice</p>' in page
    for student_only in ("再考一次", "去错题本", "返回模拟考试", "已加入错题本", "/exams/start"):
        assert student_only not in page, student_only
    alice = paper_of(app, paper_id).user_id
    assert f'<a class="button" href="/progress/{alice}">返回alice的学习进度</a>' in page


def test_the_retake_button_starts_a_new_paper(app, client, clock) -> None:
    register(client)
    paper_id, _ = hand_in(client, app, range(1), range(0))
    client.post(f"/exams/{paper_id}/submit")
    page = client.get(f"/exams/{paper_id}/result").get_data(as_text=True)
    form = re.search(r'<form method="post" action="(/exams/start)"[^>]*>(.*?)</form>', page, re.S)
    fields = dict(re.findall(r'<input type="hidden" name="(course|blueprint)" value="([^"]+)">', form.group(2)))
    response = client.post(form.group(1), data=fields)
    assert re.fullmatch(r"/exams/(\d+)", response.headers["Location"])
    assert response.headers["Location"] != f"/exams/{paper_id}"
