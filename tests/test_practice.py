"""Practice through the test client: server-side grading, shuffling, storing every answer once."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from tutor.extensions import db
from tutor.models import Attempt, Delivery, PracticeSet

from conftest import answer_form, current_delivery, login, make_instructor, register, start_set, without_csrf_tokens


def course(app):
    return app.extensions["tutor_content"].catalog.course("chapter8")


def show_and_answer(app, client, set_id: int, correct: bool = True):
    page = client.get(f"/practice/{set_id}").get_data(as_text=True)
    delivery = current_delivery(app, set_id)
    q = course(app).by_id[delivery.question_id]
    response = client.post(f"/practice/{set_id}/answer", data={
        "delivery": delivery.id, **answer_form(q, delivery.layout, correct)})
    return page, delivery, q, response


def test_answer_is_graded_on_the_server_and_stored(app, client) -> None:
    register(client)
    set_id = start_set(client, "kp", "survey.methods")
    page, delivery, q, response = show_and_answer(app, client, set_id, correct=True)
    from markupsafe import escape
    assert "1 / 10" in page and str(escape(q.stem.split("{{")[0])) in page
    assert q.explanation not in page and "正确答案" not in page
    assert response.status_code == 302
    assert response.headers["Location"] == f"/practice/{set_id}/{delivery.position}"
    feedback = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "回答正确" in feedback and "解析" in feedback
    assert f"/courses/chapter8/lessons/survey#{q.knowledge_point}" in feedback
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert (attempt.question_id, attempt.correct, attempt.mode) == (q.id, True, "random")
        assert attempt.score == attempt.max_score > 0
        assert attempt.question_version == course(app).versions[q.id]
        assert attempt.user_id == delivery.user_id and attempt.seconds >= 0
        from tutor.questions import question_type
        assert attempt.response == question_type(q).correct_response(q) or q.type == "short"


def test_keyboard_hint_names_only_keys_that_work_for_the_question(app, client) -> None:
    """Number keys pick options, so only choice questions mention them; Enter submits a choice
    or fill-in form, but not from a text area or a list, so those pages name no keys."""
    register(client)
    seen: set[str] = set()
    for _ in range(30):
        set_id = start_set(client, "all", "")
        for _ in range(10):
            page, _delivery, q, response = show_and_answer(app, client, set_id)
            hint = re.search(r'<p class="muted small keyhint">([^<]*)</p>', page)
            if q.type in ("single", "multiple", "truefalse"):
                assert hint and "数字键" in hint.group(1), q.id
                seen.add("choice")
            elif q.type == "fill":
                assert hint and hint.group(1) == "键盘：回车提交。", q.id
                seen.add("fill")
            else:
                assert hint is None, q.id
                seen.add("other")
        if seen == {"choice", "fill", "other"}:
            return
    raise AssertionError(f"the bank's random sets showed only {seen}")


def test_wrong_answer_shows_the_key_and_explanation(app, client) -> None:
    register(client)
    set_id = start_set(client, "topic", "churn")
    _, delivery, q, response = show_and_answer(app, client, set_id, correct=False)
    feedback = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "回答错误" in feedback
    from markupsafe import escape
    assert str(escape(q.explanation.strip().splitlines()[0])) in feedback


def test_resubmitting_the_same_form_records_nothing_twice(app, client) -> None:
    register(client)
    set_id = start_set(client)
    client.get(f"/practice/{set_id}")
    delivery = current_delivery(app, set_id)
    q = course(app).by_id[delivery.question_id]
    form = {"delivery": delivery.id, **answer_form(q, delivery.layout, False)}
    first = client.post(f"/practice/{set_id}/answer", data=form)
    # a refresh, a double click, or the back button re-sends the form, even with another answer
    again = client.post(f"/practice/{set_id}/answer",
                        data={"delivery": delivery.id, **answer_form(q, delivery.layout, True)})
    assert first.headers["Location"] == again.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1
        assert db.session.scalar(select(Attempt.correct)) is False


def test_unique_constraint_backs_the_once_only_rule(app, client) -> None:
    import pytest
    from sqlalchemy.exc import IntegrityError
    register(client)
    set_id = start_set(client)
    client.get(f"/practice/{set_id}")
    delivery = current_delivery(app, set_id)
    with app.app_context():
        row = dict(user_id=delivery.user_id, delivery_id=delivery.id, course_id="chapter8",
                   question_id=delivery.question_id, question_version="x", response="A",
                   correct=True, score=1.0, max_score=1.0, seconds=1.0, mode="practice")
        db.session.add(Attempt(**row))
        db.session.commit()
        db.session.add(Attempt(**row))
        with pytest.raises(IntegrityError):
            db.session.commit()
        db.session.rollback()


def test_options_are_shuffled_per_presentation(app, client) -> None:
    from conftest import answer_current
    register(client)
    orders: dict[str, set] = {}
    for _ in range(8):   # each set answered once, so that starting again makes a new one
        set_id = start_set(client, "kp", "survey.content")
        with app.app_context():
            for delivery in db.session.scalars(select(Delivery).where(Delivery.set_id == set_id)):
                orders.setdefault(delivery.question_id, set()).add(repr(delivery.layout))
        answer_current(app, client, set_id, True)
    assert any(len(layouts) > 1 for layouts in orders.values())


def test_same_presentation_on_reload(app, client) -> None:
    register(client)
    client.get("/")  # shows, and so clears, the welcome message
    set_id = start_set(client)
    first = client.get(f"/practice/{set_id}").get_data(as_text=True)
    second = client.get(f"/practice/{set_id}").get_data(as_text=True)
    assert without_csrf_tokens(first) == without_csrf_tokens(second)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Delivery)) == 10   # laid out at the start


def test_tampered_answers_store_nothing(app, client) -> None:
    register(client)
    response = client.post("/practice/start", data={"course": "chapter8", "mode": "sequential",
                                                    "scope": "kp", "id": "survey.methods"})
    set_id = int(response.headers["Location"].rsplit("/", 1)[1])
    client.get(f"/practice/{set_id}")
    delivery = current_delivery(app, set_id)
    q = course(app).by_id[delivery.question_id]
    assert q.type in ("single", "multiple")       # the bank's first survey.methods question
    tampered = [{"choice": "99"}, {"choice": "-1"}, {"choice": "A"}, {"choice": ["0", "0"]}]
    if q.type == "single":
        tampered.append({"choice": ["0", "1"]})
    for bad in tampered:       # names an option that was never shown: refused outright
        response = client.post(f"/practice/{set_id}/answer", data={"delivery": delivery.id, **bad})
        assert response.status_code == 400, bad
    # nothing chosen: the student is simply asked again
    response = client.post(f"/practice/{set_id}/answer", data={"delivery": delivery.id})
    assert response.status_code == 302 and response.headers["Location"] == f"/practice/{set_id}"
    assert client.post(f"/practice/{set_id}/answer", data={"delivery": "999999", "choice": "0"}).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_a_set_runs_to_its_summary_and_progress_counts_it(app, client) -> None:
    register(client)
    set_id = start_set(client, "kp", "churn.causes")
    for i in range(10):
        _, _, _, response = show_and_answer(app, client, set_id, correct=i % 2 == 0)
    assert client.get(f"/practice/{set_id}").headers["Location"] == f"/practice/{set_id}/summary"
    summary = client.get(f"/practice/{set_id}/summary").get_data(as_text=True)
    assert "5 / 10" in summary
    progress = client.get("/progress/").get_data(as_text=True)
    assert "10/" in progress and "正确率 50%" in progress
    home = client.get("/").get_data(as_text=True)
    assert "正确率 50%" in home


def test_new_sets_prefer_unseen_questions(app, client) -> None:
    register(client)
    seen = set()
    for _ in range(2):
        set_id = start_set(client, "kp", "survey.steps")
        for _ in range(10):
            _, delivery, _, _ = show_and_answer(app, client, set_id)
            seen.add(delivery.question_id)
    total = len(course(app).by_knowledge_point["survey.steps"])
    assert len(seen) == min(20, total)


def test_students_cannot_reach_each_others_work(app, client) -> None:
    register(client, "alice")
    set_id = start_set(client)
    show_and_answer(app, client, set_id)
    with app.app_context():
        alice_id = db.session.scalar(select(PracticeSet.user_id))
    client.post("/auth/logout")
    register(client, "bob")
    assert client.get(f"/practice/{set_id}").status_code == 404
    assert client.get(f"/practice/{set_id}/summary").status_code == 404
    assert client.get(f"/progress/{alice_id}").status_code == 403
    delivery = current_delivery(app, set_id)
    assert client.post(f"/practice/{set_id}/answer", data={"delivery": delivery.id, "choice": "0"}).status_code == 404
    client.post("/auth/logout")
    make_instructor(app)
    login(client, "teacher")
    page = client.get(f"/progress/{alice_id}").get_data(as_text=True)
    assert "alice 的学习进度" in page
    students = client.get("/instructor/").get_data(as_text=True)
    assert "alice" in students and "bob" in students


def test_unknown_scope_is_404(client) -> None:
    register(client)
    response = client.post("/practice/start", data={"course": "chapter8", "scope": "kp", "id": "nope"})
    assert response.status_code == 404
    assert client.post("/practice/start", data={"course": "nope", "scope": "kp", "id": "x"}).status_code == 404


def test_lesson_pages_render_every_section(app, client) -> None:
    c = course(app)
    for lesson in c.lessons:
        page = client.get(f"/courses/chapter8/lessons/{lesson.id}").get_data(as_text=True)
        for section in lesson.sections:
            assert f'id="{section.knowledge_point}"' in page
        assert "要点" in page and "案例" in page
    assert client.get("/courses/chapter8/lessons/nope").status_code == 404
    home = client.get("/").get_data(as_text=True)
    assert all(kp.name in home for kp in c.knowledge_points.values())
    assert re.search(r'href="/courses/chapter8/lessons/survey#survey.methods"', home)
