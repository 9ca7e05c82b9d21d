"""搜索 pages on the real app and database: grouping, escaped highlighting, anonymous and signed-in
users, questions of a paper in progress withheld, paging, and the index following the content."""
from __future__ import annotations

import re
import shutil

from markupsafe import escape

from conftest import CONTENT, login, make_app, make_instructor, register

from tutor.extensions import db
from tutor.models import ExamPaper


def page(client, query: str, **args) -> str:
    response = client.get("/search", query_string={"q": query, **args})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def question_ids(text: str) -> list[str]:
    return re.findall(r'href="/search/questions/chapter8/([^"?]+)\?', text)


def course(app):
    return app.extensions["tutor_content"].catalog.course("chapter8")


def test_the_empty_search_page_offers_the_box(client) -> None:
    text = page(client, "")
    assert 'role="search"' in text and 'name="q"' in text and "找到" not in text
    assert 'href="/search"' in text                     # the 搜索 link in the header


def test_anonymous_users_find_lessons_and_are_asked_to_sign_in_for_questions(client) -> None:
    text = page(client, "信赖忠诚")
    assert "<h2 id=\"lessons-heading\">课文" in text
    assert 'href="/courses/chapter8/lessons/churn-loyalty#churn.loyalty_types"' in text
    assert "<mark>信赖忠诚</mark>" in text
    assert question_ids(text) == [] and "后可以搜索题目" in text
    assert "/auth/login?next=" in text
    assert client.get("/search/questions/chapter8/churn.loyalty_types-06").status_code == 302


def test_signed_in_users_get_lessons_and_questions_grouped(client) -> None:
    register(client)
    text = page(client, "焦点人群法")
    lessons, questions = text.split('id="questions"')
    assert "课文" in lessons and 'href="/courses/chapter8/lessons/survey#survey.methods"' in lessons
    assert question_ids(lessons) == [] and len(question_ids(questions)) >= 10
    # each question opens in place, 背题 style: its key and 解析 under its stem
    assert questions.count("<details>") == len(question_ids(questions))
    assert "<h3>答案</h3>" in questions and "<h3>解析</h3>" in questions
    assert "✓ 正确答案" in questions
    assert "<mark>焦点人群法</mark>" in questions


def test_a_question_page_shows_it_in_study_style(app, client) -> None:
    register(client)
    q = course(app).by_id["churn.loyalty_types-06"]
    response = client.get(f"/search/questions/chapter8/{q.id}", query_string={"q": "信赖忠诚"})
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert str(escape(q.stem[:20])) in text
    assert "<h2>答案</h2>" in text and "<h2>解析</h2>" in text
    assert 'href="/search?q=%E4%BF%A1%E8%B5%96%E5%BF%A0%E8%AF%9A"' in text      # back to the results
    assert client.get("/search/questions/chapter8/no-such-question").status_code == 404
    assert client.get("/search/questions/nocourse/x").status_code == 404


def test_the_query_is_escaped_everywhere_it_is_shown(client) -> None:
    register(client)
    for query in ('<script>alert("x")</script>', '"><img src=x onerror=alert(1)>信赖忠诚', "</mark><b>垄断忠诚"):
        text = page(client, query)
        assert "<script>alert" not in text and "<img src=x" not in text and "</mark><b>" not in text
        assert str(escape(query))[:20] in text                  # shown back in the box, escaped
    text = page(client, "</mark><b>垄断忠诚")
    assert "<mark>垄断忠诚</mark>" in text


def test_a_query_over_200_characters_is_cut(client) -> None:
    text = page(client, "垄断忠诚" + "啊" * 300)
    assert "只用了前 200 个字" in text
    assert 'value="垄断忠诚' in text and "啊" * 197 not in text


def test_nothing_found_says_so(client) -> None:
    register(client)
    text = page(client, "xyzzy")
    assert "找到 0 个课文小节、0 道题目" in text and "课文里没有找到" in text and "题目里没有找到" in text


def test_questions_are_paged(client) -> None:
    register(client)
    first = page(client, "客户")
    total = int(re.search(r"、(\d+) 道题目", first).group(1))
    assert total > 40 and len(question_ids(first)) == 20
    second = page(client, "客户", page="2")
    assert len(question_ids(second)) == 20 and not set(question_ids(first)) & set(question_ids(second))
    assert 'start="21"' in second
    last = page(client, "客户", page="9999")                  # past the end: the last page
    assert 0 < len(question_ids(last)) <= 20
    assert question_ids(page(client, "客户", page="²")) == question_ids(first)


def test_a_question_on_a_running_mock_exam_is_never_shown_until_hand_in(app, client) -> None:
    register(client)
    location = client.post("/exams/start", data={"course": "chapter8", "blueprint": "mock"}).headers["Location"]
    paper_id = int(re.search(r"(\d+)$", location).group(1))
    with app.app_context():
        items = db.session.get(ExamPaper, paper_id).items
    on_paper = {item["question_id"] for item in items}
    bank = course(app)
    # a question of the paper with a stretch of stem no other question shares
    q, words = next((bank.by_id[qid], bank.by_id[qid].stem[:14]) for qid in sorted(on_paper)
                    if bank.by_id[qid].type in ("single", "multiple", "truefalse")
                    and sum(bank.by_id[qid].stem[:14] in other.stem for other in bank.questions) == 1)
    text = page(client, words)
    assert q.id not in question_ids(text)
    assert not on_paper & set(question_ids(text))
    assert "进行中的模拟考试或作业里" in text
    assert not on_paper & set(question_ids(page(client, "客户", page="1")))
    # its own page shows it without key or 解析
    own = client.get(f"/search/questions/chapter8/{q.id}").get_data(as_text=True)
    assert "考试进行中" in own and "答案</h2>" not in own and "解析</h2>" not in own
    assert "✓ 正确答案" not in own

    client.post(f"/exams/{paper_id}/submit")
    text = page(client, words)
    assert q.id in question_ids(text) and "进行中的模拟考试" not in text
    own = client.get(f"/search/questions/chapter8/{q.id}").get_data(as_text=True)
    assert "<h2>答案</h2>" in own


def test_instructors_see_every_question(app, client) -> None:
    make_instructor(app)
    login(client, "teacher")
    text = page(client, "垄断忠诚")
    assert len(question_ids(text)) >= 10


def test_search_follows_the_content_when_it_changes(tmp_path) -> None:
    shutil.copytree(CONTENT, tmp_path / "content")
    app = make_app(tmp_path / "app", TUTOR_CONTENT_DIR=str(tmp_path / "content"))
    client = app.test_client()
    assert "<mark>焦点访谈法</mark>" not in page(client, "焦点访谈法")
    lesson = tmp_path / "content" / "chapter8" / "lessons" / "survey.yaml"
    lesson.write_text(lesson.read_text(encoding="utf-8").replace("焦点人群法", "焦点访谈法"), encoding="utf-8")
    import os
    os.utime(lesson, ns=(1, 10**18))         # a new modification time even on a coarse clock
    text = page(client, "焦点访谈法")
    assert "<mark>焦点访谈法</mark>" in text and 'survey#survey.methods"' in text
    with app.app_context():
        db.session.remove()
        db.drop_all()
