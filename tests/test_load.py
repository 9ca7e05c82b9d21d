"""A small version of bench/concurrency.py: students answering at once against gunicorn."""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import concurrency  # noqa: E402

from tutor.config import database_url  # noqa: E402


def test_concurrent_answers_are_stored_exactly_once(tmp_path: Path) -> None:
    url = os.environ.get("TUTOR_TEST_DATABASE_URL")
    database = database_url(url) if url else f"sqlite:///{tmp_path / 'load.sqlite'}"
    # one worker is killed half-way: whatever it acknowledged must still be stored
    result = concurrency.run(database, students=12, answers=3, workers=3, kill_worker=True,
                             log=tmp_path / "gunicorn.log")
    assert result["server_errors"] == 0, result
    assert result["worker_killed"] and result["answers_acknowledged"] >= 12, result
    assert result["acknowledged_but_missing"] == 0 and result["deliveries_with_two_answers"] == 0, result
    assert result["database_is_locked_in_log"] == 0, result
