"""Difficulty calibrated from the item analysis: the documented rule, then the teacher's view of
it (题目分析 and its CSV) and the CLI list, through the real app, database and content tree."""
from __future__ import annotations

import csv
import io

import pytest

from tutor.instructor import reports
from tutor.instructor.calibration import MIN_ATTEMPTS, calibrated_difficulty, knowledge_share

from conftest import Clock, login, make_instructor
from seeding import answer, student

NOW = Clock().now


@pytest.mark.parametrize("facility, guess, level", [
    (1.00, 0.0, 1), (0.70, 0.0, 1), (0.69, 0.0, 2), (0.40, 0.0, 2), (0.39, 0.0, 3), (0.0, 0.0, 3),
    # a 4-option single: 0.775 correct is k = 0.70, the easy band's edge; 0.55 is k = 0.40
    (0.775, 0.25, 1), (0.77, 0.25, 2), (0.55, 0.25, 2), (0.54, 0.25, 3),
    # a true/false answered right by 60 % is barely known (k = 0.2): hard, not medium
    (0.60, 0.5, 3), (0.85, 0.5, 1), (0.30, 0.5, 3),
])
def test_the_bands_on_the_facility_net_of_guessing(facility, guess, level) -> None:
    assert calibrated_difficulty(facility, MIN_ATTEMPTS, guess) == level


def test_too_few_answers_leave_the_authors_level_standing() -> None:
    assert calibrated_difficulty(1.0, MIN_ATTEMPTS - 1, 0.0) is None
    assert calibrated_difficulty(None, 100, 0.0) is None


def test_knowledge_share_is_clipped() -> None:
    assert knowledge_share(0.1, 0.25) == 0.0
    assert knowledge_share(1.0, 0.5) == 1.0


def chapter(app):
    return app.extensions["tutor_content"].catalog.course("chapter8")


@pytest.fixture
def answered(app):
    """A written-hard single everybody gets right and a written-easy one nobody does."""
    app.extensions["tutor_clock"] = Clock(NOW)
    course = chapter(app)
    singles = [q for q in course.questions if q.type == "single"]
    hard = next(q for q in singles if q.difficulty == 3)
    easy = next(q for q in singles if q.difficulty == 1)
    for n in range(MIN_ATTEMPTS):
        uid = student(app, f"s{n:02d}")
        answer(app, uid, hard.id, True, NOW)
        answer(app, uid, easy.id, False, NOW)
    return {"hard": hard, "easy": easy}


def test_item_analysis_flags_levels_the_answers_contradict(app, answered) -> None:
    with app.app_context():
        stats = {s.question.id: s for s in reports.item_analysis(chapter(app))}
    hard, easy = stats[answered["hard"].id], stats[answered["easy"].id]
    assert (hard.calibrated, easy.calibrated) == (1, 3)
    assert "relabel" in hard.flags and "relabel" in easy.flags
    untouched = [s for s in stats.values() if s.attempts == 0]
    assert untouched and all(s.calibrated is None and "relabel" not in s.flags for s in untouched)


def test_the_items_page_and_csv_show_the_suggested_level(app, client, answered) -> None:
    make_instructor(app)
    login(client, "teacher")
    page = client.get("/instructor/items?flag=relabel").get_data(as_text=True)
    assert "标注 ★★★ → 建议 ★" in page and "标注 ★ → 建议 ★★★" in page
    assert "难度需重新标注" in page
    rows = list(csv.reader(io.StringIO(client.get("/instructor/items.csv?flag=relabel").get_data(as_text=True))))
    header, body = rows[0], rows[1:]
    by_id = {row[0]: dict(zip(header, row)) for row in body}
    assert by_id[answered["hard"].id]["标注难度"] == "3" and by_id[answered["hard"].id]["建议难度"] == "1"
    assert by_id[answered["easy"].id]["建议难度"] == "3"


def test_the_cli_lists_each_question_at_its_file_and_line(app, answered) -> None:
    result = app.test_cli_runner().invoke(args=["content", "calibrate"])
    assert result.exit_code == 0, result.output
    source = chapter(app).sources[answered["hard"].id]
    assert f"{source.file}:{source.line}: {answered['hard'].id}: difficulty 3 → 1" in result.output
    assert "2 道题的标注难度与作答不符" in result.output
