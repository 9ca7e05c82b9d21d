"""外贸业务员 exam tutor: the application factory."""
from __future__ import annotations

import os
import sys
from typing import Any, Mapping

from flask import Flask, g

from tutor import config, passwords, security, transactions
from tutor.content.store import ContentStore
from tutor.extensions import csrf, db, limiter, login_manager


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
    passwords.configure(str(app.config["TUTOR_PASSWORD_HASH"]), bool(app.config.get("TESTING")))
    config.derived(app.config)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS",
                          config.engine_options(app.config))
    if int(app.config["TUTOR_PROXY_FIX"]):
        app.wsgi_app = security.TrustedProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, int(app.config["TUTOR_PROXY_FIX"]), app.config["TUTOR_TRUSTED_PROXIES"])

    db.init_app(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    transactions.init_app(app)
    security.init_app(app)

    store = ContentStore(app.config["TUTOR_CONTENT_DIR"], float(app.config["TUTOR_CONTENT_POLL_SECONDS"]))
    app.extensions["tutor_content"] = store

    @app.before_request
    def current_content() -> None:
        g.catalog = store.current()

    from tutor import (account, admin, assignments, auth, classes, cli, collections, exam, feedbackloop, instructor,
                       media, practice, progress, study, web)

    web.init_app(app)
    instructor.init_app(app)
    for blueprint in (auth.bp, study.bp, practice.bp, collections.bp, exam.bp, progress.bp,
                      instructor.bp, media.bp, classes.bp, admin.bp, account.bp, assignments.bp, feedbackloop.bp):
        app.register_blueprint(blueprint)
    cli.init_app(app)
    from tutor import searching   # 搜索 over the lessons and questions (docs/search.md)
    app.register_blueprint(searching.bp)
    from tutor import settings   # 设置; its context processor gives every page the user's font size
    app.register_blueprint(settings.bp)
    from tutor import pwa     # the manifest, the service worker and its offline page (docs/offline.md)
    app.register_blueprint(pwa.bp)

    if os.environ.get("FLASK_RUN_FROM_CLI"):
        from tutor import schema
        schema.init_migrations(app)     # `flask db …`; workers never import Alembic (schema.py)
    if app.config["TUTOR_AUTO_MIGRATE"] and not (os.environ.get("FLASK_RUN_FROM_CLI")
                                                 and cli.runs_without_database(sys.argv)):
        from tutor import schema
        schema.upgrade_at_start(app)
    return app
