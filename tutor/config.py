"""Configuration: defaults -> instance/config.py -> environment -> test_config."""
from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
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
        "TUTOR_EXAM_GRACE_SECONDS": 30,
        "TUTOR_REPORT_CACHE_SECONDS": 60,    # class reports are reused this long (pages say when made)      # answers this late after a deadline still count
        "TUTOR_AUTO_MIGRATE": True,          # apply database migrations at start-up
        "TUTOR_HTTPS": False,                # served over HTTPS: Secure cookies and HSTS
        "TUTOR_PROXY_FIX": 0,                # proxies in front whose X-Forwarded-* to trust
        "TUTOR_SESSION_IDLE_MINUTES": 120,
        "TUTOR_SESSION_ABSOLUTE_HOURS": 12,
        "TUTOR_REMEMBER_DAYS": 7,
        "TUTOR_MAX_REQUEST_BYTES": 1_000_000,
        "TUTOR_RATELIMIT_STORAGE_URI": "memory://",   # redis://host:6379 to share across workers
        "TUTOR_LOGIN_LIMIT_IP": "10 per minute;100 per hour",
        "TUTOR_LOGIN_LIMIT_USER": "5 per minute;30 per hour",
        "TUTOR_REGISTER_LIMIT": "10 per hour",
        "WTF_CSRF_TIME_LIMIT": None,   # the token lives as long as the session
    }


def derived(config: dict[str, Any]) -> None:
    """Flask's and the extensions' own keys, set from ours once every source has been read."""
    secure = bool(config["TUTOR_HTTPS"])
    config.update({
        "SESSION_COOKIE_HTTPONLY": True, "SESSION_COOKIE_SAMESITE": "Lax", "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_HTTPONLY": True, "REMEMBER_COOKIE_SAMESITE": "Lax", "REMEMBER_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_DURATION": timedelta(days=float(config["TUTOR_REMEMBER_DAYS"])),
        "PERMANENT_SESSION_LIFETIME": timedelta(minutes=float(config["TUTOR_SESSION_IDLE_MINUTES"])),
        "SESSION_REFRESH_EACH_REQUEST": False,   # security.absolute_lifetime re-issues it each minute
        "MAX_CONTENT_LENGTH": int(config["TUTOR_MAX_REQUEST_BYTES"]),
        "RATELIMIT_STORAGE_URI": config["TUTOR_RATELIMIT_STORAGE_URI"],
        "RATELIMIT_HEADERS_ENABLED": True,
    })


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
