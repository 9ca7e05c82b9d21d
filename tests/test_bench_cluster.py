"""bench/cluster.py --quick on PostgreSQL: two gunicorn nodes behind nginx, sharing the database,
Redis and the content folder; a content edit reaches both, the per-account log-in limit is
counted once across them, and with node B SIGKILLed mid-exam every student carries on, on
node A, without logging in again, and every acknowledged answer is stored."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from tutor.config import database_url  # noqa: E402

URL = os.environ.get("TUTOR_TEST_DATABASE_URL", "")


def _redis_answers() -> bool:
    import redis
    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.skipif(not URL.startswith("postgres"),
                    reason="two nodes share one PostgreSQL: runs when TUTOR_TEST_DATABASE_URL is PostgreSQL")
def test_two_nodes_behind_nginx_survive_losing_one(tmp_path: Path) -> None:
    missing = [name for name, ok in (("nginx", bool(shutil.which("nginx") or Path("/usr/sbin/nginx").exists())),
                                     ("redis", _redis_answers())) if not ok]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the two-node drill: .ci/run installs and starts {missing}")
        pytest.skip(f"needs {missing}")
    import cluster
    result = cluster.main(["--quick", "--database", database_url(URL), "--workdir", str(tmp_path),
                           "--out", str(tmp_path / "cluster.json")])
    content, limit, sessions, answers = (result[k] for k in ("content_edit", "login_limit", "sessions", "answers"))
    assert content["ok"], content
    assert limit["statuses"] == [200] * 5 + [429] * 3 and {"A", "B"} <= set(limit["nodes"][:6]), limit
    assert sessions["failed_after_kill"] == 0 and sessions["served_after_kill_by"] == ["A"], sessions
    assert sessions["students_answering_after_kill"] == 6 and sessions["log_in_posts"] == 7, sessions
    assert answers["acknowledged"] > 6 and answers["missing"] == 0, answers
    assert result["storm_problems"] == [] and result["ok"], result
