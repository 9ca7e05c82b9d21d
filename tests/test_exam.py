"""Mock exams through the test client: the paper, the deadline, tampering, the result."""
from __future__ import annotations

import re
from collections import Counter

from sqlalchemy import func, select

from tutor.extensions import db
from tutor.models import Attempt, ExamAnswer, ExamPaper, NotebookEntry

from conftest import answer_form, register


def start_exam(client) -> int:
    response = client.post("/exams/start", data={"course": "chapter8", "blueprint": "mock"})
    assert response.status_code == 302
    return int(re.search(r"/exams/(\d+)$", response.headers["Location"]).group(1))


def paper_of(app, paper_id: int) -> ExamPaper:
    with app.app_context():
        paper = db.session.get(ExamPaper, paper_id)
        db.session.expunge(paper)
        return paper


def course(app):
    return app.extensions["tutor_content"].catalog.course("chapter8")


def save(client, app, paper_id: int, index: int, correct: bool = True, **extra):
    paper = paper_of(app, paper_id)
    item = paper.items[index]
    q = course(app).by_id[item["question_id"]]
    data = {"item": index, **answer_form(q, item["layout"], correct), **extra}
    return client.post(f"/exams/{paper_id}/answer", data=data)


def test_paper_follows_the_blueprint_and_spreads_over_knowledge_points(app, client, clock) -> None:
    register(client)
    paper = paper_of(app, start_exam(client))
    assert Counter(i["type"] for i in paper.items) == {"single": 20, "multiple": 10, "truefalse": 10}
    assert paper.max_score == 50 and paper.pass_percent == 60
    assert (paper.deadline - paper.started_at).total_seconds() == 45 * 60
    kps = Counter(course(app).by_id[i["question_id"]].knowledge_point for i in paper.items)
    assert len(kps) == 13 and max(kps.values()) <= 5
    assert len({i["question_id"] for i in paper.items}) == 40


def test_no_answers_reach_the_browser_before_submission(app, client, clock) -> None:
    register(client)
    paper_id = start_exam(client)
    paper = paper_of(app, paper_id)
    for index in range(len(paper.items)):
        page = client.get(f"/exams/{paper_id}?i={index}").get_data(as_text=True)
        q = course(app).by_id[paper.items[index]["question_id"]]
        from markupsafe import escape
        assert str(escape(q.explanation.splitlines()[0])) not in page
        assert "正确答案" not in page and "解析" not in page


def test_resume_keeps_the_same_paper_and_the_clock_running(app, client, clock) -> None:
    register(client)
    paper_id = start_exam(client)
    save(client, app, paper_id, 0)
    clock.advance(minutes=10)
    assert start_exam(client) == paper_id
    page = client.get(f"/exams/{paper_id}?i=0").get_data(as_text=True)
    assert 'data-remaining="2100"' in page                      # 35 minutes left
    assert 'class="cell answered' in page


def test_answers_after_the_deadline_are_refused(app, client, clock) -> None:
    register(client)
    paper_id = start_exam(client)
    assert save(client, app, paper_id, 0).status_code == 302
    clock.advance(minutes=45, seconds=20)                        # late, but within the grace
    save(client, app, paper_id, 1)
    clock.advance(seconds=20)                                    # past the grace
    response = save(client, app, paper_id, 2)
    assert response.status_code == 409 and "这次提交的答案没有被记录" in response.get_data(as_text=True)
    with app.app_context():
        saved = {a.item_index for a in db.session.scalars(select(ExamAnswer))}
        paper = db.session.get(ExamPaper, paper_id)
        assert saved == {0, 1} and paper.submitted_at is not None
        assert paper.score == sum(i["points"] for i in paper.items[:2])
    # and the finished paper takes nothing more
    assert save(client, app, paper_id, 3).status_code == 409
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ExamAnswer)) == 2


def test_unsubmitted_paper_past_its_deadline_is_graded_on_next_visit(app, client, clock) -> None:
    register(client)
    paper_id = start_exam(client)
    save(client, app, paper_id, 0)
    clock.advance(hours=2)
    assert client.get(f"/exams/{paper_id}").headers["Location"] == f"/exams/{paper_id}/result"
    page = client.get(f"/exams/{paper_id}/result").get_data(as_text=True)
    assert "不及格" in page
    with app.app_context():
        paper = db.session.get(ExamPaper, paper_id)
        assert paper.submitted_at == paper.deadline + __import__("datetime").timedelta(seconds=30)


def test_tampered_forms_cannot_raise_a_score(app, client, clock) -> None:
    register(client)
    paper_id = start_exam(client)
    paper = paper_of(app, paper_id)
    first = paper.items[0]
    for form in ({"item": 0, "choice": ["0", "1", "2", "3", "3"]}, {"item": 0, "choice": ["99"]}):
        assert client.post(f"/exams/{paper_id}/answer", data=form).status_code == 400
    client.post(f"/exams/{paper_id}/answer", data={"item": 0, "score": "50", "correct": "1", "points": "100"})
    assert client.post(f"/exams/{paper_id}/answer", data={"item": "999", "choice": "0"}).status_code == 400
    assert client.post(f"/exams/{paper_id}/answer", data={"item": "-1", "choice": "0"}).status_code == 400
    client.post(f"/exams/{paper_id}/submit")
    with app.app_context():
        paper = db.session.get(ExamPaper, paper_id)
        assert paper.score == 0.0 and paper.passed is False
        assert first["type"] in ("single", "multiple", "truefalse")


def test_full_marks_then_the_result_page(app, client, clock) -> None:
    register(client)
    paper_id = start_exam(client)
    paper = paper_of(app, paper_id)
    for index in range(len(paper.items)):
        save(client, app, paper_id, index, correct=index != 0, **({"flag": "1"} if index == 5 else {}))
    confirm = client.get(f"/exams/{paper_id}/submit").get_data(as_text=True)
    assert "所有题目都已作答" in confirm and "已标记的题" in confirm and ">第6题<" in confirm
    assert client.post(f"/exams/{paper_id}/submit").headers["Location"] == f"/exams/{paper_id}/result"
    client.post(f"/exams/{paper_id}/submit")                     # submitting twice changes nothing
    with app.app_context():
        stored = db.session.get(ExamPaper, paper_id)
        assert stored.score == 50 - paper.items[0]["points"] and stored.passed
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 40
        assert db.session.scalar(select(func.count()).select_from(Attempt).where(Attempt.mode == "exam")) == 40
        assert [e.question_id for e in db.session.scalars(select(NotebookEntry))] == [paper.items[0]["question_id"]]
    result = client.get(f"/exams/{paper_id}/result").get_data(as_text=True)
    assert "及格" in result and "各题型得分" in result and "各知识点" in result
    assert result.count('class="card question review"') == 40 and "正确答案" in result


def test_unanswered_questions_are_listed_before_submitting(app, client, clock) -> None:
    register(client)
    paper_id = start_exam(client)
    save(client, app, paper_id, 1)
    page = client.get(f"/exams/{paper_id}/submit").get_data(as_text=True)
    assert "还有 39 道题没有作答" in page and ">第1题<" in page and ">第2题<" not in page


def test_another_student_cannot_open_or_answer_a_paper(app, client, clock) -> None:
    register(client, "alice")
    paper_id = start_exam(client)
    client.post("/auth/logout")
    register(client, "bob")
    assert client.get(f"/exams/{paper_id}").status_code == 404
    assert client.get(f"/exams/{paper_id}/result").status_code == 404
    assert client.post(f"/exams/{paper_id}/answer", data={"item": "0", "choice": "0"}).status_code == 404
    assert client.post(f"/exams/{paper_id}/submit").status_code == 404
