"""`flask --app tutor demo`: a demo class made through the app's own code paths fills every
teacher and student page, and the command never touches a database that already has accounts."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select

from tutor.demo import STUDENTS, TEACHER
from tutor.extensions import db
from tutor.models import (Attempt, ExamPaper, Favourite, NotebookEntry, PracticeSet, ReviewCard, StudentQuestion,
                          User)

from conftest import PASSWORD, Clock, login, make_app, make_user

ACTIVE = [p.username for p in STUDENTS if p.days_per_week]
NEWCOMER = next(p.username for p in STUDENTS if not p.days_per_week)
HISTORY: list[tuple[Any, ...]] = []    # the fixture's class, for the same seed to be compared with
TABLES = (User, Attempt, PracticeSet, ExamPaper, StudentQuestion, ReviewCard, NotebookEntry, Favourite)


def counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model)) or 0
                for model in TABLES}


def history(app: Flask) -> list[tuple[Any, ...]]:
    """Every stored answer, in a form two databases can be compared by."""
    with app.app_context():
        return [tuple(row) for row in db.session.execute(
            select(User.username, Attempt.question_id, Attempt.mode, Attempt.correct, Attempt.score,
                   Attempt.created_at).join(User, User.id == Attempt.user_id)
            .order_by(User.username, Attempt.created_at, Attempt.question_id))]


def demo_app(tmp_path: Path) -> Flask:
    app = make_app(tmp_path)
    app.extensions["tutor_clock"] = Clock()     # 2026-11-29 10:00 in Shanghai
    return app


# The tests that read this class come first in the file: on PostgreSQL every new app (the tests
# after them) empties the one shared test database.
@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    app = demo_app(tmp_path_factory.mktemp("demo"))
    result = app.test_cli_runner().invoke(args=["demo", "--seed", "5", "--password", PASSWORD])
    assert result.exit_code == 0, result.output
    HISTORY.extend(history(app))
    yield app, result.output
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def rows(page: str) -> dict[str, str]:
    """The class overview's table rows by student name."""
    found = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page, re.S):
        name = re.search(r'<th scope="row"[^>]*><a [^>]*>([^<]+)</a>', row)
        if name:
            found[name.group(1)] = row
    return found


def test_the_command_prints_the_log_ins_and_where_the_teacher_pages_are(demo) -> None:
    _, output = demo
    assert f"{TEACHER}  密码：{PASSWORD}\n" in output and f"学生 (students) 密码：{PASSWORD}\n" in output
    assert all(p.username in output for p in STUDENTS) and "/instructor/" in output


def test_the_class_overview_lists_every_student_with_figures(demo) -> None:
    app, _ = demo
    client = app.test_client()
    login(client, TEACHER)
    found = rows(client.get("/instructor/").get_data(as_text=True))
    assert set(found) == {p.username for p in STUDENTS}
    for name in ACTIVE:
        cells = re.findall(r'<td class="num[^"]*">([^<]*)</td>', found[name])
        answered, accuracy, last_exam = cells[0], cells[1], cells[2]
        assert int(answered) > 20 and accuracy.endswith("%") and last_exam.endswith("%"), (name, cells)
    assert "从未" in found[NEWCOMER]
    # the student who stopped a week ago is flagged as such
    stopped = next(p.username for p in STUDENTS if p.last_day >= 7)
    assert "7 天未学习" in found[stopped]


def test_the_heatmap_review_queue_and_item_analysis_are_populated(demo) -> None:
    app, _ = demo
    client = app.test_client()
    login(client, TEACHER)
    heat = client.get("/instructor/heatmap").get_data(as_text=True)
    levels = [int(level) for level in re.findall(r'<td class="l(\d)">', heat)]
    assert {1, 2, 3} <= set(levels), "入门, 熟练 and 掌握 all appear"
    review = client.get("/instructor/review").get_data(as_text=True)
    assert any(name in review for name in ACTIVE) and "部分要点" in review
    items = client.get("/instructor/items")
    assert items.status_code == 200 and "chapter8" in items.get_data(as_text=True)


def test_a_students_progress_notebook_and_favourites(demo) -> None:
    app, _ = demo
    with app.app_context():
        weak = next(p.username for p in sorted(STUDENTS, key=lambda p: p.ability) if p.days_per_week)
        user_id = db.session.scalar(select(User.id).where(User.username == weak))
        notebook = db.session.scalar(select(func.count()).select_from(NotebookEntry)
                                     .where(NotebookEntry.user_id == user_id))
        papers = db.session.scalars(select(ExamPaper).where(ExamPaper.user_id == user_id)).all()
    assert notebook > 0 and papers and all(p.submitted_at is not None and p.score is not None for p in papers)
    client = app.test_client()
    login(client, weak)
    progress = client.get("/progress/").get_data(as_text=True)
    assert "我的进度" in progress and "还没有考试记录" not in progress
    assert papers[0].title in progress and re.search(r'class="l[123]', progress)
    page = client.get("/collections/notebook").get_data(as_text=True)
    assert "错题本是空的" not in page
    assert counts(app)["favourites"] > 0


def test_answers_went_through_the_real_recording(demo) -> None:
    """Every answer has its per-question summary and review card, as learning.store leaves them."""
    app, _ = demo
    with app.app_context():
        answers = db.session.scalar(select(func.count()).select_from(Attempt)) or 0
        folded = db.session.scalar(select(func.sum(StudentQuestion.attempts))) or 0
        reviews = db.session.scalar(select(func.sum(ReviewCard.reviews))) or 0
        modes = set(db.session.scalars(select(Attempt.mode).distinct()))
    assert answers == folded == reviews > 500
    assert {"random", "exam", "review"} <= modes


def test_a_second_run_refuses_and_changes_nothing(demo) -> None:
    app, _ = demo
    before = counts(app)
    result = app.test_cli_runner().invoke(args=["demo", "--seed", "6"])
    assert result.exit_code != 0 and "没有做任何改动" in result.output
    assert counts(app) == before


def test_the_demo_class_has_an_assignment_some_students_have_done(demo) -> None:
    """The 作业 pages show something at once: the recent students did it, the idle ones did not."""
    from tutor.demo import HOMEWORK
    from tutor.models import Assignment, Submission
    app, _ = demo
    with app.app_context():
        assignment = db.session.scalar(select(Assignment))
        done = set(db.session.scalars(select(User.username).join(Submission, Submission.user_id == User.id)
                                      .where(Submission.submitted_at.is_not(None))))
    assert assignment.title == HOMEWORK and len(assignment.question_ids) == 10
    assert "zhangwei" in done and "sunhao" not in done and "zhoumin" not in done
    teacher = app.test_client()
    login(teacher, TEACHER)
    report = teacher.get(f"/assignments/{assignment.id}/report")
    assert report.status_code == 200 and f"{len(done)}</strong>/{len(STUDENTS)} <span>已完成" in report.text

def test_a_database_with_any_account_is_refused(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    make_user(app, "xiaoming", "student")
    before = counts(app)
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 1 and "已有 1 个账号" in result.output
    assert counts(app) == before


def test_a_weak_password_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    app = demo_app(tmp_path)
    result = app.test_cli_runner().invoke(args=["demo", "--password", "123456"])
    assert result.exit_code != 0 and counts(app)["users"] == 0


def test_the_same_seed_makes_the_same_class_and_random_passwords_work(demo, tmp_path: Path) -> None:
    assert HISTORY
    app = demo_app(tmp_path)
    result = app.test_cli_runner().invoke(args=["demo", "--seed", "5"])
    assert result.exit_code == 0, result.output
    assert history(app) == HISTORY
    teacher_password = re.search(rf"{TEACHER}  密码：(.+)", result.output).group(1)
    student_password = re.search(r"学生 \(students\) 密码：(.+)", result.output).group(1)
    assert teacher_password != PASSWORD
    client = app.test_client()
    login(client, TEACHER, teacher_password)
    assert client.get("/instructor/").status_code == 200
    client = app.test_client()
    login(client, ACTIVE[0], student_password)
    assert client.get("/progress/").status_code == 200

