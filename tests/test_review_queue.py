"""Short answers beyond their keyword score: the student's 自评 and the instructor's 人工复核
replace it, in the answer, the statistics, the FSRS card and the notebook."""
from __future__ import annotations

from datetime import timezone

import pytest
from fsrs import Card, Rating, Scheduler
from sqlalchemy import select

from tutor.extensions import db
from tutor.models import Attempt, NotebookEntry, ReviewCard, StudentQuestion, User

from conftest import delivery_of, login, make_instructor, register, start_set

SHORT = "overview.definition-s01"


def short_question(app):
    return app.extensions["tutor_content"].catalog.course("chapter8").by_id[SHORT]


def answer_short(app, client, text: str) -> tuple[int, int, int]:
    """Start a set on the short question's knowledge point and answer it; (set, position, attempt)."""
    app.config["TUTOR_PRACTICE_SET_SIZE"] = 50      # the whole knowledge point: the question is in it
    set_id = start_set(client, "kp", "overview.definition")
    position, delivery_id = delivery_of(app, set_id, SHORT)
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
    full = attempt.max_score
    assert (attempt.self_assessment, attempt.score, attempt.correct, attempt.rubric_score) == ("right", full, True, 0.0)
    assert (summary.correct, summary.last_correct, summary.first_fraction) == (1, True, 1.0)
    assert card.due == due_after(Rating.Good, attempt) and card.reviews == 1
    assert notebook is None                 # one right answer: never in the notebook
    assert "你的自评：全对" in client.get(f"/practice/{set_id}/{position}").get_data(as_text=True)

    client.post(f"/practice/{set_id}/{position}/self", data={"verdict": "partial"})
    attempt, summary, card, notebook = standing(app, attempt_id)
    assert (attempt.score, attempt.correct, attempt.rubric_score, summary.correct) == (full / 2, False, 0.0, 0)
    assert card.due == due_after(Rating.Hard, attempt)
    assert notebook is not None and notebook.wrong_count == 1

    other = app.test_client()
    register(other, "other")
    assert other.post(f"/practice/{set_id}/{position}/self", data={"verdict": "right"}).status_code == 404
    assert client.post(f"/practice/{set_id}/{position}/self", data={"verdict": "full"}).status_code == 400


def test_uncertain_answers_wait_for_the_instructor_whose_score_counts(app, client, clock) -> None:
    register(client)
    first_point = short_question(app).rubric[0]
    set_id, position, partial_id = answer_short(app, client, first_point.point)     # one point of several
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
    assert "部分要点" in page and "自评不一致" in page and first_point.point in page and "参考答案" in page

    assert teacher.post(f"/instructor/review/{partial_id}", data={"score": "99"}).status_code == 302
    assert standing(app, partial_id)[0].reviewed_score is None         # out of range: refused
    full = standing(app, partial_id)[0].max_score
    teacher.post(f"/instructor/review/{partial_id}", data={"score": f"{full:g}"})
    attempt, summary, _, _ = standing(app, partial_id)
    assert (attempt.reviewed_score, attempt.reviewed_by, attempt.score, attempt.correct) == (full, teacher_id, full, True)
    assert attempt.rubric_score == first_point.points and attempt.reviewed_at is not None
    assert summary.first_fraction == 1.0 and summary.correct == 2      # the reviewed and the self-assessed
    assert f'data-attempt="{partial_id}"' not in teacher.get("/instructor/review").get_data(as_text=True)

    feedback = client.get(f"/practice/{set_id}/{position}").get_data(as_text=True)
    assert f"已由老师复核：得 {full:g} / {full:g} 分" in feedback and "回答正确" in feedback
    with app.app_context():
        assert db.session.scalar(select(User.role).where(User.id == teacher_id)) in ("instructor", "admin")   # a teacher (make_instructor: an admin)


def test_a_course_can_make_exam_results_wait_for_review(tmp_path, clock) -> None:
    import re
    import shutil
    from conftest import CONTENT, make_app
    from tutor.models import ExamPaper
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    manifest = content / "chapter8" / "course.yaml"
    text = manifest.read_text(encoding="utf-8")
    text = text.replace("  notebook_clear_after: 2\n", "  notebook_clear_after: 2\n  short_review_required: true\n")
    last_part = "      - {type: truefalse, count: 10, points: 1}\n"
    manifest.write_text(text.replace(last_part, last_part + "      - {type: short, count: 1, points: 10}\n"),
                        encoding="utf-8")
    app = make_app(tmp_path / "app", TUTOR_CONTENT_DIR=str(content))
    app.extensions["tutor_clock"] = clock
    client = app.test_client()
    register(client)
    paper_id = int(re.search(r"(\d+)$", client.post("/exams/start", data={
        "course": "chapter8", "blueprint": "mock"}).headers["Location"]).group(1))
    with app.app_context():
        index = next(i for i, item in enumerate(db.session.get(ExamPaper, paper_id).items) if item["type"] == "short")
    client.post(f"/exams/{paper_id}/answer", data={"item": index, "text": "不知道"})
    client.post(f"/exams/{paper_id}/submit")
    page = client.get(f"/exams/{paper_id}/result").get_data(as_text=True)
    assert "data-awaiting-review" in page and "不及格（" not in page
    assert "关键词自动评分" in page and "仅作参考" in page     # the exam's review says what the score is

    teacher_id = make_instructor(app)
    with app.app_context():
        attempt_id = db.session.scalar(select(Attempt.id).where(Attempt.paper_id == paper_id,
                                                                Attempt.item_index == index))
    teacher = app.test_client()
    login(teacher, "teacher")
    teacher.post(f"/instructor/review/{attempt_id}", data={"score": "1"})
    page = client.get(f"/exams/{paper_id}/result").get_data(as_text=True)
    assert "data-awaiting-review" not in page and "不及格（" in page
    with app.app_context():
        paper, attempt = db.session.get(ExamPaper, paper_id), db.session.get(Attempt, attempt_id)
        assert (attempt.reviewed_by, attempt.score) == (teacher_id, 1.0)
        assert paper.score == pytest.approx(10 / attempt.max_score) and paper.passed is False


CASE_WITH_SHORT = """topic: overview
questions:
  - id: overview.definition-c99
    type: case
    knowledge_point: overview.definition
    section: 一(一)
    difficulty: 2
    stem: 宁波一家五金出口商的新任经理想弄清客户管理到底管什么。
    questions:
      - type: truefalse
        stem: 进出口贸易客户管理的对象只包括已经下过单的客户。
        answer: false
        explanation: 对象是现有客户或潜在客户。
      - type: short
        stem: 进出口贸易客户管理的对象和理论来源各是什么？
        rubric:
          - point: 对象是现有客户或潜在客户
            accept: [现有客户或潜在客户, 现有和潜在客户]
          - point: 源于客户管理理论
            accept: [客户管理理论]
        model_answer: 对象是进出口商的现有客户或潜在客户；理论上源于客户管理理论。
        explanation: 两个要点各 1 分。
"""


def test_a_case_with_a_short_sub_question_takes_self_assessment_and_review(tmp_path, clock) -> None:
    """The 自评 stands for the short sub-question's points only; the case waits on 人工复核 when
    its short sub-question is partly answered."""
    from conftest import CONTENT, make_app
    import shutil
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "chapter8" / "questions" / "zz-case-short.yaml").write_text(CASE_WITH_SHORT, encoding="utf-8")
    app = make_app(tmp_path / "app", TUTOR_CONTENT_DIR=str(content), TUTOR_PRACTICE_SET_SIZE=60)
    app.extensions["tutor_clock"] = clock
    client = app.test_client()
    register(client)
    set_id = start_set(client, "kp", "overview.definition")
    position, delivery_id = delivery_of(app, set_id, "overview.definition-c99")
    # the true/false right (1 point), the short half right (1 of 2 points)
    client.post(f"/practice/{set_id}/answer", data={"delivery": delivery_id, "s0-choice": "false",
                                                    "s1-text": "对象是现有客户或潜在客户"})
    with app.app_context():
        attempt = db.session.scalar(select(Attempt).where(Attempt.delivery_id == delivery_id))
        attempt_id, max_score = attempt.id, attempt.max_score
        assert (attempt.score, max_score) == (2.0, 3.0)
    page = client.get(f"/practice/{set_id}/{position}").get_data(as_text=True)
    assert 'name="verdict" value="right"' in page and "关键词自动评分" in page

    teacher = app.test_client()
    make_instructor(app)
    login(teacher, "teacher")
    queue = teacher.get("/instructor/review").get_data(as_text=True)
    assert f'data-attempt="{attempt_id}"' in queue and "部分要点" in queue and "源于客户管理理论" in queue

    client.post(f"/practice/{set_id}/{position}/self", data={"verdict": "wrong"})
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert (attempt.score, attempt.correct) == (1.0, False)    # the true/false point stays
    client.post(f"/practice/{set_id}/{position}/self", data={"verdict": "right"})
    with app.app_context():
        attempt = db.session.get(Attempt, attempt_id)
        assert (attempt.score, attempt.correct) == (3.0, True)


def test_a_mistake_taken_out_by_hand_stays_out_unless_the_reassessment_makes_one(app, client, clock) -> None:
    register(client)
    answer_short(app, client, "不知道")
    clock.advance(minutes=5)
    set_id, position, attempt_id = answer_short(app, client, "还是不知道")
    assert standing(app, attempt_id)[3].wrong_count == 2
    client.post(f"/notebook/chapter8/{SHORT}/remove")
    assert standing(app, attempt_id)[3] is None

    # 全对 on the second answer leaves the first one wrong: the entry the student removed stays out
    client.post(f"/practice/{set_id}/{position}/self", data={"verdict": "right"})
    assert standing(app, attempt_id)[3] is None
    # 不会 is a fresh mistake: the question is back in the 错题本
    client.post(f"/practice/{set_id}/{position}/self", data={"verdict": "wrong"})
    notebook = standing(app, attempt_id)[3]
    assert notebook is not None and (notebook.wrong_count, notebook.blank_count) == (2, 0)


def test_a_teacher_reads_the_students_answer_not_your_answer(app, client, clock) -> None:
    register(client)
    set_id, position, _ = answer_short(app, client, short_question(app).rubric[0].point)   # one point: waits for review
    assert "你的答案" in client.get(f"/practice/{set_id}/{position}").get_data(as_text=True)
    make_instructor(app)
    teacher = app.test_client()
    login(teacher, "teacher")
    for page in (teacher.get(f"/practice/{set_id}/{position}"), teacher.get("/instructor/review")):
        text = page.get_data(as_text=True)
        assert "学生的答案" in text and "你的答案" not in text
