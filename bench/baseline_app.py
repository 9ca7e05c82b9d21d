"""The bare-framework baselines, served by gunicorn with the same settings as the app:

    gunicorn 'baseline_app:create()'     (from bench/, with DATABASE_URL set)

/plain returns a short string, /template renders a Jinja template file (bench/templates/bare.html,
compiled once and cached, as Flask does) with 20 items, /insert
inserts one row with Flask-SQLAlchemy and commits.
"""
from __future__ import annotations

import os
from datetime import datetime

from flask import Flask, render_template, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, event
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Row(db.Model):
    __tablename__ = "baseline_rows"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=datetime.utcnow)


def create() -> Flask:
    app = Flask(__name__)
    url = os.environ["DATABASE_URL"]
    app.config["SQLALCHEMY_DATABASE_URI"] = url
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"connect_args": {"timeout": 30}} if url.startswith("sqlite") else {}
    db.init_app(app)
    if url.startswith("sqlite"):
        with app.app_context():
            @event.listens_for(db.engine, "connect")
            def wal(connection, _):
                connection.execute("PRAGMA journal_mode=WAL")
                connection.execute("PRAGMA busy_timeout=30000")
    with app.app_context():
        try:
            db.create_all()
        except Exception:  # noqa: BLE001 - the other worker created the table at the same moment
            db.session.rollback()
    items = [{"name": f"知识点 {i}", "value": i * 7} for i in range(20)]

    @app.get("/plain")
    def plain() -> str:
        return "ok"

    @app.get("/template")
    def template() -> str:
        return render_template("bare.html", title="基准页面", items=items)

    @app.post("/insert")
    def insert() -> tuple[str, int]:
        db.session.add(Row(text=request.form.get("text", "x")[:100]))
        db.session.commit()
        return "", 302

    return app
