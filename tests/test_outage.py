"""The outage drill of bench/outage.py, run in the suite on PostgreSQL: refused, stalled and
restarted-while-away, the server answers 503 quickly, keeps its master and workers, answers 200
within 10 s of the database's return, and loses nothing it acknowledged."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import outage  # noqa: E402
from tcpgate import can_stall  # noqa: E402

from tutor.config import database_url  # noqa: E402

URL = os.environ.get("TUTOR_TEST_DATABASE_URL", "")


@pytest.mark.skipif(not URL.startswith("postgres"),
                    reason="cuts PostgreSQL's connection: runs when TUTOR_TEST_DATABASE_URL is PostgreSQL")
def test_the_server_survives_every_kind_of_database_outage(tmp_path: Path) -> None:
    if os.environ.get("CI") and not can_stall():
        pytest.fail("CI must test the stalled database: .ci/run installs iptables and runs as root")
    from conftest import make_app, reset_database
    app = make_app(tmp_path)          # an empty database: the drill's gunicorn master migrates it
    with app.app_context():
        reset_database()
    result = outage.run(database_url(URL), stall=True, log=tmp_path / "gunicorn.log")
    assert outage.failures(result) == [], result
    assert result["answers_acknowledged"] >= 10, result
    assert result["stall_tested"] or not shutil.which("iptables"), result
