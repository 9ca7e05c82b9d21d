"""Password hashing (tutor/passwords.py): argon2id by default, PBKDF2 still verified and upgraded
at the next log-in, and an unknown username paying for the same verification as a known one."""
from __future__ import annotations

import argon2
import pytest
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from tutor import passwords
from tutor.extensions import db
from tutor.models import User

from conftest import CHEAP_PASSWORD_HASH, PASSWORD, login, make_app, make_user

WRONG = "not the password 9"


@pytest.fixture(autouse=True)
def cheap_again():
    """configure() sets the process's method: put the suite's back after each test."""
    yield
    passwords.configure(CHEAP_PASSWORD_HASH, testing=True)


def stored_hash(app, username: str) -> str:
    with app.app_context():
        return db.session.scalar(select(User.password_hash).where(User.username == username))


def set_hash(app, username: str, value: str) -> None:
    with app.app_context():
        db.session.scalar(select(User).where(User.username == username)).password_hash = value
        db.session.commit()


def parameters(password_hash: str) -> tuple[int, int, int]:
    found = argon2.extract_parameters(password_hash)
    assert found.type is argon2.Type.ID
    return found.memory_cost, found.time_cost, found.parallelism


def test_argon2_parameters_are_written_in_the_hash() -> None:
    passwords.configure("argon2id:m=19456,t=3,p=1", testing=False)
    hashed = passwords.hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=19456,t=3,p=1$") and PASSWORD not in hashed
    assert passwords.verify(hashed, PASSWORD) and not passwords.verify(hashed, WRONG)
    assert passwords.hash_password(PASSWORD) != hashed                     # salted
    passwords.configure(passwords.METHOD, testing=False)
    assert parameters(passwords.hash_password(PASSWORD)) == (19456, 2, 1)


def test_parameters_below_the_minimum_only_in_tests() -> None:
    for weak in ("argon2id:m=19455,t=2,p=1", "argon2id:m=19456,t=1,p=1", "argon2id:m=64,t=1,p=1",
                 "pbkdf2:sha256:599999"):
        with pytest.raises(ValueError, match="TUTOR_PASSWORD_HASH"):
            passwords.configure(weak, testing=False)
        passwords.configure(weak, testing=True)
    for malformed in ("argon2id:m=19456", "argon2id:t=2,p=1,m=19456", "argon2id:m=4,t=1,p=1",
                      "argon2id:m=64,t=0,p=1", "argon2d:m=19456,t=2,p=1", "bcrypt"):
        with pytest.raises(ValueError, match="TUTOR_PASSWORD_HASH"):
            passwords.configure(malformed, testing=True)
    passwords.configure("argon2id:m=65536,t=3,p=4", testing=False)          # above: accepted
    assert parameters(passwords.hash_password(PASSWORD)) == (65536, 3, 4)


def test_anything_but_an_argon2_hash_of_the_current_parameters_needs_rehashing() -> None:
    passwords.configure("argon2id:m=64,t=1,p=1", testing=True)
    current = passwords.hash_password(PASSWORD)
    assert not passwords.needs_rehash(current)
    assert passwords.needs_rehash(generate_password_hash(PASSWORD, method="pbkdf2:sha256:600000"))
    assert passwords.needs_rehash(passwords.hash_one_time(PASSWORD))
    passwords.configure("argon2id:m=128,t=1,p=1", testing=True)            # argon2's own check
    assert passwords.needs_rehash(current)
    passwords.configure("pbkdf2:sha256:1000", testing=True)                # and back to PBKDF2
    assert passwords.needs_rehash(current)
    assert not passwords.needs_rehash(passwords.hash_password(PASSWORD))


def test_hashes_of_every_kind_still_verify() -> None:
    passwords.configure("argon2id:m=64,t=1,p=1", testing=True)
    for hashed in (generate_password_hash(PASSWORD, method="pbkdf2:sha256:600000"),
                   generate_password_hash(PASSWORD, method="scrypt"),
                   passwords.hash_one_time(PASSWORD), passwords.hash_password(PASSWORD)):
        assert passwords.verify(hashed, PASSWORD) and not passwords.verify(hashed, WRONG), hashed
    for broken in ("$argon2id$v=19$m=64,t=1,p=1$nonsense", "$argon2id$", "x", ""):
        assert not passwords.verify(broken, PASSWORD)


def test_a_pbkdf2_hash_becomes_argon2_at_the_next_login(tmp_path) -> None:
    app = make_app(tmp_path)
    client = app.test_client()
    make_user(app, "old", "student")
    old = generate_password_hash(PASSWORD, method="pbkdf2:sha256:600000")
    set_hash(app, "old", old)
    assert login(client, "old", WRONG).status_code == 200               # a wrong password changes nothing
    assert stored_hash(app, "old") == old
    assert login(client, "old").status_code == 302
    upgraded = stored_hash(app, "old")
    assert upgraded.startswith("$argon2id$v=19$m=64,t=1,p=1$") and passwords.verify(upgraded, PASSWORD)
    client.post("/auth/logout")
    assert login(client, "old").status_code == 302 and stored_hash(app, "old") == upgraded   # once only


def test_changed_argon2_parameters_upgrade_at_the_next_login(tmp_path) -> None:
    app = make_app(tmp_path)
    client = app.test_client()
    make_user(app, "someone", "student")
    before = stored_hash(app, "someone")
    assert parameters(before) == (64, 1, 1)
    passwords.configure("argon2id:m=128,t=2,p=1", testing=True)       # as after a restart with a new setting
    assert login(client, "someone", WRONG).status_code == 200
    assert stored_hash(app, "someone") == before
    assert login(client, "someone").status_code == 302
    assert parameters(stored_hash(app, "someone")) == (128, 2, 1)


def test_a_one_time_password_logs_in_and_is_rehashed(tmp_path) -> None:
    app = make_app(tmp_path)
    client = app.test_client()
    make_user(app, "newcomer", "student")
    secret = passwords.one_time()
    set_hash(app, "newcomer", passwords.hash_one_time(secret))
    assert stored_hash(app, "newcomer").startswith(passwords.ONE_TIME_METHOD + "$")
    assert login(client, "newcomer", secret).status_code == 302
    assert parameters(stored_hash(app, "newcomer")) == (64, 1, 1)


def test_an_unknown_username_verifies_an_argon2_hash_of_the_configured_parameters(tmp_path, monkeypatch) -> None:
    """Not a timing test: what the log-in verifies against, for a known name and for a name no
    account has, is an argon2id hash of the production parameters both times."""
    app = make_app(tmp_path, TUTOR_PASSWORD_HASH=passwords.METHOD)
    client = app.test_client()
    make_user(app, "known", "student")
    verified: list[str] = []
    real = argon2.PasswordHasher.verify

    def recording(self, hash, password):
        verified.append(hash if isinstance(hash, str) else hash.decode())
        return real(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "verify", recording)
    for name in ("known", "nobody-by-this-name"):
        verified.clear()
        assert login(client, name, WRONG).status_code == 200
        assert [parameters(h) for h in verified] == [(19456, 2, 1)], name
    assert verified[0] != stored_hash(app, "known")            # the dummy, not somebody's hash
