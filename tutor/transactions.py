"""How each request uses the database.

- A GET reads: it may not write (unless its view is marked `web.writes_database`), and the
  engine refuses an INSERT, UPDATE or DELETE on its connection, so a view that starts writing
  without saying so fails its tests instead of misbehaving under load. Its statements run in
  autocommit: no BEGIN and ROLLBACK around a page's queries (on PostgreSQL two round trips,
  about a third of a question page's time there).
- A POST writes, in one transaction. On SQLite it takes the write lock at BEGIN (BEGIN
  IMMEDIATE), so that two writers queue for the lock at the start instead of one failing
  halfway with "database is locked".
- A view marked `web.writes_after_reading` (answering a practice question, the busiest write)
  reads first and then calls `begin_writing`. On SQLite its reads run outside a transaction
  and `begin_writing` issues BEGIN IMMEDIATE on the same connection, so the lock is held only
  for the writes, with no commit and fresh connection in between. On PostgreSQL the whole
  request runs in autocommit, and the answer is stored by one statement, atomic by itself:
  three round trips instead of five.
- SQLite runs in WAL mode with a busy timeout and foreign keys on.
- A connection the database dropped (a restart, a failover) is found by the first statement
  that uses it, not by a `SELECT 1` before every request (the pool's pre-ping: one more round
  trip on every page). SQLAlchemy then invalidates the pool, and the request is run once more on
  a fresh connection, provided nothing it did was committed: no COMMIT and no statement that
  wrote in autocommit. Otherwise the error is answered as an outage (503), never run twice.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tutor.extensions import db

READ_ONLY = "tutor_read_only"
IMMEDIATE = "tutor_immediate"
NO_BEGIN = "tutor_no_begin"     # SQLite: statements run in autocommit (until begin_writing())


class WriteInReadingRequest(RuntimeError):
    """A GET view wrote without being marked `writes_database`."""


def init_app(app: Flask) -> None:
    sqlite = app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    with app.app_context():
        engine = db.engine
        if sqlite:
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)
        event.listen(engine, "before_cursor_execute", _refuse_writes_when_reading)
        event.listen(engine, "after_cursor_execute", _note_write)
    if not event.contains(Session, "after_commit", _note_commit):
        event.listen(Session, "after_commit", _note_commit)
    reading = _reading(sqlite)

    @app.before_request
    def choose_transaction() -> None:
        view = app.view_functions.get(request.endpoint or "")
        if request.endpoint == "static":
            return
        if getattr(view, "writes_after_reading", False):
            db.session.connection(execution_options={NO_BEGIN: True} if sqlite
                                  else {"isolation_level": "AUTOCOMMIT"})
        elif request.method == "POST" or getattr(view, "writes_database", False):
            if sqlite:
                db.session.connection(execution_options={IMMEDIATE: True})
        else:
            db.session.connection(execution_options=reading)


def _reading(sqlite: bool) -> dict[str, Any]:
    return {READ_ONLY: True, NO_BEGIN: True} if sqlite else {READ_ONLY: True, "isolation_level": "AUTOCOMMIT"}


def read_after_writing() -> None:
    """In a `writes_after_reading` view, after its commit (or rollback): what it reads to show
    the result runs as a GET's reads do, outside a transaction and unable to write. Otherwise the
    session's next connection would begin one: on PostgreSQL a BEGIN and a ROLLBACK, two round
    trips, around reads that need neither."""
    db.session.connection(execution_options=_reading(db.engine.dialect.name == "sqlite"))


RETRIED = "tutor_retried_after_disconnect"
WROTE = "tutor_wrote"


def retry_after_disconnect(error: Exception) -> Any:
    """The request run once more, if `error` was the database dropping a pooled connection and
    the request has not written anything that stayed; else None (answer it as an outage)."""
    if not (isinstance(error, DBAPIError) and error.connection_invalidated) or g.get(RETRIED) or g.get(WROTE):
        return None
    g.setdefault(RETRIED, True)
    current_app.logger.warning("database connection was dropped; running %s %s again on a new one",
                               request.method, request.path)
    db.session.remove()
    # The before-request hooks too: the connection and its transaction mode are chosen there,
    # and one of them (loading the user) may be what failed.
    return current_app.preprocess_request() or current_app.dispatch_request()


def _note_write(connection: Any, _cursor: Any, _statement: str, _parameters: Any, context: Any,
                _executemany: bool) -> None:
    if context is not None and (context.isinsert or context.isupdate or context.isdelete) and has_request_context():
        g.setdefault(WROTE, True)


def _note_commit(_session: Any) -> None:
    if has_request_context():
        g.setdefault(WROTE, True)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None   # pysqlite's own BEGIN handling off; ours below
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def begin_writing() -> None:
    """In a `writes_after_reading` view, after its reads: on SQLite take the write lock now, on
    the connection the reads used; on PostgreSQL (autocommit) there is nothing to do."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _sqlite_begin(connection: Any) -> None:
    options = connection.get_execution_options()
    if not options.get(NO_BEGIN):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(IMMEDIATE) else "BEGIN")


def _refuse_writes_when_reading(connection: Any, cursor: Any, statement: str, _parameters: Any,
                                context: Any, _executemany: bool) -> None:
    if context is None or not (context.isinsert or context.isupdate or context.isdelete):
        return
    options = connection.get_execution_options()
    if options.get(READ_ONLY):
        raise WriteInReadingRequest(f"a GET request wrote ({statement.split(maxsplit=3)[:3]}); "
                                    "mark its view with web.writes_database")
    if options.get(NO_BEGIN) and not cursor.connection.in_transaction:
        raise WriteInReadingRequest(f"a writes_after_reading view wrote ({statement.split(maxsplit=3)[:3]}) "
                                    "before begin_writing(): on SQLite it would not be one transaction")
