"""An answer keeps the grade it was given: edited content changes neither its score nor its
per-part marks on the feedback and the exam result, and the pages say the question changed."""
from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from tutor.extensions import db
from tutor.formatting import points_text
from tutor.models import Attempt

from conftest import CONTENT, delivery_of, make_app, register, start_set

CHANGED = "题目已修改"


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    # the mock exam gets a fill-in item, whose blanks are graded one by one
    manifest = copy / "chapter8" / "course.yaml"
    text = manifest.read_text(encoding="utf-8")
    last_part = "      - {type: truefalse, count: 10, points: 1}\n"
    assert last_part in text
    manifest.write_text(text.replace(last_part, last_part + "      - {type: fill, count: 1, points: 2}\n"),
                        encoding="utf-8")
    return copy


@pytest.fixture
def live_app(tmp_path: Path, content_copy: Path):
    app = make_app(tmp_path, TUTOR_CONTENT_DIR=str(content_copy), TUTOR_PRACTICE_SET_SIZE=50)
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()


def course(app: Flask):
    return app.extensions["tutor_content"].catalog.course("chapter8")


def change_first_blank(app: Flask, content: Path, question_id: str) -> None:
    """Rewrite the accepted answers of the question's first blank in its YAML file."""
    path = content.parent / course(app).sources[question_id].file
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- id: {question_id}")
    blanks = next(i for i in range(start, len(lines)) if lines[i].strip() == "blanks:")
    first = lines[blanks + 1]
    assert first.lstrip().startswith("- "), first
    lines[blanks + 1] = first[:len(first) - len(first.lstrip())] + "- [改过的答案]\n"
    path.write_text("".join(lines), encoding="utf-8")


def half_right(q) -> dict[str, list[str]]:
    """The first blank right, the others wrong."""
    return {f"blank-{i}": [accepted[0] if i == 0 else "不知道"] for i, accepted in enumerate(q.blanks)}


def blank_marks(page: str) -> list[str]:
    return re.findall(r'<li class="(ok|bad)"><strong>第 \d+ 空</strong>', page)


def answer_half_right(live_app, client) -> tuple[int, int, int, Any]:
    """A new student answers the two-blank fill question with one blank right: the set, the
    question's position in it, its delivery and the question."""
    register(client)
    set_id = start_set(client, "kp", "overview.definition")
    position, delivery_id = delivery_of(live_app, set_id, "overview.definition-f01")
    q = course(live_app).by_id["overview.definition-f01"]
    client.post(f"/practice/{set_id}/answer", data={"delivery": delivery_id, **half_right(q)})
    return set_id, position, delivery_id, q


def test_practice_feedback_shows_the_stored_grade_after_the_key_changes(live_app, content_copy) -> None:
    client = live_app.test_client()
    set_id, position, delivery_id, q = answer_half_right(live_app, client)
    with live_app.app_context():
        attempt = db.session.scalar(select(Attempt).where(Attempt.delivery_id == delivery_id))
        assert (attempt.score, attempt.parts) == (0.5, [True, False])
    page = client.get(f"/practice/{set_id}/{position}").get_data(as_text=True)
    assert blank_marks(page) == ["ok", "bad"] and CHANGED not in page

    change_first_blank(live_app, content_copy, q.id)
    page = client.get(f"/practice/{set_id}/{position}").get_data(as_text=True)
    assert course(live_app).by_id[q.id].blanks[0] == ("改过的答案",)   # the edit is live
    assert CHANGED in page and "部分正确，得 50% 的分" in page
    assert blank_marks(page) == ["ok", "bad"]          # as graded, not as the key says now


def test_an_answer_stored_without_parts_is_shown_without_them_and_not_regraded(live_app) -> None:
    client = live_app.test_client()
    set_id, position, delivery_id, q = answer_half_right(live_app, client)
    with live_app.app_context():   # as an answer stored before migration 0007
        db.session.execute(update(Attempt).where(Attempt.delivery_id == delivery_id).values(parts=None))
        db.session.commit()
    page = client.get(f"/practice/{set_id}/{position}").get_data(as_text=True)
    assert "data-no-breakdown" in page and blank_marks(page) == []
    assert "部分正确，得 50% 的分" in page and "潜在客户" in page     # the score and the key


def test_exam_result_shows_the_stored_grade_after_the_key_changes(live_app, content_copy) -> None:
    client = live_app.test_client()
    register(client)
    paper_id = int(re.search(r"(\d+)$", client.post("/exams/start", data={
        "course": "chapter8", "blueprint": "mock"}).headers["Location"]).group(1))
    with live_app.app_context():
        from tutor.models import ExamPaper
        items = db.session.get(ExamPaper, paper_id).items
    index = next(i for i, item in enumerate(items) if item["type"] == "fill")
    q = course(live_app).by_id[items[index]["question_id"]]
    client.post(f"/exams/{paper_id}/answer", data={"item": index, **half_right(q)})
    client.post(f"/exams/{paper_id}/submit")
    expected = [True] + [False] * (len(q.blanks) - 1)
    with live_app.app_context():
        attempt = db.session.scalar(select(Attempt).where(Attempt.paper_id == paper_id, Attempt.item_index == index))
        assert attempt.parts == expected and attempt.score == pytest.approx(1 / len(q.blanks))
    points = f"得 {points_text(2 / len(q.blanks))} / 2 分"

    change_first_blank(live_app, content_copy, q.id)
    page = client.get(f"/exams/{paper_id}/result").get_data(as_text=True)
    item = page.split(f'id="item-{index + 1}"')[1].split("</section>")[0]
    assert CHANGED in item and points in item
    assert blank_marks(item) == ["ok" if right else "bad" for right in expected]
    assert page.count(CHANGED) == 1                      # only the edited question says so
