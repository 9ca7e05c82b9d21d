"""bench/classes.py on tiny data (2 classes × 20 students), so that the class-scale benchmark
cannot rot. Figures are not asserted (timing on a shared machine belongs to the benchmark)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))


def test_the_class_benchmark_seeds_measures_and_prints_its_table(tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    import classes
    out = tmp_path / "classes.json"
    results = classes.main(["--no-postgres", "--classes", "2", "--students", "20", "--requests", "2",
                            "--out", str(out)])
    printed = capsys.readouterr().out
    assert "p50 ms" in printed and "p95 ms" in printed
    (result,) = results
    rows = result["rows"]
    assert rows["users"] == 2 + 2 * 20 and rows["class_members"] == 2 * 21
    assert 2 * 20 * 30 <= rows["attempts"] and rows["student_questions"] <= rows["attempts"]
    assert rows["assignments"] == 5 and 0 < rows["submissions"] <= 5 * 20
    pages = {p["page"]: p for p in result["pages"]}
    for name in ("class overview", "heatmap", "item analysis", "class roster, page 1",
                 "class roster, search (a surname)", "assignment report"):
        assert name in pages and name in printed, name
    measured = [p for p in pages.values() if "missing" not in p]
    assert all(p["requests"] == 2 and p["p95_ms"] > 0 for p in measured)
    assert json.loads(out.read_text(encoding="utf-8"))["results"][0]["rows"] == rows


def test_the_seed_keeps_the_per_question_summaries_consistent(tmp_path: Path) -> None:
    """student_questions as tutor/learning.py keeps them: one row per student and question
    answered, with the count, the right ones, the last answer and the first attempt."""
    import random

    from sqlalchemy import func, select

    import classes
    from conftest import make_app
    from tutor.extensions import db
    from tutor.models import Attempt, Delivery, StudentQuestion, Submission
    app = make_app(tmp_path)
    with app.app_context():
        classes.seed_classes(db, app.extensions["tutor_content"].catalog.course("chapter8"), 2, 5, 2,
                             random.Random(3))
        summaries = {(s.user_id, s.question_id): s for s in db.session.scalars(select(StudentQuestion))}
        answers = db.session.execute(select(Attempt.user_id, Attempt.question_id, func.count(),
                                            func.sum(Attempt.score), func.min(Attempt.id))
                                     .group_by(Attempt.user_id, Attempt.question_id)).all()
        assert len(answers) == len(summaries)
        for user_id, qid, count, right, first in answers:
            s = summaries[(user_id, qid)]
            assert (s.attempts, s.correct, s.first_attempt_id) == (count, int(right), first)
        for submission in db.session.scalars(select(Submission)):
            scored = db.session.scalar(select(func.sum(Attempt.score)).join(Delivery, Delivery.id == Attempt.delivery_id)
                                       .where(Delivery.set_id == submission.set_id))
            assert submission.score == scored and submission.submitted_at is not None
        db.session.remove()
        db.drop_all()
