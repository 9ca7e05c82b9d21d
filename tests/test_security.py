"""Hardening: each protection here fails its test if it is removed."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from tutor.extensions import db
from tutor.models import Attempt, User

from conftest import answer_form, current_delivery, login, make_app, register, start_set

STRONG = "绿茶 和 咖啡 2026 都很好"


def user_named(app, name: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == name))
        db.session.expunge(user)
        return user


# --- passwords -------------------------------------------------------------------------------

def test_password_rules(app, client) -> None:
    for weak, message in (("short1", "密码至少 8 个字符"), ("password1", "太常见"), ("12345678", "太常见"),
                          ("xiaoming", "不能与用户名相同"), ("x" * 129, "密码最多 128 个字符")):
        page = register(client, "xiaoming", weak).get_data(as_text=True)
        assert message in page, weak
    long_passphrase = "长城 外贸 考试 " * 8                       # 64+ characters are accepted
    assert len(long_passphrase) >= 64
    assert register(client, "xiaoming", long_passphrase).status_code == 302
    client.post("/auth/logout")
    assert login(client, "xiaoming", long_passphrase.strip()).status_code == 200   # exactly as typed
    assert login(client, "xiaoming", long_passphrase).status_code == 302


@pytest.fixture
def production_hashing(tmp_path):
    """An app with the production work factor (the suite's other apps hash cheaply, conftest)."""
    from tutor.config import defaults
    from flask import Flask
    method = defaults(Flask(__name__))["TUTOR_PASSWORD_HASH"]
    assert method == "argon2id:m=19456,t=2,p=1"                   # the default, as shipped
    app = make_app(tmp_path, TUTOR_PASSWORD_HASH=method)
    return app, app.test_client()


def test_password_hash_parameters(production_hashing) -> None:
    app, client = production_hashing
    register(client, "hashme", STRONG)
    stored = user_named(app, "hashme").password_hash
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$") and STRONG not in stored


def test_weaker_hashing_is_refused_outside_tests(tmp_path) -> None:
    from tutor import create_app
    for method in ("pbkdf2:sha256:1000", "pbkdf2:sha256:599999", "scrypt:32768:8:1", "md5",
                   "argon2id:m=19455,t=2,p=1", "argon2id:m=19456,t=1,p=1", "argon2id:m=64,t=1,p=1",
                   "argon2id:m=19456,t=2", "argon2i:m=19456,t=2,p=1"):
        with pytest.raises(ValueError, match="TUTOR_PASSWORD_HASH"):
            create_app({"SECRET_KEY": "k", "TUTOR_PASSWORD_HASH": method, "TUTOR_AUTO_MIGRATE": False,
                        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}"})


def test_old_hashes_are_upgraded_at_login(production_hashing) -> None:
    app, client = production_hashing
    register(client, "legacy", STRONG)
    client.post("/auth/logout")
    from werkzeug.security import generate_password_hash
    for old in ("scrypt", "pbkdf2:sha256:600000"):
        with app.app_context():
            user = db.session.scalar(select(User).where(User.username == "legacy"))
            user.password_hash = generate_password_hash(STRONG, method=old)
            db.session.commit()
        assert login(client, "legacy", STRONG).status_code == 302
        assert user_named(app, "legacy").password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$"), old
        client.post("/auth/logout")


# --- rate limits -----------------------------------------------------------------------------

def test_login_is_limited_per_ip_and_per_username(tmp_path) -> None:
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, TUTOR_LOGIN_LIMIT_IP="4 per minute",
                   TUTOR_LOGIN_LIMIT_USER="3 per minute")
    client = app.test_client()
    statuses = [client.post("/auth/login", data={"username": f"u{i}", "password": "wrong pass"},
                            environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code for i in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    # one username attacked from many addresses
    statuses = [client.post("/auth/login", data={"username": "victim", "password": "wrong pass"},
                            environ_base={"REMOTE_ADDR": f"10.0.1.{i}"}).status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "操作太频繁" in client.post("/auth/login", data={"username": "victim", "password": "x"},
                                    environ_base={"REMOTE_ADDR": "10.0.2.1"}).get_data(as_text=True)
    with app.app_context():
        db.drop_all()


def test_every_rate_limit_is_on_an_account_view_or_a_listed_student_write(app) -> None:
    """Requests outside the auth blueprint and web.LIMITED_STUDENT_WRITES skip Flask-Limiter's
    check (auth's request filter): a limit declared on any other view would silently never apply."""
    from flask_limiter.util import get_qualified_name

    from tutor.extensions import limiter
    from tutor.web import LIMITED_STUDENT_WRITES
    limited = set(limiter._marked_for_limiting)     # Flask-Limiter keeps no public list
    assert limited, "no limits found: the check below would pass vacuously"
    views = {get_qualified_name(view): endpoint for endpoint, view in app.view_functions.items()}
    elsewhere = {views[name] for name in limited if not views[name].startswith("auth.")}
    assert elsewhere == LIMITED_STUDENT_WRITES, "a limit outside auth must be listed, and a listed view limited"


def test_limits_are_shared_through_redis(tmp_path) -> None:
    redis = pytest.importorskip("redis")
    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    import uuid
    user = f"shared-{uuid.uuid4().hex[:8]}"
    options = dict(RATELIMIT_ENABLED=True, TUTOR_RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379",
                   TUTOR_LOGIN_LIMIT_USER="3 per minute", TUTOR_LOGIN_LIMIT_IP="100 per minute")
    workers = [make_app(tmp_path / "a", **options), make_app(tmp_path / "b", **options)]
    statuses = [workers[i % 2].test_client().post("/auth/login", data={"username": user, "password": "nope nope"})
                .status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]     # two "workers", one count
    with workers[0].app_context():
        db.drop_all()


# --- sessions --------------------------------------------------------------------------------

def session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_logout_kills_copied_cookies(app, client) -> None:
    register(client, "alice", STRONG)
    stolen = session_cookie(client)
    client.post("/auth/logout")
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/progress/").status_code == 302


def test_remember_me_cookie_dies_with_logout(app, client) -> None:
    register(client, "bob", STRONG)
    client.post("/auth/logout")
    response = client.post("/auth/login", data={"username": "bob", "password": STRONG, "remember": "y"})
    remember = client.get_cookie("remember_token")
    assert remember is not None
    header = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("remember_token=")][0]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Expires=" in header
    copy = app.test_client()
    copy.set_cookie("remember_token", remember.value)
    assert copy.get("/progress/").status_code == 200              # remember-me works...
    client.post("/auth/logout")
    again = app.test_client()
    again.set_cookie("remember_token", remember.value)
    assert again.get("/progress/").status_code == 302             # ...until logout


def test_password_change_ends_other_sessions(app, client) -> None:
    register(client, "carol", STRONG)
    other = app.test_client()
    login(other, "carol", STRONG)
    assert other.get("/progress/").status_code == 200
    response = client.post("/auth/password", data={"current": STRONG, "password": "新的 密码 很长 2027",
                                                   "confirm": "新的 密码 很长 2027"})
    assert response.status_code == 302
    assert client.get("/progress/").status_code == 200            # this device stays logged in
    assert other.get("/progress/").status_code == 302             # the other one is out
    assert login(other, "carol", "新的 密码 很长 2027").status_code == 302


def test_disabled_account_is_cut_off_on_next_request(app, client) -> None:
    register(client, "dave", STRONG)
    assert client.get("/progress/").status_code == 200
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "dave")).active = False
        db.session.commit()
    assert client.get("/progress/").status_code == 302
    assert "账号已停用" in login(client, "dave", STRONG).get_data(as_text=True)


def test_new_session_at_login_and_absolute_lifetime(app, client) -> None:
    register(client, "erin", STRONG)
    client.post("/auth/logout")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    login(client, "erin", STRONG)
    with client.session_transaction() as session:
        assert "planted" not in session and "auth_time" in session
        session["auth_time"] -= 13 * 3600                          # older than the absolute limit
    response = client.get("/progress/")
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"


def test_idle_lifetime_is_kept_by_reissuing_the_cookie_once_a_minute(app, client, monkeypatch) -> None:
    import time as real_time
    from tutor import security
    moment = [real_time.time()]
    monkeypatch.setattr(security.time, "time", lambda: moment[0])   # itsdangerous reads the same clock

    def session_cookie(response) -> bool:
        return any(h.startswith("session=") for h in response.headers.getlist("Set-Cookie"))

    register(client, "ivan", STRONG)
    assert client.get("/progress/").status_code == 200
    moment[0] += 30
    response = client.get("/progress/")
    assert response.status_code == 200 and not session_cookie(response)   # within the minute: no new cookie
    moment[0] += 31
    response = client.get("/progress/")
    assert session_cookie(response)                                        # re-issued: idle time starts again
    moment[0] += app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() - 10
    assert client.get("/progress/").status_code == 200                     # still within the idle lifetime
    moment[0] += app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() + 61
    response = client.get("/progress/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_cookie_flags(tmp_path, client) -> None:
    response = register(client, "frank", STRONG)
    header = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    https = make_app(tmp_path / "https", TUTOR_HTTPS=True)
    response = register(https.test_client(), "grace", STRONG)
    header = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "Secure" in header
    assert "Strict-Transport-Security" in https.test_client().get("/").headers
    with https.app_context():
        db.drop_all()


# --- headers and limits ----------------------------------------------------------------------

def test_security_headers_on_every_response(app, client) -> None:
    for path in ("/", "/auth/login", "/static/style.css", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "Strict-Transport-Security" not in headers
    assert client.get("/").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/style.css").headers.get("Cache-Control", "")


def test_request_body_cap(app, client) -> None:
    response = client.post("/auth/login", data={"username": "x", "password": "y" * 2_000_000})
    assert response.status_code == 413 and "提交的内容太大" in response.get_data(as_text=True)


# --- access control, mass assignment, input --------------------------------------------------

def test_mass_assignment_changes_nothing(app, client) -> None:
    client.post("/auth/register", data={"username": "mallory", "password": STRONG, "confirm": STRONG,
                                        "role": "instructor", "is_instructor": "1", "active": "0"})
    mallory = user_named(app, "mallory")
    assert mallory.role == "student" and mallory.active
    assert client.get("/instructor/").status_code == 403
    set_id = start_set(client, "kp", "survey.content")
    client.get(f"/practice/{set_id}")
    delivery = current_delivery(app, set_id)
    q = app.extensions["tutor_content"].catalog.course("chapter8").by_id[delivery.question_id]
    client.post(f"/practice/{set_id}/answer", data={
        "delivery": delivery.id, **answer_form(q, delivery.layout, correct=False),
        "score": "100", "correct": "1", "user_id": "999", "question_id": "survey.content-02", "max_score": "0"})
    with app.app_context():
        attempt = db.session.scalar(select(Attempt))
        assert attempt.correct is False and attempt.score < attempt.max_score
        assert attempt.user_id == mallory.id and attempt.question_id == q.id


def test_output_is_escaped_everywhere(app, client) -> None:
    payload = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    register(client, "xss", STRONG)
    set_id = start_set(client, "kp", "churn.loyalty_methods")
    for _ in range(10):
        client.get(f"/practice/{set_id}")
        delivery = current_delivery(app, set_id)
        q = app.extensions["tutor_content"].catalog.course("chapter8").by_id[delivery.question_id]
        form = {"delivery": delivery.id, **answer_form(q, delivery.layout)}
        for key in list(form):
            if "text" in key or "blank" in key:
                form[key] = [payload]
        response = client.post(f"/practice/{set_id}/answer", data=form)
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "<script>alert(1)" not in page and "<img src=x" not in page
    page = register(app.test_client(), payload, STRONG).get_data(as_text=True)
    assert "<script>alert(1)" not in page and "用户名只能包含" in page


def test_hostile_yaml_is_sanitised(tmp_path) -> None:
    import shutil
    from conftest import CONTENT
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    lesson = copy / "chapter8" / "lessons" / "survey.yaml"
    text = lesson.read_text(encoding="utf-8")
    hostile = '<script>alert(1)</script> [链接](javascript:alert(2)) <img src=x onerror=alert(3)>'
    lesson.write_text(text.replace("title: 客户调查分析", "title: 客户调查分析<script>alert(0)</script>", 1)
                      .replace("    explanation: |\n", f"    explanation: |\n      {hostile}\n", 1), encoding="utf-8")
    app = make_app(tmp_path, TUTOR_CONTENT_DIR=str(copy))
    page = app.test_client().get("/courses/chapter8/lessons/survey").get_data(as_text=True)
    import re
    assert not re.search(r"<script>alert|<img[^>]*onerror|href=\"javascript:", page), \
        re.findall(r".{40}(?:<script>alert|onerror|javascript:).{40}", page)
    assert "&lt;script&gt;alert(0)" in page
    with app.app_context():
        db.drop_all()


# --- errors and logs -------------------------------------------------------------------------

def test_error_pages_show_no_internals(app, client, monkeypatch, caplog) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals: /etc/passwd")

    monkeypatch.setitem(app.view_functions, "study.home", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    app.testing = False
    with caplog.at_level(logging.ERROR):
        response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 500 and "服务器出错了" in page
    assert "secret internals" not in page and "Traceback" not in page
    assert any("secret internals" in r.getMessage() or r.exc_info for r in caplog.records)


def test_security_events_are_logged_safely(app, client, caplog) -> None:
    register(client, "henry", STRONG)
    client.post("/auth/logout")
    with caplog.at_level(logging.WARNING, logger="tutor.security"):
        login(client, "henry\nsecurity login user=1 FORGED", "wrong password 123")
        login(client, "henry", STRONG)
        client.get("/instructor/")
    lines = [r.getMessage() for r in caplog.records if r.name == "tutor.security"]
    failed = [l for l in lines if "login_failed" in l]
    assert failed and "\n" not in failed[0] and "\\nsecurity login" in failed[0] and "path=/auth/login" in failed[0]
    assert any("access_denied" in l and "path=/instructor/" in l for l in lines)
    assert not any("wrong password" in l or STRONG in l for l in lines)
