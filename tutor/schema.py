"""Bringing the database schema up to date at start-up, with Alembic (via Flask-Migrate).

Under gunicorn, `gunicorn.conf.py` migrates once in the master before any worker starts, and
the workers skip it: a worker restarted while the database is away must still boot. Where
several processes do migrate at once (`flask run`, or gunicorn started from elsewhere), an
advisory lock on PostgreSQL, or a lock file next to the SQLite database, lets one of them
migrate while the others wait.
"""
from __future__ import annotations

import fcntl
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from flask import Flask
from sqlalchemy import inspect, text
from sqlalchemy.exc import OperationalError

from tutor.extensions import db

# The revision whose tables match a database created before migrations existed.
BASELINE = "0001"
LOCK_ID = 846813
MIGRATIONS = Path(__file__).parent / "migrations"


def init_migrations(app: Flask) -> None:
    """Bind Flask-Migrate to the app, in the processes that migrate (gunicorn's master, the
    `flask` command, tests): it imports Alembic and Mako, which a worker serving pages never
    needs (about 10 MB of each worker's memory)."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate
        Migrate(app, db, directory=str(MIGRATIONS))


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


def upgrade_at_start(app: Flask) -> bool:
    """Migrate, or, when the database cannot be reached, log it and go on: pages answer 503
    until it is back, instead of the process failing to start. True if migrated."""
    try:
        upgrade(app)
    except OperationalError as error:
        with app.app_context():
            db.engine.dispose()
        app.logger.error("database unavailable at start-up, migrations not applied "
                         "(run `flask --app tutor db upgrade` once it is back): %s",
                         str(getattr(error, "orig", error)).strip()[:300])
        return False
    return True


def upgrade(app: Flask, revision: str = "head") -> None:
    from flask_migrate import stamp
    from flask_migrate import upgrade as alembic_upgrade
    init_migrations(app)
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
