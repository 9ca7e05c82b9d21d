"""外贸业务员 exam tutor: the application factory."""
from __future__ import annotations

import os
from typing import Any, Mapping

from flask import Flask, g
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from tutor import config
from tutor.content.store import ContentStore
from tutor.extensions import csrf, db, login_manager


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
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS",
                          config.engine_options(app.config["SQLALCHEMY_DATABASE_URI"]))

    db.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    _sqlite_pragmas(app)

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

    if app.config["TUTOR_CREATE_SCHEMA"]:
        _create_schema(app)
    return app


def _create_schema(app: Flask) -> None:
    """Create missing tables; workers starting together must not trip over each other."""
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("SELECT pg_advisory_xact_lock(846813)"))
                db.metadata.create_all(connection)
            return
        try:
            db.create_all()
        except OperationalError:  # another worker created them between check and create
            db.create_all()


def _sqlite_pragmas(app: Flask) -> None:
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    with app.app_context():
        event.listen(db.engine, "connect", on_connect)
