"""Practice modes through the test client: sequential, study, notebook, favourites, spaced review."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from tutor.extensions import db
from tutor.models import Attempt, Favourite, NotebookEntry, ReviewCard

from conftest import answer_current, login, register, start_mode


def set_id_of(response) -> int:
    assert response.status_code == 302, response.data
    return int(re.search(r"/practice/(\d+)$", response.headers["Location"]).group(1))


def bank(app, kp: str):
    return app.extensions["tutor_content"].catalog.course("chapter8").by_knowledge_point[kp]


def test_sequential_goes_in_bank_order_and_resumes(app, client, clock) -> None:
    register(client)
    questions = bank(app, "survey.steps")
    set_id = set_id_of(start_mode(client, "sequential", "kp", "survey.steps"))
    seen = [answer_current(app, client, set_id, True)[1].id for _ in range(3)]
    assert seen == [q.id for q in questions[:3]]
    # the student leaves mid-set; the next sequential set resumes at the fourth question
    page = client.get("/practice/choose?course=chapter8&scope=kp&id=survey.steps").get_data(as_text=True)
    assert "继续第 4 题" in page
    set_id = set_id_of(start_mode(client, "sequential", "kp", "survey.steps"))
    assert answer_current(app, client, set_id, True)[1].id == questions[3].id


def test_study_mode_shows_answers_and_scores_nothing(app, client) -> None:
    register(client)
    set_id = set_id_of(start_mode(client, "study", "kp", "churn.causes"))
    first = bank(app, "churn.causes")[0]
    page = client.get(f"/practice/{set_id}").get_data(as_text=True)
    assert "答案" in page and "背题模式不计分" in page and f"/practice/{set_id}?i=1" in page
    from markupsafe import escape
    assert str(escape(first.stem)) in page or first.type == "fill"
    client.get(f"/practice/{set_id}?i=1")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 0


def test_notebook_collects_wrong_answers_and_releases_after_two_right(app, client, clock) -> None:
    register(client)
    set_id = set_id_of(start_mode(client, "random", "kp", "survey.methods"))
    _, wrong_q, _ = answer_current(app, client, set_id, False)
    answer_current(app, client, set_id, True)
    with app.app_context():
        entries = db.session.scalars(select(NotebookEntry)).all()
        assert [e.question_id for e in entries] == [wrong_q.id]
    page = client.get("/notebook").get_data(as_text=True)
    assert "1 题" in page and "客户调查的方法" in page
    for round_ in range(2):
        notebook_set = set_id_of(start_mode(client, "notebook"))
        _, q, _ = answer_current(app, client, notebook_set, True)
        assert q.id == wrong_q.id
        with app.app_context():
            remaining = db.session.scalar(select(func.count()).select_from(NotebookEntry))
        assert remaining == (1 if round_ == 0 else 0)
    response = start_mode(client, "notebook")
    assert response.status_code == 302 and "/practice/" not in response.headers["Location"]


def test_a_wrong_answer_resets_the_streak(app, client, clock) -> None:
    register(client)
    set_id = set_id_of(start_mode(client, "random", "kp", "survey.content"))
    answer_current(app, client, set_id, False)
    for correct in (True, False, True):
        notebook_set = set_id_of(start_mode(client, "notebook"))
        answer_current(app, client, notebook_set, correct)
    with app.app_context():
        entry = db.session.scalar(select(NotebookEntry))
        assert entry.streak == 1 and entry.wrong_count == 2


def test_favourites_star_practise_and_unstar(app, client) -> None:
    register(client)
    set_id = set_id_of(start_mode(client, "random", "kp", "churn.handling"))
    client.get(f"/practice/{set_id}")
    from conftest import current_delivery
    qid = current_delivery(app, set_id).question_id
    response = client.post("/favourites/toggle", data={"course": "chapter8", "question": qid,
                                                       "next": f"/practice/{set_id}"})
    assert response.headers["Location"] == f"/practice/{set_id}"
    assert "★ 已收藏" in client.get(f"/practice/{set_id}").get_data(as_text=True)
    fav_set = set_id_of(start_mode(client, "favourites"))
    _, q, _ = answer_current(app, client, fav_set, True)
    assert q.id == qid
    client.post("/favourites/toggle", data={"course": "chapter8", "question": qid, "next": "https://evil.example/"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Favourite)) == 0
    assert client.post("/favourites/toggle", data={"course": "chapter8", "question": "nope"}).status_code == 404


def test_spaced_review_due_counts_follow_the_clock(app, client, clock) -> None:
    register(client)
    set_id = set_id_of(start_mode(client, "random", "kp", "segmentation.standards"))
    _, wrong_q, _ = answer_current(app, client, set_id, False)
    _, right_q, _ = answer_current(app, client, set_id, True)
    with app.app_context():
        cards = {c.question_id: c for c in db.session.scalars(select(ReviewCard))}
        assert set(cards) == {wrong_q.id, right_q.id}
        assert cards[wrong_q.id].due < cards[right_q.id].due
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<span class="count">2</span><small>今天到期</small>', home)   # both still in learning steps
    review_set = set_id_of(start_mode(client, "review"))
    _, first, _ = answer_current(app, client, review_set, True)
    assert first.id == wrong_q.id                      # most overdue first
    _, second, _ = answer_current(app, client, review_set, True)
    assert second.id == right_q.id
    for _ in range(6):   # keep reviewing what is due today until both cards graduate
        clock.advance(minutes=20)
        response = start_mode(client, "review")
        if "/practice/" not in response.headers["Location"]:
            break
        review_set = set_id_of(response)
        while client.get(f"/practice/{review_set}").status_code == 200:
            answer_current(app, client, review_set, True)
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<span class="count">0</span><small>今天到期</small>', home)
    assert start_mode(client, "review").headers["Location"] == "/"      # nothing due: back with a note
    clock.advance(days=30)
    login(client, "xiaoming")      # a log-in lasts TUTOR_REMEMBER_DAYS (7) at most
    home = client.get("/").get_data(as_text=True)
    assert re.search(r'<span class="count">2</span><small>今天到期</small>', home)


def test_partial_credit_setting_for_multiple_choice(tmp_path) -> None:
    import shutil
    from conftest import CONTENT, current_delivery, make_app
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    manifest = copy / "chapter8" / "course.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "multiple_choice_scoring: all_or_nothing", "multiple_choice_scoring: partial"), encoding="utf-8")
    app = make_app(tmp_path, TUTOR_CONTENT_DIR=str(copy))
    client = app.test_client()
    register(client)
    from tutor.questions.base import LETTERS
    scored = []
    for _ in range(3):
        set_id = set_id_of(start_mode(client, "random", "kp", "survey.content"))
        for _ in range(10):
            client.get(f"/practice/{set_id}")
            delivery = current_delivery(app, set_id)
            q = app.extensions["tutor_content"].catalog.course("chapter8").by_id[delivery.question_id]
            if q.type != "multiple":
                from conftest import answer_form
                client.post(f"/practice/{set_id}/answer", data={"delivery": delivery.id,
                                                                 **answer_form(q, delivery.layout)})
                continue
            shown = [str(i) for i, original in enumerate(delivery.layout) if LETTERS[original] in q.answer][:1]
            client.post(f"/practice/{set_id}/answer", data={"delivery": delivery.id, "choice": shown})
            with app.app_context():
                attempt = db.session.scalar(select(Attempt).where(Attempt.delivery_id == delivery.id))
                scored.append((attempt.score, len(q.answer), attempt.correct))
            break
    assert scored and all(score == 1 / n and not correct for score, n, correct in scored)
    with app.app_context():
        db.drop_all()


def test_two_answers_to_one_question_read_before_either_is_written_both_count(app) -> None:
    """Two tabs answer the same question at once: each read the notebook and review card before
    the other wrote. Neither answer may be refused or lost."""
    from datetime import datetime
    from tutor import learning
    from tutor.questions import grade, question_type
    from seeding import student
    user_id = student(app, "twotabs")
    with app.app_context():
        course = app.extensions["tutor_content"].catalog.course("chapter8")
        q = next(q for q in course.questions if q.type == "truefalse")
        wrong = grade(q, not question_type(q).correct_response(q), course.grading)
        stale = learning.standing(user_id, course.id, q.id)          # nothing yet, as both tabs saw
        for minute in (1, 2):
            learning.store(learning.prepare(user_id, course, q, not question_type(q).correct_response(q), wrong,
                                            now=datetime(2026, 11, 2, 9, minute), mode="random", seconds=5.0,
                                            before=stale))
            db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 2
        entry = db.session.scalar(select(NotebookEntry))
        assert entry.wrong_count == 2 and entry.streak == 0
        card = db.session.scalar(select(ReviewCard))
        assert card.last_review == datetime(2026, 11, 2, 9, 2)


def test_time_taken_counts_from_the_previous_answer_in_the_set(app, client, clock) -> None:
    register(client)
    set_id = set_id_of(start_mode(client, "random", "kp", "survey.methods"))
    clock.advance(seconds=40)
    answer_current(app, client, set_id, True)
    clock.advance(seconds=25)
    answer_current(app, client, set_id, False)
    with app.app_context():
        assert [a.seconds for a in db.session.scalars(select(Attempt).order_by(Attempt.id))] == [40.0, 25.0]
