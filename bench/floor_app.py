"""The app with one more route, for the benchmark only: a signed-in page that renders the bare
template baseline (bench/templates/bare.html) and does nothing else.

    gunicorn 'floor_app:create()'     (from bench/, with the app's environment)

It measures what any signed-in request costs in this stack before a page does its own work:
the signed session cookie, the session token checked against the database, the hooks of the
extensions. The question page's ratio is judged against the bare template route; this route
shows how much of that budget the stack spends first.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, render_template
from flask_login import login_required

from tutor import create_app

ITEMS = [{"name": f"知识点 {i}", "value": i * 7} for i in range(20)]


def add_floor(app: Flask) -> Flask:
    floor = Blueprint("bench_floor", __name__, template_folder=str(Path(__file__).parent / "templates"))

    @floor.get("/bench/floor")
    @login_required
    def signed_in_bare_template() -> str:
        return render_template("bare.html", title="基准页面", items=ITEMS)

    app.register_blueprint(floor)
    return app


def create() -> Flask:
    return add_floor(create_app())
