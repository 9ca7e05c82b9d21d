"""Configuration: defaults -> instance/config.py -> environment -> test_config."""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any, Mapping

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def defaults(app: Flask) -> dict[str, Any]:
    return {
        "SQLALCHEMY_DATABASE_URI": "sqlite:///" + os.path.join(app.instance_path, "tutor.sqlite"),
        "TUTOR_CONTENT_DIR": str(PROJECT_ROOT / "content"),
        "TUTOR_CONTENT_POLL_SECONDS": 2.0,
        "TUTOR_PRACTICE_SET_SIZE": 10,
        "TUTOR_TIMEZONE": "Asia/Shanghai",   # what "today" means for reviews due
        "TUTOR_EXAM_GRACE_SECONDS": 30,      # answers this late after a deadline still count
        "TUTOR_CREATE_SCHEMA": True,
        "WTF_CSRF_TIME_LIMIT": None,   # the token lives as long as the session
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
    }


def from_environment(config: dict[str, Any], environ: Mapping[str, str]) -> None:
    """`TUTOR_*` variables set app keys (JSON values parsed); `DATABASE_URL` the database."""
    for key, raw in environ.items():
        if not key.startswith("TUTOR_") or key.startswith("TUTOR_TEST_"):
            continue
        try:
            value: Any = json.loads(raw)
        except ValueError:
            value = raw
        if key == "TUTOR_SECRET_KEY":
            config["SECRET_KEY"] = raw
        else:
            config[key] = value
    if environ.get("DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = database_url(environ["DATABASE_URL"])


def database_url(url: str) -> str:
    """Accept the usual `postgres://` spellings and use the psycopg 3 driver for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def ensure_secret_key(app: Flask) -> None:
    """Use the configured key, or one generated once and kept in the instance folder."""
    if app.config.get("SECRET_KEY"):
        return
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        # Written aside and linked into place, so that two workers starting at once agree.
        tmp = path.with_name(f".secret_key.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    app.config["SECRET_KEY"] = path.read_text().strip()


def engine_options(uri: str) -> dict[str, Any]:
    if uri.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True}
