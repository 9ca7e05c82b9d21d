"""Short answers beyond their keyword score: the student's 自评 and the instructor's 人工复核
replace it, in the answer, the statistics, the FSRS card and the notebook."""
from __future__ import annotations

from datetime import timezone

from fsrs import Card, Rating, Scheduler
from sqlalchemy import select

from tutor.extensions import db
from tutor.models import Attempt, Delivery, NotebookEntry, ReviewCard, StudentQuestion, User

from conftest import login, make_instructor, register, start_set

SHORT = "overview.definition-s01"     # five rubric points of one mark each


def answer_short(app, client, text: str) -> tuple[int, int, int]:
    """Start a set on the short question's knowledge point and answer it; (set, position, attempt)."""
    app.config["TUTOR_PRACTICE_SET_SIZE"] = 50      # the whole knowledge point: the question is in it
    set_id = start_set(client, "kp", "overview.definition")
    with app.app_context():
        delivery = db.session.scalar(select(Delivery).where(Delivery.set_id == set_id, Delivery.question_id == SHORT))
        position, delivery_id = delivery.position, delivery.id
    client.post(f"/practice/{set_id}/answer", data={"delivery": delivery_id, "text": text})
    with app.app_context():
        return set_id, position, db.session.scalar(select(Attempt.id).where(Attempt.delivery_id == delivery_id))


def standing(app, attempt_id: int):
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        key = dict(user_id=attempt.user_id, course_id="chapter8", question_id=SHORT)
        summary = db.session.scalar(select(StudentQuestion).filter_by(**key))
        card = db.session.scalar(select(ReviewCard).filter_by(**key))
        notebook = db.session.scalar(select(NotebookEntry).filter_by(**key))
        db.session.expunge_all()
        return attempt, summary, card, notebook


def due_after(rating: Rating, attempt: Attempt):
    """When a new card is due after one review at the answer's time, by fsrs itself."""
    moment = attempt.created_at.replace(tzinfo=timezone.utc)
    card, _ = Scheduler(enable_fuzzing=False).review_card(Card(card_id=1, due=moment), rating, moment)
    return card.due.replace(tzinfo=None)


def test_self_assessment_replaces_the_keyword_score_everywhere(app, client, clock) -> None:
    register(client)
    set_id, position, attempt_id = answer_short(app, client, "不知道")
    attempt, summary, card, notebook = standing(app, attempt_id)
    assert (attempt.score, attempt.correct, summary.correct) == (0.0, False, 0) and notebook is not None
    assert card.due == due_after(Rating.Again, attempt)
    page = client.get(f"/practice/{set_id}/{position}").get_data(as_text=True)
    assert "关键词评分，仅供参考" in page and 'name="verdict" value="right"' in page

    client.post(f"/practice/{set_id}/{position}/self", data={"verdict": "right"})
    attempt, summary, card, notebook = standing(app, attempt_id)
    assert (attempt.self_assessment, attempt.score, attempt.correct, attempt.rubric_score) == ("right", 5.0, True, 0.0)
    assert (summary.correct, summary.last_correct, summary.first_fraction) == (1, True, 1.0)
    assert card.due == due_after(Rating.Good, attempt) and card.reviews == 1
    assert notebook is None                 # one right answer: never in the notebook
    assert "你的自评：全对" in client.get(f"/practice/{set_id}/{position}").get_data(as_text=True)

    client.post(f"/practice/{set_id}/{position}/self", data={"verdict": "partial"})
    attempt, summary, card, notebook = standing(app, attempt_id)
    assert (attempt.score, attempt.correct, attempt.rubric_score, summary.correct) == (2.5, False, 0.0, 0)
    assert card.due == due_after(Rating.Hard, attempt)
    assert notebook is not None and notebook.wrong_count == 1

    other = app.test_client()
    register(other, "other")
    assert other.post(f"/practice/{set_id}/{position}/self", data={"verdict": "right"}).status_code == 404
    assert client.post(f"/practice/{set_id}/{position}/self", data={"verdict": "full"}).status_code == 400


def test_uncertain_answers_wait_for_the_instructor_whose_score_counts(app, client, clock) -> None:
    register(client)
    set_id, position, partial_id = answer_short(app, client, "现有客户")          # one point of five
    clock.advance(minutes=5)
    _, _, agreed_id = answer_short(app, client, "不知道")
    clock.advance(minutes=5)
    set_3, position_3, disputed_id = answer_short(app, client, "我不太清楚")
    client.post(f"/practice/{set_3}/{position_3}/self", data={"verdict": "right"})
    assert client.get("/instructor/review").status_code == 403

    teacher_id = make_instructor(app)
    teacher = app.test_client()
    login(teacher, "teacher")
    page = teacher.get("/instructor/review").get_data(as_text=True)
    assert f'data-attempt="{partial_id}"' in page and f'data-attempt="{disputed_id}"' in page
    assert f'data-attempt="{agreed_id}"' not in page          # 0 of 5 and nobody disagrees
    assert "部分要点" in page and "自评不一致" in page and "现有客户" in page and "参考答案" in page

    assert teacher.post(f"/instructor/review/{partial_id}", data={"score": "9"}).status_code == 302
    assert standing(app, partial_id)[0].reviewed_score is None         # out of range: refused
    teacher.post(f"/instructor/review/{partial_id}", data={"score": "5"})
    attempt, summary, _, _ = standing(app, partial_id)
    assert (attempt.reviewed_score, attempt.reviewed_by, attempt.score, attempt.correct) == (5.0, teacher_id, 5.0, True)
    assert attempt.rubric_score == 1.0 and attempt.reviewed_at is not None
    assert summary.first_fraction == 1.0 and summary.correct == 2      # the reviewed and the self-assessed
    assert f'data-attempt="{partial_id}"' not in teacher.get("/instructor/review").get_data(as_text=True)

    feedback = client.get(f"/practice/{set_id}/{position}").get_data(as_text=True)
    assert "已由老师复核：得 5.0 / 5.0 分" in feedback and "回答正确" in feedback
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.id == teacher_id)) == "instructor"
