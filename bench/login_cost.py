"""CPU time of one log-in, PBKDF2-SHA256 at 600,000 iterations against argon2id at the production
parameters (tutor/passwords.py), through the real log-in route.

    .venv/bin/python bench/login_cost.py [--logins 30]

For each method: an app on a fresh SQLite database, one account hashed with that method, then
`--logins` log-ins (POST /auth/login through Flask's test client; each followed by a log-out, not
timed), each timed in CPU seconds of this process (time.process_time), so other load on the
machine barely moves the figures. Also timed: a wrong password, and a username with no account
(the dummy verification), which must cost what a real one does.

Memory: PBKDF2 needs next to none; argon2id fills m KiB (19 MiB) for each verification running
at once, so a server's peak is about m × the log-ins verified concurrently (at most one per
gunicorn worker thread). The script prints the process's peak RSS growth over the argon2 runs.
"""
from __future__ import annotations

import argparse
import logging
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tutor import create_app, passwords  # noqa: E402
from tutor.extensions import db  # noqa: E402
from tutor.models import STUDENT, User  # noqa: E402

PASSWORD = "correct horse 8"
METHODS = {"PBKDF2-SHA256, 600,000 iterations": "pbkdf2:sha256:600000",
           "argon2id m=19456 KiB, t=2, p=1": passwords.METHOD}


def make(method: str, work: Path) -> Any:
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{work / 'login.sqlite'}", "TUTOR_AUTO_MIGRATE": False,
                      "TUTOR_PASSWORD_HASH": method})
    logging.getLogger("tutor.security").setLevel(logging.ERROR)    # a warning line a log-in otherwise
    with app.app_context():
        db.drop_all()
        db.create_all()
        user = User(username="someone", role=STUDENT)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    return app


def cpu_ms(client: Any, username: str, password: str, expect: int, logins: int) -> list[float]:
    times = []
    for _ in range(logins):
        started = time.process_time()
        status = client.post("/auth/login", data={"username": username, "password": password}).status_code
        times.append((time.process_time() - started) * 1000)
        if status != expect:
            raise RuntimeError(f"log-in answered {status}, expected {expect}")
        if status == 302:
            client.post("/auth/logout")
    return times


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logins", type=int, default=30)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="tutor-login-"))
    print(f"{'method':<36}{'right p50':>11}{'mean':>9}{'wrong p50':>11}{'no account p50':>16}   (CPU ms a log-in)")
    for label, method in METHODS.items():
        app = make(method, work)
        client = app.test_client()
        cpu_ms(client, "someone", PASSWORD, 302, 2)        # warm: templates, first connection
        peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        right = cpu_ms(client, "someone", PASSWORD, 302, args.logins)
        wrong = cpu_ms(client, "someone", "wrong wrong 9", 200, args.logins)
        nobody = cpu_ms(client, "nobody-by-this-name", PASSWORD, 200, args.logins)
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
        print(f"{label:<36}{statistics.median(right):>11.1f}{statistics.mean(right):>9.1f}"
              f"{statistics.median(wrong):>11.1f}{statistics.median(nobody):>16.1f}   "
              f"peak RSS +{grown / 1024:.1f} MiB")
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    print(f"\n{args.logins} log-ins each. argon2id holds m = 19 MiB per verification running at once: "
          "a server's peak is about 19 MiB × the log-ins verified concurrently (one per worker thread).")


if __name__ == "__main__":
    main()
