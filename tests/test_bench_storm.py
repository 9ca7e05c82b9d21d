"""bench/storm.py --quick: three students log in, sit the mock exam through gunicorn and hand in,
the teacher opens the class reports; on SQLite, or on PostgreSQL when TUTOR_TEST_DATABASE_URL
says so. Figures are not asserted (timing on a shared machine belongs to the benchmark), but
every request type must be reported, nothing may fail, and every acknowledged answer must be
in the database."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from tutor.config import database_url  # noqa: E402

URL = os.environ.get("TUTOR_TEST_DATABASE_URL", "")


def test_the_quick_storm_reports_every_request_type_and_loses_nothing(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    import storm
    kind = "postgresql" if URL.startswith("postgres") else "sqlite"
    out = tmp_path / "storm.json"
    results = storm.main(["--quick", "--database", kind, "--pg", database_url(URL) if URL else storm.PG,
                          "--workdir", str(tmp_path), "--out", str(out)])
    printed = capsys.readouterr().out
    (result,) = results
    assert (result["db"], result["students"]) == (kind, 3)
    for name in storm.ORDER:
        row = result["rows"][name]
        assert row["count"] > 0 and row["failures"] == 0, (name, row)
        assert row["p50_ms"] <= row["p95_ms"] <= row["p99_ms"] <= row["max_ms"], (name, row)
        assert f"  {name}" in printed
    assert result["rows"]["hand-in"]["count"] == 3 and result["rows"]["exam start"]["count"] == 3
    assert result["failures"] == 0 and result["answers_acknowledged"] >= 3
    assert result["acknowledged_but_missing"] == 0
    assert "largest N" in printed
    assert json.loads(out.read_text(encoding="utf-8"))["results"][0]["rows"] == result["rows"]
