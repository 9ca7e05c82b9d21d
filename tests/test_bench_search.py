"""bench/search.py on a tiny bank, so that the search benchmark cannot rot. Figures are not
asserted here (timing on a shared machine belongs to the benchmark, not the tests)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

pytestmark = pytest.mark.storeless


def test_search_benchmark_runs_end_to_end(tmp_path: Path) -> None:
    import search as bench
    out = tmp_path / "search.json"
    figures = bench.main(["--questions", "400", "--repeat", "2", "--json", str(out)])
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["questions"] == 400 and saved["documents"] == 400 + saved["sections"]
    assert {row["query"] for row in saved["queries"]} == set(bench.QUERIES)
    rows = {row["query"]: row for row in figures["queries"]}
    assert rows["垄断忠诚"]["results"] > 0 and rows["CRM"]["results"] > 0
    assert figures["build_s"] > 0 and figures["query_p95_ms"] >= figures["query_p50_ms"] > 0
    varied = bench.bank(400)
    assert len({q.id for q in varied.questions}) == 400
