"""The running app picks up content edits; a broken file keeps its last good version served."""
from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

import pytest
from flask import Flask
from markupsafe import escape

from sqlalchemy import select

from tutor.extensions import db
from tutor.models import Delivery

from conftest import CONTENT, current_delivery, login, make_app, make_instructor, register, start_set


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    return copy


@pytest.fixture
def live_app(tmp_path: Path, content_copy: Path):
    app = make_app(tmp_path, TUTOR_CONTENT_DIR=str(content_copy))
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()


def write_later(path: Path, text: str) -> None:
    """Write and move the modification time a second on: an edit of the same size within the
    file system's timestamp granularity would otherwise look unchanged (size and mtime)."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    later = max(path.stat().st_mtime_ns, before + 1_000_000_000)
    os.utime(path, ns=(later, later))


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    write_later(path, text.replace(old, new, 1))


def test_question_edit_shows_on_the_page_without_restart(live_app: Flask, content_copy: Path) -> None:
    client = live_app.test_client()
    register(client)
    set_id = start_set(client, "kp", "survey.methods")
    client.get(f"/practice/{set_id}")
    course = live_app.extensions["tutor_content"].catalog.course("chapter8")
    q = course.by_id[current_delivery(live_app, set_id).question_id]
    written_in = content_copy.parent / course.sources[q.id].file
    first_line = q.stem.splitlines()[0]
    replace_in(written_in, first_line, first_line + "（已修订）")
    page = client.get(f"/practice/{set_id}").get_data(as_text=True)
    assert "（已修订）" in page and str(escape(first_line.split("{{")[0])) in page


def test_broken_file_keeps_last_good_version_and_tells_instructors(live_app: Flask, content_copy: Path) -> None:
    client = live_app.test_client()
    make_instructor(live_app)
    login(client, "teacher")
    lesson = content_copy / "chapter8" / "lessons" / "survey.yaml"
    replace_in(lesson, "title: 客户调查分析", "title: 客户调查分析（第二版）")
    assert "客户调查分析（第二版）" in client.get("/courses/chapter8/lessons/survey").get_data(as_text=True)

    questions = content_copy / "chapter8" / "questions" / "survey.yaml"
    text = questions.read_text(encoding="utf-8")
    line = text[: text.index("    answer:")].count("\n") + 1
    write_later(questions, text.replace("    answer:", "    anwser:", 1))
    before = len(live_app.extensions["tutor_content"].catalog.course("chapter8").questions)
    page = client.get("/instructor/content").get_data(as_text=True)
    assert f"content/chapter8/questions/survey.yaml:{line}:5" in page
    assert "未知字段" in page and "正在使用其上一个正确版本" in page
    catalog = live_app.extensions["tutor_content"].catalog
    assert len(catalog.course("chapter8").questions) == before   # nothing vanished for students
    write_later(questions, text)
    assert "没有错误" in client.get("/instructor/content").get_data(as_text=True)


def test_startup_with_errors_logs_them_and_serves_the_rest(tmp_path: Path, content_copy: Path, caplog) -> None:
    broken = content_copy / "chapter8" / "questions" / "overview.yaml"
    broken.write_bytes("topic: overview\nquestions: [".encode("utf-8"))
    with caplog.at_level(logging.WARNING, logger="tutor.content"):
        app = make_app(tmp_path, TUTOR_CONTENT_DIR=str(content_copy))
    assert any("content/chapter8/questions/overview.yaml:2:" in r.getMessage() for r in caplog.records)
    course = app.extensions["tutor_content"].catalog.course("chapter8")
    assert "overview.definition-01" not in course.by_id            # from the broken file
    assert "overview.definition-f01" in course.by_id               # from its neighbour
    assert course.by_knowledge_point["survey.methods"]
    assert app.test_client().get("/").status_code == 200
    with app.app_context():
        db.drop_all()


def test_a_question_taken_out_of_the_bank_mid_set_is_skipped(live_app: Flask, content_copy: Path) -> None:
    client = live_app.test_client()
    register(client)
    set_id = start_set(client, "kp", "survey.methods")
    course = live_app.extensions["tutor_content"].catalog.course("chapter8")
    next_id = current_delivery(live_app, set_id).question_id
    assert "1 / 10" in client.get(f"/practice/{set_id}").get_data(as_text=True)
    replace_in(content_copy.parent / course.sources[next_id].file, f"- id: {next_id}\n", f"- id: {next_id}-moved\n")
    page = client.get(f"/practice/{set_id}").get_data(as_text=True)
    assert "1 / 9" in page                                  # the set goes on without it
    with live_app.app_context():
        following = db.session.scalars(select(Delivery).where(Delivery.set_id == set_id)
                                       .order_by(Delivery.position)).all()[1]
    assert f'name="delivery" value="{following.id}"' in page
