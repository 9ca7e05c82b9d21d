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
        # argon2id:m=<KiB>,t=<passes>,p=<lanes> (or pbkdf2:sha256:<iterations>); below OWASP's
        # m=19456,t=2,p=1 (or 600,000 iterations) refused unless TESTING
        "TUTOR_PASSWORD_HASH": "argon2id:m=19456,t=2,p=1",
        "TUTOR_EXAM_GRACE_SECONDS": 30,
        "TUTOR_REPORT_CACHE_SECONDS": 60,    # class reports are reused this long (pages say when made)
        # where every worker finds them: redis://host:6379/0, `database` (a table) or memory:// (per worker)
        "TUTOR_REPORT_CACHE_URI": "database",
        "TUTOR_AUTO_MIGRATE": True,          # apply database migrations at start-up
        # PostgreSQL: how long a page waits for an unreachable or silent database before its 503
        "TUTOR_DB_CONNECT_TIMEOUT": 3,       # seconds to open a connection
        "TUTOR_DB_NETWORK_TIMEOUT": 2,       # seconds unacknowledged data may wait (tcp_user_timeout)
        "TUTOR_DB_STATEMENT_TIMEOUT": 30,    # seconds one statement may run on the server
        "TUTOR_HTTPS": False,                # served over HTTPS: Secure cookies and HSTS
        "TUTOR_PROXY_FIX": 0,                # proxies in front whose X-Forwarded-* to trust
        "TUTOR_TRUSTED_PROXIES": "127.0.0.1,::1",   # addresses those headers are believed from
        "TUTOR_SESSION_IDLE_MINUTES": 120,
        "TUTOR_SESSION_ABSOLUTE_HOURS": 12,
        "TUTOR_REMEMBER_DAYS": 7,
        "TUTOR_MAX_REQUEST_BYTES": 1_000_000,
        "TUTOR_IMPORT_MAX_BYTES": 10 * 1024 * 1024,   # the instructor's question-bank upload only
        # The 导入题目 page may publish into content/ (the app's user must be able to write there).
        "TUTOR_CONTENT_WRITABLE": False,
        # Previewed imports waiting to be published (every worker must see the same folder).
        "TUTOR_IMPORT_SPOOL_DIR": os.path.join(app.instance_path, "imports"),
        "TUTOR_RATELIMIT_STORAGE_URI": "memory://",   # redis://host:6379 to share across workers
        # Failed log-ins only (a right password is never counted): per address, per username
        # from one address, and a looser ceiling per username from all addresses together.
        "TUTOR_LOGIN_LIMIT_IP": "20 per minute;200 per hour",
        "TUTOR_LOGIN_LIMIT_USER_ADDRESS": "5 per minute;20 per hour",
        "TUTOR_LOGIN_LIMIT_USER": "100 per hour",
        "TUTOR_REGISTER_LIMIT": "10 per hour",
        # per student: practice sets and mock exams started (together), favourites toggled
        "TUTOR_START_LIMIT": "30 per minute;600 per hour",
        "TUTOR_FAVOURITE_LIMIT": "60 per minute;1000 per hour",
        # wrong join codes (加入班级): per account, and per address across accounts
        "TUTOR_JOIN_LIMIT": "5 per minute;20 per hour",
        "TUTOR_JOIN_LIMIT_IP": "20 per minute;100 per hour",
        "WTF_CSRF_TIME_LIMIT": None,   # the token lives as long as the session
        # 注销 (docs/privacy.md): days a requested closure waits, cancellable, before it is carried out
        "TUTOR_CLOSURE_COOLING_DAYS": 15,
        # delete the answers of students inactive this many days (`flask privacy run`); 0: never
        "TUTOR_RETENTION_DAYS": 0,
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
        # Redis unreachable: count in this worker's memory (with a logged warning) and go back to
        # Redis when it answers again, rather than refusing every log-in and sign-up with a 500.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
    })
    if str(config["TUTOR_RATELIMIT_STORAGE_URI"]).startswith(("redis://", "rediss://")):
        # a stalled Redis must not hang the log-in page either
        config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_timeout": 1, "socket_connect_timeout": 1})


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


def engine_options(config: Mapping[str, Any]) -> dict[str, Any]:
    """SQLite waits its busy timeout for the write lock. PostgreSQL gives up on a database that
    refuses, or that silently drops packets, within seconds, so that a page answers 503 (and a
    worker stays free) instead of hanging until gunicorn kills it."""
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    network = float(config["TUTOR_DB_NETWORK_TIMEOUT"])
    # No pool pre-ping: a dropped connection is found by its first statement and the request is
    # run again on a new one (tutor/transactions.py), which saves a round trip on every request.
    return {
        "pool_timeout": network + float(config["TUTOR_DB_CONNECT_TIMEOUT"]),
        "connect_args": {
            "connect_timeout": max(1, round(float(config["TUTOR_DB_CONNECT_TIMEOUT"]))),
            # Sent data unacknowledged this long ends the connection: a database behind a dead
            # link fails the next statement instead of blocking it for the kernel's 15 minutes.
            "tcp_user_timeout": round(network * 1000),
            "keepalives": 1, "keepalives_idle": max(1, round(network)), "keepalives_interval": 1,
            "keepalives_count": 3,
            "options": f"-c statement_timeout={round(float(config['TUTOR_DB_STATEMENT_TIMEOUT']) * 1000)}",
        },
    }
