"""外贸业务员 exam tutor: the application factory."""
from __future__ import annotations

import os
from typing import Any, Mapping

from pathlib import Path

from flask import Flask, g, request
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix

from tutor import config, schema, security
from tutor.content.store import ContentStore
from tutor.extensions import csrf, db, limiter, login_manager, migrate


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True,
                template_folder=str(config.PROJECT_ROOT / "templates"))
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config.defaults(app))
    app.config.from_pyfile("config.py", silent=True)
    config.from_environment(app.config, os.environ)
    if test_config is not None:
        app.config.from_mapping(test_config)
    config.ensure_secret_key(app)
    config.derived(app.config)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS",
                          config.engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))
    if int(app.config["TUTOR_PROXY_FIX"]):
        hops = int(app.config["TUTOR_PROXY_FIX"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    db.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent / "migrations"))
    _sqlite_transactions(app)
    security.init_app(app)

    store = ContentStore(app.config["TUTOR_CONTENT_DIR"], float(app.config["TUTOR_CONTENT_POLL_SECONDS"]))
    app.extensions["tutor_content"] = store

    @app.before_request
    def current_content() -> None:
        g.catalog = store.current()

    from tutor import auth, cli, collections, exam, instructor, practice, progress, study, web

    web.init_app(app)
    for blueprint in (auth.bp, study.bp, practice.bp, collections.bp, exam.bp, progress.bp,
                      instructor.bp):
        app.register_blueprint(blueprint)
    cli.init_app(app)

    if app.config["TUTOR_AUTO_MIGRATE"]:
        schema.upgrade(app)
    return app


def _sqlite_transactions(app: Flask) -> None:
    """WAL, a busy timeout, and BEGIN IMMEDIATE for requests that write (POST), so that two
    writers queue for the lock at the start instead of failing halfway with 'database is locked'."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None   # pysqlite's own BEGIN handling off; ours below
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    def on_begin(connection: Any) -> None:
        immediate = connection.get_execution_options().get("tutor_immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    with app.app_context():
        event.listen(db.engine, "connect", on_connect)
        event.listen(db.engine, "begin", on_begin)

    @app.before_request
    def writes_take_the_lock_first() -> None:
        view = app.view_functions.get(request.endpoint or "")
        if getattr(view, "writes_after_reading", False):
            return   # it takes the lock itself, after reading (web.begin_writing)
        if request.method == "POST" or getattr(view, "writes_database", False):
            db.session.connection(execution_options={"tutor_immediate": True})
