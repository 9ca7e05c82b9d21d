"""`flask backup` while students answer, `flask restore` into a fresh database, and the app on it.

Runs on SQLite, and on PostgreSQL when TUTOR_TEST_DATABASE_URL is set (a database named
ops_restore_<random> is created for the restore and dropped afterwards).
"""
from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pytest
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from tutor import create_app, schema
from tutor.backup import schema_revision
from tutor.config import database_url
from tutor.extensions import db
from tutor.models import User

from conftest import CONTENT, ROOT, reset_database

sys.path.insert(0, str(ROOT / "bench"))
import concurrency  # noqa: E402

HEADS = set(ScriptDirectory(str(ROOT / "tutor" / "migrations")).get_heads())
POSTGRES = os.environ.get("TUTOR_TEST_DATABASE_URL")


def source_uri(tmp_path: Path) -> str:
    return database_url(POSTGRES) if POSTGRES else f"sqlite:///{tmp_path / 'source.sqlite'}"


@contextmanager
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """An empty database to restore into: a new SQLite file, or a new PostgreSQL database."""
    if not POSTGRES:
        yield f"sqlite:///{tmp_path / f'restored-{secrets.token_hex(4)}.sqlite'}"
        return
    url = make_url(database_url(POSTGRES))
    name = f"ops_restore_{secrets.token_hex(4)}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def app_on(uri: str, **overrides: Any) -> Flask:
    config = {"TESTING": True, "SECRET_KEY": "test-secret", "SQLALCHEMY_DATABASE_URI": uri,
              "TUTOR_CONTENT_DIR": str(CONTENT), "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False}
    config.update(overrides)
    return create_app(config)


def empty_database_at(uri: str, revision: str = "head") -> None:
    app = app_on(uri, TUTOR_AUTO_MIGRATE=False)
    with app.app_context():
        reset_database()
    schema.upgrade(app, revision)


def flask_command(uri: str, *args: str, **settings: str) -> subprocess.CompletedProcess:
    """The command as an operator types it, in its own process."""
    env = {**os.environ, "DATABASE_URL": uri, "TUTOR_CONTENT_DIR": str(CONTENT), **settings}
    return subprocess.run([sys.executable, "-m", "flask", "--app", "tutor", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_a_backup_taken_while_students_answer_restores_every_acknowledged_answer(tmp_path: Path) -> None:
    source = source_uri(tmp_path)
    empty_database_at(source)
    server = concurrency.start_server(source, workers=2, port=(port := concurrency.free_port()),
                                      log=tmp_path / "gunicorn.log")
    crowd = [concurrency.Student(f"http://127.0.0.1:{port}", f"b{secrets.token_hex(3)}-{i}") for i in range(8)]
    threads = [threading.Thread(target=s.run, args=(8,)) for s in crowd]
    try:
        for t in threads:
            t.start()
        deadline = time.time() + 120
        while len({d for s in crowd for d in s.acknowledged}) < 12 and time.time() < deadline:
            time.sleep(0.05)
        # everything in these lists had its 302 before the backup process was even started
        before = {s.name: set(s.acknowledged) for s in crowd}
        answering = sum(t.is_alive() for t in threads)
        backed_up = flask_command(source, "backup", str(tmp_path / "tutor.backup"))
        for t in threads:
            t.join(timeout=300)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert backed_up.returncode == 0, backed_up.stderr
    assert answering >= 4, "the backup should run while students are still answering"
    assert len({d for s in crowd for d in s.acknowledged}) > sum(map(len, before.values())), "answers after it began"
    acknowledged_before = set().union(*before.values())
    assert len(acknowledged_before) >= 12

    with fresh_database(tmp_path) as target:
        restored = flask_command(target, "restore", str(tmp_path / "tutor.backup"))
        assert restored.returncode == 0, restored.stderr
        stored = concurrency.stored_answers(target)
        assert acknowledged_before <= set(stored), acknowledged_before - set(stored)
        assert max(stored.values()) == 1
        assert schema_revision(make_url(target)) in HEADS

        app = app_on(target)     # starts (and would migrate) as in production
        name, delivered = max(before.items(), key=lambda item: len(item[1]))
        with app.app_context():
            user_id = db.session.scalar(select(User.id).where(User.username == name))
            with db.engine.connect() as connection:
                answers = connection.execute(text("SELECT count(*) FROM attempts WHERE user_id = :u"),
                                             {"u": user_id}).scalar()
        client = app.test_client()
        assert client.post("/auth/login", data={"username": name, "password": concurrency.PASSWORD}).status_code == 302
        page = client.get("/progress/")
        assert page.status_code == 200
        shown = re.search(r'<span class="bignum">(\d+)</span><small>累计答题</small>', page.get_data(as_text=True))
        assert shown and int(shown.group(1)) == answers >= len(delivered) > 0
        with app.app_context():
            db.engine.dispose()


def test_restore_refuses_a_database_with_data_unless_forced(tmp_path: Path) -> None:
    uri = source_uri(tmp_path)
    empty_database_at(uri)
    app = app_on(uri, TUTOR_AUTO_MIGRATE=False)
    runner = app.test_cli_runner()
    add_user(app, "before")
    assert runner.invoke(args=["backup", str(tmp_path / "a.backup")]).exit_code == 0
    again = runner.invoke(args=["backup", str(tmp_path / "a.backup")])
    assert again.exit_code == 1 and "已存在" in again.output       # a backup never overwrites another
    add_user(app, "after")

    refused = runner.invoke(args=["restore", str(tmp_path / "a.backup")])
    assert refused.exit_code == 1 and "已有数据" in refused.output and "--force" in refused.output
    assert usernames(app) == {"before", "after"}

    forced = runner.invoke(args=["restore", "--force", str(tmp_path / "a.backup")])
    assert forced.exit_code == 0, forced.output
    assert "即最新版本" in forced.output
    assert usernames(app) == {"before"}
    with app.app_context():
        reset_database()
        db.engine.dispose()


def test_an_older_backup_restores_at_its_revision_and_the_app_migrates_it(tmp_path: Path) -> None:
    uri = source_uri(tmp_path)
    empty_database_at(uri, "0004")
    # started with migrations off, as before an upgrade, so the backup is taken at 0004
    assert flask_command(uri, "backup", str(tmp_path / "old.backup"), TUTOR_AUTO_MIGRATE="false").returncode == 0
    with fresh_database(tmp_path) as target:
        app = app_on(target, TUTOR_AUTO_MIGRATE=False)
        result = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "old.backup")])
        assert result.exit_code == 0, result.output
        assert "0004" in result.output and "自动升级" in result.output
        assert schema_revision(make_url(target)) == "0004"
        with app.app_context():
            db.engine.dispose()
        schema.upgrade(app_on(target, TUTOR_AUTO_MIGRATE=False))   # what start-up does
        assert schema_revision(make_url(target)) in HEADS


def test_a_missing_pg_dump_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # nothing is reached on this address: the missing program is found before any connection
    app = app_on("postgresql+psycopg://postgres@127.0.0.1:1/nowhere", TUTOR_AUTO_MIGRATE=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.dump")])
    assert result.exit_code == 1
    assert "找不到 pg_dump" in result.output and "postgresql-client" in result.output
    assert not (tmp_path / "x.dump").exists()


def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"not a database" * 100)
    with fresh_database(tmp_path) as target:
        app = app_on(target)
        add_user(app, "kept")
        result = app.test_cli_runner().invoke(args=["restore", "--force", str(junk)])
        assert result.exit_code == 1
        assert ("pg_restore 失败" if POSTGRES else "不是完好的 SQLite 数据库文件") in result.output
        assert usernames(app) == {"kept"}      # nothing was changed
        with app.app_context():
            db.engine.dispose()


def add_user(app: Flask, name: str) -> None:
    with app.app_context():
        user = User(username=name, role="student")
        user.set_password("correct horse 8")
        db.session.add(user)
        db.session.commit()
        db.session.remove()


def usernames(app: Flask) -> set[str]:
    with app.app_context():
        names = set(db.session.scalars(select(User.username)))
        db.session.remove()
        return names
