"""Accounts under attack (issue 14): remember-me expiry, lock-out-free throttling, case twins,
username enumeration by timing, spoofed X-Forwarded-For, and Redis going away."""
from __future__ import annotations

import hashlib
import logging
import shutil
import socket
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tutor.extensions import db
from tutor.models import User, utcnow

from conftest import PASSWORD, login, make_app, make_instructor, register, reset_database


def travel(app, days: float) -> None:
    moment = utcnow() + timedelta(days=days)
    app.extensions["tutor_clock"] = lambda: moment


# --- remember-me -----------------------------------------------------------------------------

def test_remember_me_cookie_ends_on_the_server_however_often_it_is_replayed(app, client) -> None:
    register(client, "rememberme")
    client.post("/auth/logout")
    client.post("/auth/login", data={"username": "rememberme", "password": PASSWORD, "remember": "y"})
    cookie = client.get_cookie("remember_token").value

    def replay() -> int:
        browser = app.test_client()
        browser.set_cookie("remember_token", cookie)
        return browser.get("/progress/").status_code

    assert replay() == 200
    travel(app, 6.9)                 # each replay starts a new session, but not a new remember-me
    assert replay() == 200
    travel(app, 7.1)                 # TUTOR_REMEMBER_DAYS (7) after the log-in that made it
    assert replay() == 302


def test_a_session_id_without_its_log_in_time_is_refused(app, client) -> None:
    """Cookies of the old form (id:token) carry no time: they cannot be honoured for ever."""
    register(client, "oldcookie")
    with client.session_transaction() as session:
        session["_user_id"] = ":".join(session["_user_id"].split(":")[:2])
    assert client.get("/progress/").status_code == 302


# --- log-in throttling -------------------------------------------------------------------------

def _post_login(client, username: str, password: str, address: str) -> int:
    return client.post("/auth/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address}).status_code


def test_guessing_does_not_lock_the_owner_out(tmp_path) -> None:
    app = make_app(tmp_path, RATELIMIT_ENABLED=True)
    make_instructor(app, "teacher")
    attacker = [_post_login(app.test_client(), "teacher", "guess guess", "198.51.100.7") for _ in range(5)]
    assert attacker == [200] * 5
    # the attacker's own address is slowed down, even with the right password ...
    assert _post_login(app.test_client(), "teacher", PASSWORD, "198.51.100.7") == 429
    # ... while the owner, from their own address, signs in
    assert _post_login(app.test_client(), "TEACHER", PASSWORD, "203.0.113.20") == 302
    # and right passwords never count: a classroom behind one address signs in again and again
    assert {_post_login(app.test_client(), "teacher", PASSWORD, "203.0.113.20") for _ in range(30)} == {302}
    with app.app_context():
        db.drop_all()


def test_a_username_has_a_ceiling_across_addresses(tmp_path) -> None:
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, TUTOR_LOGIN_LIMIT_USER="6 per hour")
    statuses = [_post_login(app.test_client(), "victim", "guess guess", f"10.9.0.{i}") for i in range(7)]
    assert statuses == [200] * 6 + [429]
    assert _post_login(app.test_client(), "someone-else", "guess guess", "10.9.0.99") == 200
    with app.app_context():
        db.drop_all()


# --- case twins --------------------------------------------------------------------------------

def test_simultaneous_sign_ups_of_case_twins_make_one_account(app, runner) -> None:
    names = ["twin", "TWIN", "Twin", "ｔｗｉｎ"]      # the last in full-width letters
    barrier = threading.Barrier(len(names))
    statuses: dict[str, int] = {}

    def sign_up(name: str) -> None:
        client = app.test_client()
        barrier.wait()
        statuses[name] = register(client, name).status_code

    threads = [threading.Thread(target=sign_up, args=(name,)) for name in names]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses.values()) == [200, 200, 200, 302], statuses
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
        owner = db.session.scalar(select(User.username))
    assert runner.invoke(args=["user", "disable", "TWIN"]).exit_code == 0
    with app.app_context():
        assert db.session.scalar(select(User.active).where(User.username == owner)) is False
    assert runner.invoke(args=["user", "create", "tWiN", "--password", "绿茶 和 咖啡 2026"]).exit_code == 1


def test_migration_keeps_accounts_that_already_clash(tmp_path, caplog) -> None:
    from tutor import schema
    app = make_app(tmp_path)
    with app.app_context():
        reset_database()
    schema.upgrade(app, "0005")
    with app.app_context():
        with db.engine.begin() as c:
            for user_id, name in ((1, "twin"), (2, "TWIN"), (3, "other")):
                c.exec_driver_sql(f"INSERT INTO users (id, username, password_hash, role, created_at, active, "
                                  f"session_token) VALUES ({user_id}, '{name}', 'x', 'student', "
                                  f"'2026-01-01 00:00:00', true, 'tok{user_id}')")
    with caplog.at_level(logging.WARNING):
        schema.upgrade(app)
    with app.app_context():
        keys = dict(db.session.execute(select(User.username, User.username_key)).all())
        assert keys == {"twin": "twin", "TWIN": "twin#2", "other": "other"}
        from tutor.auth import find_user
        with app.test_request_context():
            assert find_user("TWIN").id == 2 and find_user("Twin").id == 1   # exact name first
        reset_database()
    assert "username clash" in caplog.text and "'TWIN'" in caplog.text


# --- enumeration by timing ---------------------------------------------------------------------

def test_unknown_usernames_cost_a_password_hash(tmp_path, monkeypatch) -> None:
    # PBKDF2 at its production work factor, still an accepted setting (argon2id, the default:
    # tests/test_passwords.py)
    app = make_app(tmp_path, TUTOR_PASSWORD_HASH="pbkdf2:sha256:600000")
    client = app.test_client()
    make_instructor(app, "known")
    client.get("/auth/login")
    real = hashlib.pbkdf2_hmac
    rounds: list[int] = []

    def counting(name, password, salt, iterations, *args):
        rounds.append(iterations)
        return real(name, password, salt, iterations, *args)

    monkeypatch.setattr(hashlib, "pbkdf2_hmac", counting)
    timings = {}
    for name in ("known", "nobody-by-this-name"):
        rounds.clear()
        started = time.perf_counter()
        assert login(client, name, "wrong wrong wrong").status_code == 200
        timings[name] = time.perf_counter() - started
        assert rounds == [600_000], (name, rounds)
    assert timings["nobody-by-this-name"] > 0.5 * timings["known"], timings


# --- X-Forwarded-For ---------------------------------------------------------------------------

def test_forwarded_for_is_believed_only_from_the_trusted_proxy(tmp_path) -> None:
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, TUTOR_PROXY_FIX=1, TUTOR_LOGIN_LIMIT_IP="3 per minute")

    def attempt(remote: str, forwarded: str) -> int:
        return app.test_client().post("/auth/login", data={"username": f"u{forwarded}", "password": "no no no"},
                                      environ_base={"REMOTE_ADDR": remote},
                                      headers={"X-Forwarded-For": forwarded}).status_code

    # a client on the app's port, inventing a new address each time, is still one address
    assert [attempt("192.0.2.50", f"10.1.0.{i}") for i in range(4)] == [200, 200, 200, 429]
    # behind the real proxy, each forwarded address is its own client
    assert [attempt("127.0.0.1", f"10.2.0.{i}") for i in range(4)] == [200, 200, 200, 200]
    with app.app_context():
        db.drop_all()


# --- Redis going away --------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_redis(port: int, folder: Path) -> subprocess.Popen:
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                               "--appendonly", "no", "--dir", str(folder)], stdout=subprocess.DEVNULL)
    import redis
    for _ in range(100):
        try:
            redis.Redis(port=port, socket_connect_timeout=0.2).ping()
            return server
        except redis.RedisError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("redis-server did not start")


@pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server (apt-get install redis-server)")
def test_redis_down_means_limits_in_memory_not_500s_and_it_comes_back(tmp_path, caplog) -> None:
    import redis
    port = _free_port()
    server = _start_redis(port, tmp_path)
    store = redis.Redis(port=port)
    app = make_app(tmp_path, RATELIMIT_ENABLED=True, TUTOR_RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{port}",
                   TUTOR_LOGIN_LIMIT_USER_ADDRESS="3 per minute")
    client = app.test_client()
    try:
        assert login(client, "nobody", "wrong wrong").status_code == 200
        assert store.keys("LIMITS*"), "the failure was counted in Redis"
        server.terminate()
        server.wait()
        with caplog.at_level(logging.WARNING):
            assert register(app.test_client(), "newcomer").status_code == 302
            assert login(app.test_client(), "newcomer").status_code == 302
            # the limits still hold, counted in this worker's memory
            assert [login(client, "nobody", "wrong wrong").status_code for _ in range(4)] == [200, 200, 200, 429]
        assert "falling back to in-memory storage" in caplog.text
        server = _start_redis(port, tmp_path)
        deadline = time.time() + 45        # Flask-Limiter re-checks the storage with a backoff
        while time.time() < deadline and not store.keys("LIMITS*"):
            login(app.test_client(), "probe", "wrong wrong")
            time.sleep(0.5)
        assert store.keys("LIMITS*"), "the limits went back to Redis when it returned"
    finally:
        server.kill()
        server.wait()
        with app.app_context():
            db.drop_all()
