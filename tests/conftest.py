"""Fixtures after Flask's tutorial: `app`, `client`, `runner`, on a real database.

The suite runs on SQLite by default and on PostgreSQL when TUTOR_TEST_DATABASE_URL is set.
"""
from __future__ import annotations

import os
import random
import re
from pathlib import Path
from typing import Any, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tutor import create_app
from tutor.extensions import db
from tutor.models import ADMIN, INSTRUCTOR, Delivery, User

# Test files that never open a database (content, graders, imports as pure functions): marked
# `storeless`, so CI's PostgreSQL pass can leave them out, as they run the same on any store.
STORELESS = {"test_bank_quality.py", "test_case_sensitive.py", "test_content_check_all.py",
             "test_grader_values.py", "test_graders.py", "test_question_bank.py", "test_rubrics_churn.py",
             "test_rubrics_survey_overview.py", "test_short_answers.py", "test_short_mutants.py",
             "test_transfer.py", "test_transfer_excel.py", "test_transfer_excel_layouts.py",
             "test_transfer_helpers.py", "test_transfer_moodle.py", "test_transfer_tagged.py",
             "test_transfer_thirdparty.py"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in STORELESS:
            item.add_marker(pytest.mark.storeless)

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
PASSWORD = "correct horse 8"
# The seed of the app's random source (practice sets, option shuffles, exam papers) in every
# test app, so that what a test draws is the same on every run; TUTOR_TEST_SEED tries another.
TEST_SEED = int(os.environ.get("TUTOR_TEST_SEED", "8"))


def database_uri(tmp_path: Path) -> str:
    url = os.environ.get("TUTOR_TEST_DATABASE_URL")
    if url:
        from tutor.config import database_url
        return database_url(url)
    return f"sqlite:///{tmp_path / 'test.sqlite'}"


CHEAP_PASSWORD_HASH = "argon2id:m=64,t=1,p=1"


def make_app(tmp_path: Path, **overrides: Any) -> Flask:
    tmp_path.mkdir(parents=True, exist_ok=True)
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": database_uri(tmp_path),
        "TUTOR_CONTENT_DIR": str(CONTENT),
        "TUTOR_CONTENT_POLL_SECONDS": 0,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "TUTOR_AUTO_MIGRATE": False,
        "TUTOR_REPORT_CACHE_SECONDS": 0,
        # The suite makes thousands of accounts: hashed at the production work factor they would
        # cost minutes of CPU. tests/test_security.py checks the production parameters.
        "TUTOR_PASSWORD_HASH": CHEAP_PASSWORD_HASH,
    }
    config.update(overrides)
    app = create_app(config)
    app.extensions["tutor_random"] = random.Random(TEST_SEED)
    with app.app_context():   # a shared PostgreSQL database starts each test empty
        reset_database()
        db.create_all()
    return app


def reset_database() -> None:
    """Drop every table, including Alembic's, whatever made them."""
    db.session.remove()    # a session still in a transaction would hold locks the drops wait for
    with db.engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        db.metadata.drop_all(connection)
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    app = make_app(tmp_path)
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


def register(client: FlaskClient, username: str = "xiaoming", password: str = PASSWORD) -> Any:
    return client.post("/auth/register", data={"username": username, "password": password,
                                               "confirm": password})


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    return client.post("/auth/login", data={"username": username, "password": password})


def make_instructor(app: Flask, username: str = "teacher") -> int:
    """A teacher who sees every student, as every instructor did before classes (issue 18): since
    then that is an admin. Tests of class scoping make plain instructors with make_user."""
    return make_user(app, username, ADMIN)


def make_user(app: Flask, username: str, role: str) -> int:
    with app.app_context():
        user = User(username=username, role=role)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        return user.id


def start_set(client: FlaskClient, scope: str = "kp", scope_id: str = "survey.methods") -> int:
    response = client.post("/practice/start", data={"course": "chapter8", "scope": scope, "id": scope_id})
    assert response.status_code == 302, response.data
    return int(re.search(r"/practice/(\d+)$", response.headers["Location"]).group(1))


def delivery_of(app: Flask, set_id: int, question_id: str) -> tuple[int, int]:
    """Where a question sits in a set: its position and its delivery id."""
    with app.app_context():
        delivery = db.session.scalar(select(Delivery).where(Delivery.set_id == set_id,
                                                            Delivery.question_id == question_id))
        return delivery.position, delivery.id


def current_delivery(app: Flask, set_id: int) -> Delivery:
    """The delivery the question page presents: the set's first one not yet answered."""
    from tutor.models import Attempt
    with app.app_context():
        answered = select(Attempt.delivery_id).where(Attempt.delivery_id.is_not(None))
        return db.session.scalars(select(Delivery).where(Delivery.set_id == set_id, Delivery.id.not_in(answered))
                                  .order_by(Delivery.position)).first()


def answer_form(question: Any, layout: Any, correct: bool = True, prefix: str = "") -> dict[str, Any]:
    """Form fields, named as the answer form names them, that answer `question` right or wrong."""
    from tutor.questions import question_type
    from tutor.questions.base import LETTERS
    from tutor.questions.matching import choices
    p, kind = prefix, question.type
    if kind == "truefalse":
        return {p + "choice": ["true" if question.answer == correct else "false"]}
    if kind in ("single", "multiple"):
        key = {question.answer} if isinstance(question.answer, str) else set(question.answer)
        right = [str(shown) for shown, original in enumerate(layout) if LETTERS[original] in key]
        wrong = [str(shown) for shown, original in enumerate(layout) if LETTERS[original] not in key]
        return {p + "choice": (right if kind == "multiple" else right[:1]) if correct else wrong[:1]}
    if kind == "fill":
        return {f"{p}blank-{i}": [accepted[0] if correct else "不知道"] for i, accepted in enumerate(question.blanks)}
    if kind == "ordering":
        n = len(question.items)
        return {f"{p}rank-{shown}": [str(original + 1 if correct else n - original)]
                for shown, original in enumerate(layout)}
    if kind == "matching":
        key = question_type(question).correct_response(question)
        size = len(choices(question))
        return {f"{p}match-{left}": [str(layout["right"].index(key[left] if correct else (key[left] + 1) % size))]
                for left in range(len(question.pairs))}
    if kind == "short":
        return {p + "text": [question.model_answer if correct else "不知道"]}
    if kind == "case":
        form: dict[str, Any] = {}
        for i, (sub, sub_layout) in enumerate(zip(question.questions, layout)):
            form.update(answer_form(sub, sub_layout, correct, f"{p}s{i}-"))
        return form
    raise AssertionError(kind)


class Clock:
    """A controllable clock for the app: tests move time instead of waiting for it."""

    def __init__(self, start: Any = None) -> None:
        from datetime import datetime
        self.now = start or datetime(2026, 11, 29, 2, 0, 0)   # 10:00 in Shanghai

    def __call__(self) -> Any:
        return self.now

    def advance(self, **delta: float) -> None:
        from datetime import timedelta
        self.now += timedelta(**delta)


@pytest.fixture
def clock(app: Flask) -> Clock:
    clock = Clock()
    app.extensions["tutor_clock"] = clock
    return clock


@pytest.fixture
def seeded_random(app: Flask) -> random.Random:
    """Install a fresh `random.Random(TEST_SEED)` as the app's random source and return it; a
    test may call `.seed(n)` on it to draw differently."""
    source = random.Random(TEST_SEED)
    app.extensions["tutor_random"] = source
    return source


def start_mode(client: FlaskClient, mode: str, scope: str = "all", scope_id: str = "") -> Any:
    return client.post("/practice/start", data={"course": "chapter8", "mode": mode, "scope": scope, "id": scope_id})


def answer_current(app: Flask, client: FlaskClient, set_id: int, correct: bool) -> Any:
    """Show the set's next question and answer it; returns (delivery, question, response)."""
    client.get(f"/practice/{set_id}")
    delivery = current_delivery(app, set_id)
    q = app.extensions["tutor_content"].catalog.course("chapter8").by_id[delivery.question_id]
    response = client.post(f"/practice/{set_id}/answer", data={"delivery": delivery.id,
                                                               **answer_form(q, delivery.layout, correct)})
    return delivery, q, response


def make_class(app: Flask, owner: str, name: str = "外贸1班", students: tuple[str, ...] = (),
               assistants: tuple[str, ...] = ()) -> tuple[int, str]:
    """A class (班级) owned by the account `owner`, with these students and co-teachers, made as
    the create page makes one; its id and join code."""
    from tutor.models import ASSISTANT, MEMBER_STUDENT, OWNER, ClassMember, SchoolClass
    from tutor.teaching import new_join_code
    with app.app_context():
        ids = {u.username: u.id for u in db.session.scalars(
            select(User).where(User.username.in_([owner, *students, *assistants])))}
        school_class = SchoolClass(name=name, course_id="chapter8", join_code=new_join_code(), created_by=ids[owner])
        db.session.add(school_class)
        db.session.flush()
        for username, role in ((owner, OWNER), *((s, MEMBER_STUDENT) for s in students),
                               *((a, ASSISTANT) for a in assistants)):
            db.session.add(ClassMember(class_id=school_class.id, user_id=ids[username], role=role))
        db.session.commit()
        return school_class.id, school_class.join_code or ""


CSRF_VALUE = re.compile(r'(name="csrf_token"(?: type="hidden")? value=")[^"]+(")')


def without_csrf_tokens(page: str) -> str:
    """A page with its CSRF tokens blanked: a token is signed with the second it was made, so two
    renderings of the same page differ when they straddle a second."""
    return CSRF_VALUE.sub(r"\1\2", page)
