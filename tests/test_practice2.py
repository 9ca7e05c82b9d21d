"""Issue 19 items 1, 2 and 4 through the test client on the real content and database:
专项练习 (a set of one 题型 and difficulty), the 答题卡 with 上一题, and the 错题本's history,
filters, 移出 and 本组错题重练."""
from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from tutor.extensions import db
from tutor.models import NotebookEntry, PracticeSet, SequenceCursor
from tutor.practice.card import answer_card
from tutor.practice.rows import CardRow
from tutor.practice.sets import Scope, facets, scope_name, scope_questions
from tutor.questions import REGISTRY

from conftest import answer_current, answer_form, current_delivery, login, make_instructor, register, start_mode
from test_assignments import assign, client_as, do_practice, school  # noqa: F401  (a fixture)


def course_of(app):
    return app.extensions["tutor_content"].catalog.course("chapter8")


def set_id_of(response) -> int:
    assert response.status_code == 302, response.data
    return int(re.search(r"/practice/(\d+)$", response.headers["Location"]).group(1))


def questions_of(app, set_id: int) -> list[str]:
    with app.app_context():
        return db.session.get(PracticeSet, set_id).question_ids


def answer_all(app, client, set_id: int, verdicts) -> list:
    return [answer_current(app, client, set_id, v)[1] for v in verdicts]


# --- 专项练习 --------------------------------------------------------------------------------

def test_a_scope_stores_its_filter_in_the_old_columns_and_reads_it_back() -> None:
    plain = Scope("kp", "survey.methods")
    assert plain.stored_id() == "survey.methods" and not plain.filtered      # old sets read the same
    short = plain.with_filter("short", 2)
    assert short.stored_id() == "survey.methods|t=short|d=2"
    assert Scope.parse("kp", short.stored_id()) == short
    assert Scope.parse("all", "|t=case") == Scope("all", "", "case")
    for bad in ("x|t=essay", "x|d=4", "x|t=short|t=case", "x|q=1", "x|"):
        assert Scope.parse("kp", bad) is None, bad
    assert not Scope("kp", "k" * 95, "truefalse").fits()


def test_counts_per_type_and_difficulty_are_those_of_the_content(app) -> None:
    course = course_of(app)
    with app.app_context():
        for scope in (Scope("all", ""), Scope("topic", "survey"), Scope("kp", "survey.methods")):
            base = scope_questions(course, scope.kind, scope.id)
            types, levels = facets(course, scope)
            assert types[0].questions == levels[0].questions == len(base)
            assert {f.value: f.questions for f in types[1:]} == dict(Counter(q.type for q in base))
            assert {f.value: f.questions for f in levels[1:]} == dict(Counter(q.difficulty for q in base if q.difficulty))
            # with a 题型 chosen, the difficulty counts are of that type
            _, levels = facets(course, scope.with_filter("single", None))
            assert levels[0].questions == sum(q.type == "single" for q in base)


def test_the_choose_page_shows_the_counts_and_filters(app, client) -> None:
    register(client)
    course = course_of(app)
    kp = course.by_knowledge_point["survey.steps"]
    page = client.get("/practice/choose?course=chapter8&scope=kp&id=survey.steps").text
    for name, n in Counter(q.type for q in kp).items():
        assert re.search(rf'data-type="{name}">\s*<span>{REGISTRY[name].label}</span> <span class="n">{n} 题</span>', page)
    page = client.get("/practice/choose?course=chapter8&scope=kp&id=survey.steps&type=short").text
    shorts = sum(q.type == "short" for q in kp)
    assert f"简答题：共 {shorts} 道题" in page and 'value="survey.steps|t=short"' in page
    assert client.get("/practice/choose?course=chapter8&scope=kp&id=survey.steps&type=essay").status_code == 404
    assert client.get("/practice/choose?course=chapter8&scope=kp&id=survey.steps&difficulty=9").status_code == 404


@pytest.mark.parametrize("mode", ["random", "sequential", "study"])
def test_the_type_filter_never_mixes_types(app, client, mode: str) -> None:
    register(client)
    course = course_of(app)
    for qtype in ("single", "short", "case", "truefalse"):
        for scope, scope_id in (("all", ""), ("topic", "survey"), ("kp", "survey.methods")):
            stored = Scope(scope, scope_id, qtype).stored_id()
            set_id = set_id_of(start_mode(client, mode, scope, stored))
            ids = questions_of(app, set_id)
            assert ids and {course.by_id[q].type for q in ids} == {qtype}, (qtype, scope)
            pool = scope_questions(course, scope, scope_id)
            assert len(ids) == min(len([q for q in pool if q.type == qtype]),
                                   len(ids) if mode == "study" else app.config["TUTOR_PRACTICE_SET_SIZE"])
    # and a difficulty on top
    set_id = set_id_of(start_mode(client, "random", "all", "|t=single|d=3"))
    assert {(course.by_id[q].type, course.by_id[q].difficulty) for q in questions_of(app, set_id)} == {("single", 3)}


def test_a_case_or_short_question_of_a_point_is_one_tap_away(app, client) -> None:
    register(client)
    page = client.get("/practice/choose?course=chapter8&scope=kp&id=survey.methods").text
    # the 题型 row's 直接练 posts a random set of that type straight away
    assert 'name="id" value="survey.methods|t=case"' in page and 'name="id" value="survey.methods|t=short"' in page
    set_id = set_id_of(start_mode(client, "random", "kp", "survey.methods|t=case"))
    question = client.get(f"/practice/{set_id}").text
    assert "随机练习 · 客户调查的方法 · 案例分析题" in question
    with app.app_context():
        assert scope_name(course_of(app), "kp", "survey.methods|t=short|d=2") == "客户调查的方法 · 简答题 · 难度★★"


def test_sequential_by_type_resumes_on_its_own_cursor(app, client, clock) -> None:
    register(client)
    singles = [q for q in course_of(app).by_knowledge_point["survey.steps"] if q.type == "single"]
    set_id = set_id_of(start_mode(client, "sequential", "kp", "survey.steps|t=single"))
    seen = [q.id for q in answer_all(app, client, set_id, (True, False, True))]
    assert seen == [q.id for q in singles[:3]]
    page = client.get("/practice/choose?course=chapter8&scope=kp&id=survey.steps&type=single").text
    assert "继续第 4 题" in page
    # the whole point's own sequential run has not moved
    assert "按题库顺序从第 1 题开始" in client.get("/practice/choose?course=chapter8&scope=kp&id=survey.steps").text
    set_id = set_id_of(start_mode(client, "sequential", "kp", "survey.steps|t=single"))
    assert answer_current(app, client, set_id, True)[1].id == singles[3].id
    with app.app_context():
        cursors = {(c.scope_id, c.next_index) for c in db.session.scalars(select(SequenceCursor))}
    assert cursors == {("survey.steps|t=single", 4)}


def test_a_malformed_filter_is_refused(app, client) -> None:
    register(client)
    assert start_mode(client, "random", "kp", "survey.methods|t=essay").status_code == 404
    assert start_mode(client, "random", "kp", "survey.methods|" + "t=single|" * 12).status_code == 404


# --- 答题卡 and 上一题 ------------------------------------------------------------------------

def test_the_card_states_as_a_function() -> None:
    rows = [CardRow(0, "a", True, 1.0), CardRow(1, "b", False, 0.0), CardRow(2, "c", False, 0.5),
            CardRow(3, "gone", True, 1.0), CardRow(4, "d", True, 1.0), CardRow(5, "e", None, None),
            CardRow(6, "f", None, None)]
    card = answer_card(rows, {"a", "b", "c", "d", "e", "f"}, current=5, withheld={"d"})
    assert [(c.number, c.state, c.opens, c.current) for c in card.cells] == [
        (1, "right", "feedback", False), (2, "wrong", "feedback", False), (3, "partial", "feedback", False),
        (4, "answered", "feedback", False), (5, "waiting", "question", True), (6, "waiting", None, False)]
    assert (card.answered, card.wrong, card.waiting) == (4, 2, True)
    assert card.previous_answered(5) == 4 and card.previous_answered(0) is None and card.next_answered(1) == 2


def cells(page: str) -> list[tuple[str, str]]:
    """(state, href or '') of each cell of the page's card."""
    found = re.findall(r'<(a|span) class="qcell (\w+)[^"]*"(?: href="([^"]*)")?', page)
    return [(state, href) for _, state, href in found]


def partial_form(q, layout) -> dict:
    """A case answered with its first part right and the rest wrong: partly right."""
    form: dict = {}
    for i, (sub, sub_layout) in enumerate(zip(q.questions, layout)):
        form.update(answer_form(sub, sub_layout, i == 0, f"s{i}-"))
    return form


def test_the_card_after_right_wrong_and_partial_answers(app, client, clock) -> None:
    register(client)
    set_id = set_id_of(start_mode(client, "random", "kp", "survey.methods"))
    answer_all(app, client, set_id, (True, False))
    page = client.get(f"/practice/{set_id}").text
    n = len(questions_of(app, set_id))
    assert cells(page) == [("right", f"/practice/{set_id}/0"), ("wrong", f"/practice/{set_id}/1"),
                           ("waiting", f"/practice/{set_id}")] + [("waiting", "")] * (n - 3)
    assert '第 </span>3<span class="cellmark" aria-hidden="true"></span><span class="sr"> 题：未作答（当前）' in page
    # 上一题 on the question page: the last answered question's feedback
    assert re.search(rf'data-prev-answered href="/practice/{set_id}/1">上一题', page)
    feedback = client.get(f"/practice/{set_id}/0").text
    assert 'class="qcell right current" href="/practice/%d/0" aria-current="step"' % set_id in feedback
    # partly right: a case with one part right
    case_set = set_id_of(start_mode(client, "random", "kp", "survey.methods|t=case"))
    client.get(f"/practice/{case_set}")
    delivery = current_delivery(app, case_set)
    q = course_of(app).by_id[delivery.question_id]
    client.post(f"/practice/{case_set}/answer", data={"delivery": delivery.id, **partial_form(q, delivery.layout)})
    feedback = client.get(f"/practice/{case_set}/0").text
    assert "部分正确" in feedback and cells(feedback) == [("partial", f"/practice/{case_set}/0")]
    assert "◐" in feedback and "题：部分正确（当前）" in feedback


def test_the_first_question_has_no_previous_and_another_students_set_is_404(app, client) -> None:
    register(client)
    set_id = set_id_of(start_mode(client, "random", "kp", "survey.methods"))
    page = client.get(f"/practice/{set_id}").text
    assert "上一题" not in page and "答题卡" in page
    answer_current(app, client, set_id, True)
    other = app.test_client()
    register(other, "xiaohong")
    for url in (f"/practice/{set_id}", f"/practice/{set_id}/0", f"/practice/{set_id}/summary"):
        assert other.get(url).status_code == 404, url


def test_a_teacher_reading_a_students_set_sees_the_card_without_the_question_link(app, client) -> None:
    register(client)
    set_id = set_id_of(start_mode(client, "random", "kp", "survey.methods|t=single"))
    answer_current(app, client, set_id, False)
    make_instructor(app)
    teacher = app.test_client()
    login(teacher, "teacher")
    page = teacher.get(f"/practice/{set_id}/0").text
    assert cells(page)[:2] == [("wrong", f"/practice/{set_id}/0"), ("waiting", "")]


def test_withheld_verdicts_stay_out_of_the_card(app, school) -> None:
    owner = client_as(app, "owner")
    assignment_id = assign(owner, school["first"], qid=["survey.methods-01", "survey.methods-02"],
                           show_answers="after_due")
    alice = client_as(app, "alice")
    started = alice.post(f"/assignments/{assignment_id}/start")
    set_id = int(re.search(r"/practice/(\d+)", started.headers["Location"]).group(1))
    answer_current(app, alice, set_id, False)
    page = alice.get(f"/practice/{set_id}").text
    assert [s for s, _ in cells(page)] == ["answered", "waiting"] and "题：答错" not in page and "错 1" not in page


# --- 错题本 ----------------------------------------------------------------------------------

def wrong_once(app, client, scope_id: str, clock=None):
    set_id = set_id_of(start_mode(client, "random", "kp", scope_id))
    return answer_current(app, client, set_id, False)[1]


def test_the_entry_page_shows_each_wrong_answer_with_its_date_and_score(app, client, clock) -> None:
    register(client)
    q = wrong_once(app, client, "survey.methods|t=single")
    clock.advance(days=2)
    set_id = set_id_of(start_mode(client, "notebook"))
    assert answer_current(app, client, set_id, False)[1].id == q.id
    page = client.get(f"/notebook/chapter8/{q.id}").text
    assert page.count('<p class="when">') == 2
    assert "11月29日 10:00" in page and "12月1日 10:00" in page
    assert page.count("得 0 / 1 分") == 2 and "看这次的作答" in page
    assert "解析" in page and "正确答案" in page
    # 移出错题本 from the entry page
    removed = client.post(f"/notebook/chapter8/{q.id}/remove")
    assert removed.status_code == 302 and removed.headers["Location"] == "/notebook"
    assert client.get(f"/notebook/chapter8/{q.id}").status_code == 404


def test_the_list_filters_by_type_point_and_time_and_counts_at_the_top(app, client, clock) -> None:
    register(client)
    old = wrong_once(app, client, "survey.methods|t=single")
    clock.advance(days=10)
    login(client, "xiaoming")          # the session has expired meanwhile
    week = wrong_once(app, client, "survey.steps|t=truefalse")
    clock.advance(days=5)
    login(client, "xiaoming")
    today = wrong_once(app, client, "survey.methods|t=truefalse")

    def listed(query: str) -> set[str]:
        page = client.get("/notebook" + query).text
        return set(re.findall(r'/notebook/chapter8/([\w.-]+)"', page))

    assert listed("") == {old.id, week.id, today.id}
    assert listed("?type=truefalse") == {week.id, today.id}
    assert listed("?kp=survey.methods") == {old.id, today.id}
    assert listed("?period=today") == {today.id}
    assert listed("?period=7d") == {today.id, week.id}       # 5 days ago: within the last 7 local days
    assert listed("?period=30d") == {old.id, week.id, today.id}
    assert listed("?type=truefalse&kp=survey.methods&period=30d") == {today.id}
    assert listed("?type=nonsense&period=never") == {old.id, week.id, today.id}   # unknown: any
    page = client.get("/notebook?type=truefalse").text
    counts = re.search(r"data-type-counts>(.*?)</ul>", page, re.S).group(1)
    assert re.search(r"单选题 <span class=\"n\">1</span>", counts) and re.search(r"判断题 <span class=\"n\">2</span>", counts)
    kp_counts = re.search(r"data-kp-counts>(.*?)</table>", page, re.S).group(1)
    assert re.search(r"客户调查的方法</a></td><td class=\"num\">2</td>", kp_counts)
    assert "筛选结果 <small class=\"muted\">2 题</small>" in page and "清除筛选" in page


def test_removing_from_the_filtered_list_comes_back_to_it(app, client, clock) -> None:
    register(client)
    q = wrong_once(app, client, "survey.methods|t=single")
    page = client.get("/notebook?type=single").text
    assert f'action="/notebook/chapter8/{q.id}/remove"' in page and 'value="/notebook?type=single"' in page
    removed = client.post(f"/notebook/chapter8/{q.id}/remove", data={"next": "/notebook?type=single"})
    assert removed.headers["Location"] == "/notebook?type=single"
    off_site = client.post(f"/notebook/chapter8/{q.id}/remove", data={"next": "//evil.example"})
    assert off_site.headers["Location"] == "/notebook"
    with app.app_context():
        assert db.session.scalar(select(NotebookEntry)) is None


def test_retry_holds_exactly_the_wrong_and_partly_right_ones(app, client, clock) -> None:
    register(client)
    set_id = set_id_of(start_mode(client, "random", "kp", "survey.methods"))
    n = len(questions_of(app, set_id))
    verdicts = [i % 3 == 1 for i in range(n)]
    answered = answer_all(app, client, set_id, verdicts)
    wrong = [q.id for q, right in zip(answered, verdicts) if not right]
    summary = client.get(f"/practice/{set_id}/summary").text
    assert "本组错题重练" in summary and f'name="id" value="{set_id}"' in summary
    retry = set_id_of(client.post("/practice/start", data={"course": "chapter8", "mode": "retry",
                                                            "scope": "set", "id": str(set_id)}))
    assert questions_of(app, retry) == wrong
    assert "本组错题重练" in client.get(f"/practice/{retry}").text
    # partly right counts as wrong here too
    case_set = set_id_of(start_mode(client, "random", "kp", "survey.methods|t=case"))
    client.get(f"/practice/{case_set}")
    delivery = current_delivery(app, case_set)
    q = course_of(app).by_id[delivery.question_id]
    client.post(f"/practice/{case_set}/answer", data={"delivery": delivery.id, **partial_form(q, delivery.layout)})
    assert "本组错题重练" in client.get(f"/practice/{case_set}/summary").text
    again = set_id_of(client.post("/practice/start", data={"course": "chapter8", "mode": "retry",
                                                            "scope": "set", "id": str(case_set)}))
    assert questions_of(app, again) == [q.id]


def test_no_retry_without_mistakes_nor_of_another_students_set(app, client, clock) -> None:
    register(client)
    set_id = set_id_of(start_mode(client, "random", "kp", "survey.methods|t=truefalse"))
    answer_all(app, client, set_id, [True] * len(questions_of(app, set_id)))
    assert "本组错题重练" not in client.get(f"/practice/{set_id}/summary").text
    refused = client.post("/practice/start", data={"course": "chapter8", "mode": "retry", "scope": "set",
                                                   "id": str(set_id)})
    assert refused.status_code == 302 and "/practice/" not in refused.headers["Location"]
    mine = set_id_of(start_mode(client, "random", "kp", "survey.methods|t=single"))
    answer_all(app, client, mine, [False] * len(questions_of(app, mine)))
    other = app.test_client()
    register(other, "xiaohong")
    theirs = other.post("/practice/start", data={"course": "chapter8", "mode": "retry", "scope": "set", "id": str(mine)})
    assert theirs.status_code == 302 and "/practice/" not in theirs.headers["Location"]
    assert other.post("/practice/start", data={"course": "chapter8", "mode": "retry", "scope": "set",
                                               "id": "x"}).status_code == 404


def test_an_assignments_set_gets_no_type_filter_nor_retry(app, school) -> None:
    owner = client_as(app, "owner")
    assignment_id = assign(owner, school["first"], qid=["survey.methods-01", "survey.methods-02"])
    alice = client_as(app, "alice")
    set_id = do_practice(app, alice, assignment_id, right=0)
    summary = alice.get(f"/practice/{set_id}/summary").text
    assert "本组错题重练" not in summary and "直接练" not in summary
    refused = alice.post("/practice/start", data={"course": "chapter8", "mode": "retry", "scope": "set",
                                                  "id": str(set_id)})
    assert refused.status_code == 302 and "/practice/" not in refused.headers["Location"]
    feedback = alice.get(f"/practice/{set_id}/0").text
    assert "答题卡" in feedback and "|t=" not in feedback
    # an assignment's scope is not a place to choose from, with or without a filter
    assert alice.get(f"/practice/choose?course=chapter8&scope=assignment&id={assignment_id}&type=single").status_code == 404
    assert start_mode(alice, "random", "assignment", f"{assignment_id}|t=single").status_code == 404
