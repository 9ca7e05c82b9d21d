"""Hostile content, failing reloads, schema upgrades and a database that goes away."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, inspect, select

from tutor.content import yamlstrict
from tutor.content.loader import ContentError, ContentLoader, load
from tutor.content.store import ContentStore
from tutor.extensions import db

from conftest import CONTENT, make_app, reset_database

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from tcpgate import Gate  # noqa: E402

YAML_BITS = ["topic: survey\n", "questions:\n", "  - id: q1\n", "    type: single\n", "    options: [a, b]\n",
             "    answer: A\n", "&a ", "*a ", "<<: ", "!!python/object ", "[", "{", "- ", ": ", "\t", "\ufeff",
             "\"", "'", "|\n", ">\n", "%YAML 1.1\n", "---\n", "...\n", "\xff", "\x00", "  ", "\n", "NO", "1.10"]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=400),
                 st.lists(st.sampled_from(YAML_BITS), max_size=40).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass"))))
def test_any_bytes_give_content_or_our_located_error(data: bytes) -> None:
    doc = yamlstrict.parse(data)
    for problem in doc.problems:
        assert problem.line >= 1 and problem.column >= 1 and problem.message


@settings(max_examples=80, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_in_a_question_file_never_break_the_loader(tmp_path_factory, data: bytes) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    course = root / "demo"
    (course / "questions").mkdir(parents=True)
    (course / "course.yaml").write_text("id: demo\ntitle: t\nexam: e\ntopics:\n  - id: survey\n    name: n\n"
                                        "    knowledge_points:\n      - {id: survey.a, name: a}\n", encoding="utf-8")
    (course / "questions" / "fuzz.yaml").write_bytes(data)
    catalog = load(root)
    assert all(isinstance(e, ContentError) and e.line >= 1 for e in catalog.errors)
    assert catalog.course("demo") is not None


def test_deep_nesting_is_refused_not_crashed() -> None:
    doc = yamlstrict.parse(b"a: " + b"[" * 5000 + b"]" * 5000)
    assert doc.problems


def test_failed_reload_keeps_the_last_good_content(tmp_path: Path, monkeypatch) -> None:
    import shutil
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    store = ContentStore(copy, poll_seconds=0)
    before = store.current()
    (copy / "chapter8" / "questions" / "survey.yaml").write_text("topic: survey\nquestions: []\n# changed\n",
                                                                encoding="utf-8")

    def crash(self):
        raise MemoryError("the machine ran out of memory half-way through a reload")

    monkeypatch.setattr(ContentLoader, "refresh", crash)
    assert store.current() is before                 # still serving, and nothing raised
    monkeypatch.undo()
    after = store.current()
    assert after is not before and after.errors      # the next check reloads (and finds the edit)


# --- migrations --------------------------------------------------------------------------------

def test_upgrade_from_the_first_release_keeps_every_answer(tmp_path: Path) -> None:
    from tutor import schema
    app = make_app(tmp_path)
    with app.app_context():
        reset_database()
    schema.upgrade(app, "0001")           # the database as the first release left it
    with app.app_context():
        with db.engine.begin() as c:
            c.exec_driver_sql("INSERT INTO users (id, username, password_hash, role, created_at, active) "
                              "VALUES (1, 'old', 'x', 'student', '2026-01-01 00:00:00', true)")
            c.exec_driver_sql("INSERT INTO practice_sets (id, user_id, course_id, scope_kind, scope_id, mode, "
                              "question_ids, start_index, created_at) VALUES (1, 1, 'chapter8', 'kp', "
                              "'survey.methods', 'random', '[\"survey.methods-01\"]', NULL, '2026-01-01 00:00:00')")
            c.exec_driver_sql("INSERT INTO deliveries (id, set_id, user_id, position, question_id, layout, "
                              "presented_at) VALUES (1, 1, 1, 0, 'survey.methods-01', '[0,1,2,3]', '2026-01-01 00:00:00')")
            c.exec_driver_sql("INSERT INTO attempts (id, user_id, delivery_id, paper_id, item_index, course_id, "
                              "question_id, question_version, response, correct, score, max_score, seconds, mode, "
                              "created_at) VALUES (1, 1, 1, NULL, NULL, 'chapter8', 'survey.methods-01', 'v', "
                              "'\"A\"', true, 1.0, 1.0, 3.0, 'random', '2026-01-01 00:00:00')")
    schema.upgrade(app)                    # what start-up does
    with app.app_context():
        from tutor.models import Attempt, User
        assert db.session.scalar(select(func.count()).select_from(Attempt)) == 1
        user = db.session.get(User, 1)
        assert user.username == "old" and len(user.session_token) >= 20
        reset_database()


def test_migrations_match_the_models(tmp_path: Path) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from tutor import schema
    app = make_app(tmp_path)
    with app.app_context():
        reset_database()
    schema.upgrade(app)
    with app.app_context():
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == [], diff
        reset_database()


def test_a_database_made_before_migrations_is_adopted(tmp_path: Path) -> None:
    from tutor import schema
    app = make_app(tmp_path)          # tables made by create_all, no alembic_version
    schema.upgrade(app)
    with app.app_context():
        assert "alembic_version" in inspect(db.engine).get_table_names()
        reset_database()


# --- the database going away -------------------------------------------------------------------

@pytest.mark.skipif(not os.environ.get("TUTOR_TEST_DATABASE_URL", "").startswith("postgres"),
                    reason="cuts a PostgreSQL connection: runs when TUTOR_TEST_DATABASE_URL is PostgreSQL")
def test_database_outage_gives_503_and_the_app_recovers(tmp_path: Path) -> None:
    from sqlalchemy.engine import make_url
    url = make_url(os.environ["TUTOR_TEST_DATABASE_URL"])
    gate = Gate(url.port or 5432)
    gated = url.set(drivername="postgresql+psycopg", host="127.0.0.1", port=gate.port)
    app = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=gated.render_as_string(hide_password=False),
                   SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True, "connect_args": {"connect_timeout": 2}})
    client = app.test_client()
    from conftest import register
    register(client, "outage")
    assert client.get("/progress/").status_code == 200
    gate.refuse()
    response = client.get("/progress/")
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and "服务暂时不可用" in page and "psycopg" not in page and "Traceback" not in page
    gate.restore()
    assert client.get("/progress/").status_code == 200
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- a connection dropped while the database stays up (a restart, a failover) ------------------

def _drop_connections(app: Any, application_name: str) -> int:
    """Ends, on the server, every connection the app's pool holds, as a database restart does."""
    from sqlalchemy import create_engine, text
    admin = create_engine(os.environ["TUTOR_TEST_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1))
    with admin.connect() as connection:
        ended = connection.execute(text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                        "WHERE application_name = :name"), {"name": application_name}).scalar_one()
    admin.dispose()
    return int(ended)


@pytest.mark.skipif(not os.environ.get("TUTOR_TEST_DATABASE_URL", "").startswith("postgres"),
                    reason="ends PostgreSQL backends: runs when TUTOR_TEST_DATABASE_URL is PostgreSQL")
def test_a_dropped_connection_is_replaced_and_the_request_run_again(tmp_path: Path, caplog: Any) -> None:
    from tutor.models import UserSettings
    name = "tutor-retry-test"
    app = make_app(tmp_path, SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"application_name": name}})
    assert "pool_pre_ping" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    client = app.test_client()
    from conftest import register
    register(client, "restart")
    assert client.get("/progress/").status_code == 200
    # A reading page: its first statement (loading the user) meets the dead connection.
    assert _drop_connections(app, name) >= 1
    response = client.get("/progress/")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    assert "running GET /progress/ again" in caplog.text
    # A form: run again once, saved once.
    caplog.clear()
    assert _drop_connections(app, name) >= 1
    response = client.post("/settings/", data={"one_tap": "off", "font_size": "large", "daily_goal": "40"})
    assert response.status_code == 302
    assert "running POST /settings/ again" in caplog.text
    with app.app_context():
        rows = db.session.scalars(select(UserSettings)).all()
        assert [(r.font_size, r.daily_goal) for r in rows] == [("large", 40)]
    assert "font-large" in client.get("/").get_data(as_text=True)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_request_that_wrote_is_never_run_again(tmp_path: Path) -> None:
    """Run twice, a request that committed (or wrote in autocommit) would store twice: the error
    is answered as an outage instead."""
    from sqlalchemy.exc import OperationalError
    from flask import g
    from tutor import transactions
    app = make_app(tmp_path)
    dropped = OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"),
                               connection_invalidated=True)
    refused = OperationalError("SELECT 1", {}, Exception("connection refused"))
    with app.test_request_context("/progress/"):
        assert transactions.retry_after_disconnect(refused) is None        # not a dropped connection
        g.setdefault(transactions.WROTE, True)
        assert transactions.retry_after_disconnect(dropped) is None
    with app.test_request_context("/progress/"):
        g.setdefault(transactions.RETRIED, True)                            # once only
        assert transactions.retry_after_disconnect(dropped) is None
    with app.test_request_context("/auth/login"):
        assert transactions.retry_after_disconnect(dropped) is not None    # the page, made again
    client = app.test_client()
    from conftest import register
    register(client, "writer")
    with client:
        client.get("/progress/")
        assert not g.get(transactions.WROTE)                               # a page only reads
        client.post("/settings/", data={"one_tap": "off", "font_size": "large", "daily_goal": "40"})
        assert g.get(transactions.WROTE)                                   # a saved form wrote
