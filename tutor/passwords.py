"""Password rules and hashing, at or above OWASP ASVS 5.0 appendix C."""
from __future__ import annotations

import re
import secrets
from functools import lru_cache

import argon2
from argon2.exceptions import InvalidHashError, VerificationError
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

MIN_LENGTH = 8
MAX_LENGTH = 128
# argon2id at OWASP's and ASVS's first configuration: 19 MiB, 2 passes, 1 lane. A verification
# costs ~30 ms of CPU, a fifth of PBKDF2-SHA256 at 600,000 iterations (bench/login_cost.py),
# and each verification running at once holds 19 MiB.
METHOD = "argon2id:m=19456,t=2,p=1"
ARGON2_MINIMUM = {"m": 19_456, "t": 2, "p": 1}
# PBKDF2-HMAC-SHA256, still accepted as a setting; 600,000 iterations is ASVS's minimum.
MIN_ITERATIONS = 600_000
_ARGON2_SETTING = re.compile(r"argon2id:m=(\d+),t=(\d+),p=(\d+)")
# The method new hashes use: METHOD, unless the factory was told otherwise (configure): the test
# suite signs up and logs in a few thousand accounts, and at the production work factor that
# alone would take minutes. Production cannot go below ARGON2_MINIMUM or MIN_ITERATIONS.
_method = METHOD
_hasher: argon2.PasswordHasher | None = argon2.PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# Verifies any argon2 hash: the parameters are read from the hash itself.
_verifier = argon2.PasswordHasher()


def configure(method: str, testing: bool) -> None:
    """Set the hashing method of new passwords (TUTOR_PASSWORD_HASH): `argon2id:m=<KiB>,t=<passes>,p=<lanes>`
    or `pbkdf2:sha256:<iterations>`; below ASVS only for tests."""
    global _method, _hasher
    argon = _ARGON2_SETTING.fullmatch(method)
    if argon:
        m, t, p = (int(n) for n in argon.groups())
        if not testing and (m < ARGON2_MINIMUM["m"] or t < ARGON2_MINIMUM["t"] or p < ARGON2_MINIMUM["p"]):
            raise ValueError(f"TUTOR_PASSWORD_HASH: at least {METHOD} (OWASP, ASVS 5.0), not {method!r}")
        if p < 1 or t < 1 or m < 8 * p:
            raise ValueError(f"TUTOR_PASSWORD_HASH: argon2 needs p >= 1, t >= 1 and m >= 8p, not {method!r}")
        hasher: argon2.PasswordHasher | None = argon2.PasswordHasher(time_cost=t, memory_cost=m, parallelism=p)
    else:
        name, _, rounds = method.rpartition(":")
        if name != "pbkdf2:sha256" or not rounds.isdigit():
            raise ValueError("TUTOR_PASSWORD_HASH must be argon2id:m=<KiB>,t=<passes>,p=<lanes> or "
                             f"pbkdf2:sha256:<iterations>, not {method!r}")
        if int(rounds) < MIN_ITERATIONS and not testing:
            raise ValueError(f"TUTOR_PASSWORD_HASH: at least {MIN_ITERATIONS} iterations (ASVS 5.0)")
        hasher = None
    _method, _hasher = method, hasher
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
    if _hasher is not None:
        return _hasher.hash(password)
    return generate_password_hash(password, method=_method)


def verify(password_hash: str, password: str) -> bool:
    """Whether `password` is the one hashed: argon2 hashes (`$argon2id$...`) and Werkzeug's
    (`pbkdf2:...`, the one-time ones, and those stored before argon2) alike."""
    if password_hash.startswith("$argon2"):
        try:
            return _verifier.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
    return check_password_hash(password_hash, password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def verify_nothing(password: str) -> None:
    """Spend what verifying a real hash costs, for a name with no account: the log-in's timing
    then does not tell which usernames exist. The dummy hash is made with the current method."""
    verify(_dummy_hash(), password)


def needs_rehash(password_hash: str) -> bool:
    """Whether a hash that just verified should be made again with the current method: another
    scheme (PBKDF2, a one-time hash), or argon2 with other parameters than the configured ones."""
    if _hasher is None:
        return not password_hash.startswith(_method + "$")
    if not password_hash.startswith("$argon2id$"):
        return True
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


ONE_TIME_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"     # no 0/o, 1/l/i: read off a handout
# Random secrets of ~59 bits need no slow hash to resist guessing from a stolen hash (the slow
# hash is there for passwords people choose); a roster of 40 new accounts then takes
# milliseconds instead of 20 seconds. The first log-in rehashes it (needs_rehash), and the account
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
