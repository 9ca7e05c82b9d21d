"""bench/questions.py on tiny data, so that the questions-per-second benchmark cannot rot. Figures
are not asserted here (timing on a shared machine belongs to the benchmark, not the tests)."""
from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install wrk)")
def test_the_questions_benchmark_runs_end_to_end(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import questions
    out = tmp_path / "questions.json"
    result = questions.main(["--quick", "--no-postgres", "--json", str(out)])
    printed = capsys.readouterr().out
    saved = json.loads(out.read_text(encoding="utf-8"))
    [row] = saved["cycles"]
    assert row["db"] == "sqlite" and row["workers"] == 2
    assert row["app_questions_per_s"] > 0 and row["bare_questions_per_s"] > 0 and row["ratio"] > 0
    assert row["refused"] == 0, "every question shown and every answer accepted"
    assert result["cycles"][0]["ratio"] == row["ratio"]
    assert "app q/s" in printed and "bare q/s" in printed and "load average" in printed


def test_the_browser_spans_are_paired_marks() -> None:
    import questions
    marks = [["practice:answer", 10.0], ["practice:feedback", 60.0], ["practice:next", 100.0],
             ["practice:question", 104.0], ["practice:answer", 200.0], ["practice:feedback", 230.0],
             ["practice:next", 300.0]]
    spans = questions._spans(marks)
    assert spans["answer_to_feedback_median_ms"] == 40.0 and spans["answer_to_feedback_count"] == 2
    assert spans["next_to_question_median_ms"] == 4.0 and spans["next_to_question_count"] == 1


def test_the_question_cost_benchmark_runs_and_counts_one_request_per_question(capsys: pytest.CaptureFixture[str]) -> None:
    import question_cost
    figures = question_cost.main(["--questions", "20"])
    printed = capsys.readouterr().out
    # the answer's request, the set's first card aside: its statements are the ones listed
    assert 5 <= figures["statements"] <= 16, figures
    assert figures["cpu_ms"] > 0 and figures["bare_cpu_ms"] > 0 and figures["best_wall_ms"] <= figures["wall_ms"]
    assert "SQL statements per question" in printed and "the bare app's cycle" in printed
