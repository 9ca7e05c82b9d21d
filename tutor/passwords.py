"""Password rules and hashing, at or above OWASP ASVS 5.0 appendix C."""
from __future__ import annotations

import secrets
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

MIN_LENGTH = 8
MAX_LENGTH = 128
# PBKDF2-HMAC-SHA256 with 600,000 iterations (Werkzeug's default scrypt parameters are below ASVS).
METHOD = "pbkdf2:sha256:600000"
MIN_ITERATIONS = 600_000
# The method new hashes use: METHOD, unless the factory was told otherwise for a test run
# (configure): the test suite signs up and logs in a few thousand accounts, and at 0.2 s of CPU
# each the work factor alone would take minutes. Production cannot go below MIN_ITERATIONS.
_method = METHOD


def configure(method: str, testing: bool) -> None:
    """Set the hashing method of new passwords (TUTOR_PASSWORD_HASH); below ASVS only for tests."""
    global _method
    name, _, rounds = method.rpartition(":")
    if name != "pbkdf2:sha256" or not rounds.isdigit():
        raise ValueError(f"TUTOR_PASSWORD_HASH must be pbkdf2:sha256:<iterations>, not {method!r}")
    if int(rounds) < MIN_ITERATIONS and not testing:
        raise ValueError(f"TUTOR_PASSWORD_HASH: at least {MIN_ITERATIONS} iterations (ASVS 5.0)")
    _method = method
    _dummy_hash.cache_clear()
    _dummy_hash()       # made now, so that the first unknown name costs what later ones do


def problem(password: str, username: str = "") -> str | None:
    """What is wrong with a new password, in Chinese, or None. The password is taken exactly as typed."""
    if len(password) < MIN_LENGTH:
        return f"密码至少 {MIN_LENGTH} 个字符"
    if len(password) > MAX_LENGTH:
        return f"密码最多 {MAX_LENGTH} 个字符"
    if username and password.lower() == username.lower():
        return "密码不能与用户名相同"
    if zxcvbn(password[:100], user_inputs=[username] if username else [])["score"] < 2:
        return "这个密码太常见或太容易猜到，请换一个（可以用几个词加数字组成的长密码）"
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=_method)


def verify(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def verify_nothing(password: str) -> None:
    """Spend what verifying a real hash costs, for a name with no account: the log-in's timing
    then does not tell which usernames exist."""
    verify(_dummy_hash(), password)


def needs_rehash(password_hash: str) -> bool:
    return not password_hash.startswith(_method + "$")


ONE_TIME_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"     # no 0/o, 1/l/i: read off a handout
# Random secrets of ~59 bits need no slow hash to resist guessing from a stolen hash (the slow
# hash is there for passwords people choose); a roster of 40 new accounts then takes
# milliseconds instead of 20 seconds. The first log-in rehashes it at METHOD, and the account
# must choose its own password at once anyway.
ONE_TIME_METHOD = "pbkdf2:sha256:1000"


def one_time() -> str:
    """A generated one-time password: 12 characters in groups of 4, e.g. `k7mx-4qp9-z2ab`."""
    while True:
        raw = "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(12))
        candidate = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        if problem(candidate) is None:
            return candidate


def hash_one_time(password: str) -> str:
    """The hash of a password made by one_time() (never of one a person chose)."""
    return generate_password_hash(password, method=ONE_TIME_METHOD)
