"""Bringing the database schema up to date at start-up, with Alembic (via Flask-Migrate).

Workers start together under gunicorn: on PostgreSQL an advisory lock, on SQLite a lock file
next to the database, lets one of them migrate while the others wait.
"""
from __future__ import annotations

import fcntl
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from flask import Flask
from flask_migrate import stamp
from flask_migrate import upgrade as alembic_upgrade
from sqlalchemy import inspect, text

from tutor.extensions import db

# The revision whose tables match a database created before migrations existed.
BASELINE = "0001"
LOCK_ID = 846813


@contextmanager
def _lock(app: Flask) -> Iterator[None]:
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": LOCK_ID})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": LOCK_ID})
                connection.commit()
        return
    database = db.engine.url.database
    path = Path(database + ".migrate.lock") if database and database != ":memory:" else \
        Path(app.instance_path) / "migrate.lock"
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def upgrade(app: Flask, revision: str = "head") -> None:
    with app.app_context():
        with _lock(app):
            tables = set(inspect(db.engine).get_table_names())
            if "users" in tables and "alembic_version" not in tables:
                # made by create_all before migrations: adopt it at the revision it matches
                stamp(revision="head" if _matches_models() else BASELINE)
            alembic_upgrade(revision=revision)
        db.engine.dispose()



def _matches_models() -> bool:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    with db.engine.connect() as connection:
        return not compare_metadata(MigrationContext.configure(connection), db.metadata)
