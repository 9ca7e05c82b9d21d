"""What a gunicorn worker loads: gunicorn.conf.py migrates in the master and sets
TUTOR_AUTO_MIGRATE=false for the workers, which then never import Alembic, Mako or
Flask-Migrate (each worker's memory; tutor/schema.py)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from flask import Flask

from tutor import schema

ROOT = Path(__file__).resolve().parent.parent

WORKER = """
import re, sys
from tutor import create_app
app = create_app()
client = app.test_client()
page = client.get("/auth/register").get_data(as_text=True)
token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
signed_up = client.post("/auth/register", data={"csrf_token": token, "username": "worker1",
                                                "password": "Jiaoyi-2026-huiyi", "confirm": "Jiaoyi-2026-huiyi"})
assert signed_up.status_code == 302, signed_up.status_code
assert client.get("/").status_code == 200
print(" ".join(sorted({m.split(".")[0] for m in sys.modules} & {"alembic", "mako", "flask_migrate"})) or "none")
"""


def test_a_worker_serves_pages_without_alembic(app: Flask, tmp_path: Path) -> None:
    with app.app_context():
        url = str(app.config["SQLALCHEMY_DATABASE_URI"])
    # The tables exist (the app fixture migrated them, as gunicorn's master does).
    env = {**os.environ, "DATABASE_URL": url, "TUTOR_AUTO_MIGRATE": "false", "TUTOR_SECRET_KEY": "worker-test",
           "TUTOR_CONTENT_DIR": str(app.config["TUTOR_CONTENT_DIR"])}
    env.pop("FLASK_RUN_FROM_CLI", None)
    out = subprocess.run([sys.executable, "-c", WORKER], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "none"


def test_the_processes_that_migrate_bind_flask_migrate(tmp_path: Path) -> None:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'm.sqlite'}"
    from tutor.extensions import db
    db.init_app(app)
    schema.upgrade(app)
    assert app.extensions["migrate"].directory == str(schema.MIGRATIONS)
    with app.app_context():
        from sqlalchemy import inspect
        assert "alembic_version" in inspect(db.engine).get_table_names()


def test_a_worker_compiles_its_templates_and_freezes_the_loaded_app(app: Flask) -> None:
    import gc
    import runpy
    from types import SimpleNamespace
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    gc.unfreeze()
    assert gc.get_freeze_count() == 0 and len(app.jinja_env.cache) < 10
    settings["post_worker_init"](SimpleNamespace(wsgi=app))      # what gunicorn passes: worker.wsgi is the app
    try:
        pages = app.jinja_env.list_templates(extensions=["html"])
        assert len(pages) > 100 and len(app.jinja_env.cache) == len(pages)
        assert gc.get_freeze_count() > 1000          # the modules and objects loaded so far
    finally:
        gc.unfreeze()
