"""A broken file with 100,000 problems costs a few log lines and a small 内容 page, not megabytes."""
from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from flask import Flask

from tutor.content.loader import MAX_ERRORS_PER_FILE, MAX_MESSAGE_CHARS, MAX_PATH_CHARS, load
from tutor.content.store import ContentStore
from tutor.extensions import db

from conftest import CONTENT, login, make_app, make_instructor

BAD_KEYS = 100_000
BROKEN = "content/chapter8/questions/zz-broken.yaml"


def content_with(tmp_path: Path, text: str) -> Path:
    """The real course plus one extra question file, so the rest of the course stays valid."""
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    (copy / "chapter8" / "questions" / "zz-broken.yaml").write_text(text, encoding="utf-8")
    return copy


def hundred_thousand_bad_keys() -> str:
    # each unknown top-level key is one "未知字段" error; short keys keep the file under 1 MB
    # (its one question is valid: content check reports a question's problems next to the header's)
    return ("topic: overview\nquestions:\n"
            "  - {id: x, type: truefalse, knowledge_point: overview.definition, stem: s, answer: true, explanation: e}\n"
            + "".join(f"k{i:x}: 0\n" for i in range(BAD_KEYS)))


def ten_thousand_questions_with_a_wrong_knowledge_point() -> str:
    # valid one by one; each fails the course-wide check, which runs after the file's own parse
    item = "  - {{id: q{0}, type: truefalse, knowledge_point: nowhere, stem: s, answer: true, explanation: e}}\n"
    return "topic: overview\nquestions:\n" + "".join(item.format(i) for i in range(10_000))


def errors_of(catalog, file: str = BROKEN) -> list:
    return [e for e in catalog.errors if e.file == file]


def test_the_loader_lists_the_first_errors_of_a_file_and_counts_the_rest(tmp_path: Path) -> None:
    catalog = load(content_with(tmp_path, hundred_thousand_bad_keys()))
    listed = errors_of(catalog)
    assert len(listed) == MAX_ERRORS_PER_FILE + 1
    assert all(e.message.startswith("未知字段") and not e.hidden for e in listed[:-1])
    assert [e.line for e in listed[:-1]] == list(range(4, 4 + MAX_ERRORS_PER_FILE))   # the first ones, in order
    assert listed[-1].hidden == BAD_KEYS - MAX_ERRORS_PER_FILE
    assert listed[-1].line == 4 + MAX_ERRORS_PER_FILE          # where the first one left out is
    assert str(listed[-1]) == f"{BROKEN}: …另有 {BAD_KEYS - MAX_ERRORS_PER_FILE} 个问题未列出（每个文件只列出前 50 个）"
    assert catalog.problem_count == BAD_KEYS and catalog.files_with_errors == 1
    assert len(catalog.course("chapter8").questions) > 100     # the other files are served


def test_a_reload_logs_one_line_per_listed_error_and_one_summary(tmp_path: Path, caplog) -> None:
    root = content_with(tmp_path, "topic: overview\nquestions: [\n")
    with caplog.at_level(logging.INFO, logger="tutor.content"):
        store = ContentStore(root, poll_seconds=0)
        (root / "chapter8" / "questions" / "zz-broken.yaml").write_text(hundred_thousand_bad_keys(), encoding="utf-8")
        caplog.clear()
        assert store.current().problem_count == BAD_KEYS
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1 + MAX_ERRORS_PER_FILE + 1      # "content changed", 50 errors, the count
    assert lines[-1].endswith(f"…另有 {BAD_KEYS - MAX_ERRORS_PER_FILE} 个问题未列出（每个文件只列出前 50 个）")
    assert sum(len(line) for line in lines) < 10_000


def test_check_command_prints_the_first_errors_and_the_count(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    root = content_with(tmp_path, hundred_thousand_bad_keys())
    result = app.test_cli_runner().invoke(args=["content", "check", str(root)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == MAX_ERRORS_PER_FILE + 3          # the errors, the count, a blank line, the total
    assert f"{BROKEN}: …另有 {BAD_KEYS - MAX_ERRORS_PER_FILE} 个问题未列出" in result.output
    assert lines[-1] == f"{BAD_KEYS} 个错误，涉及 1 个文件"
    _drop(app)


@pytest.mark.parametrize("text, hidden", [
    (hundred_thousand_bad_keys(), BAD_KEYS - MAX_ERRORS_PER_FILE),
    (ten_thousand_questions_with_a_wrong_knowledge_point(), 10_000 - MAX_ERRORS_PER_FILE),
], ids=["100k-bad-keys", "10k-questions"])
def test_the_content_page_stays_small(tmp_path: Path, text: str, hidden: int) -> None:
    app = make_app(tmp_path, TUTOR_CONTENT_DIR=str(content_with(tmp_path, text)))
    client = app.test_client()
    make_instructor(app)
    login(client, "teacher")
    page = client.get("/instructor/content").get_data(as_text=True)
    assert f"…另有 {hidden} 个问题未列出" in page
    assert f"{hidden + MAX_ERRORS_PER_FILE} 个错误" in page
    assert page.count(f"<code>{BROKEN}:") == MAX_ERRORS_PER_FILE
    # measured: 7.3 kB with no errors, 14.6 kB with 50 listed and 99,950 counted (14.6 MB before the cap)
    assert len(page.encode()) < 30_000, len(page.encode())
    _drop(app)


def test_a_megabyte_long_key_or_value_is_clipped_in_errors_log_and_page(tmp_path: Path, caplog) -> None:
    huge = "长" * 150_000          # 450 kB in UTF-8, twice: under the 1 MB file limit
    # a key longer than 1024 characters must be written as an explicit "? key" in YAML
    text = (f"topic: overview\nquestions:\n  - id: x\n    type: {huge}\n"
            f"  - {{id: y, type: truefalse, knowledge_point: overview.definition, stem: s, answer: true,"
            f" explanation: e}}\n  - id: z\n    type: truefalse\n    knowledge_point: overview.definition\n"
            f"    stem: s\n    answer: true\n    explanation: e\n    ? {huge}\n    : 0\n")
    with caplog.at_level(logging.WARNING, logger="tutor.content"):
        app = make_app(tmp_path, TUTOR_CONTENT_DIR=str(content_with(tmp_path, text)))
    listed = errors_of(app.extensions["tutor_content"].catalog)
    assert len(listed) == 2
    assert all(len(e.path) <= MAX_PATH_CHARS + 20 and len(e.message) <= MAX_MESSAGE_CHARS + 20 for e in listed)
    assert any("未知题型" in e.message and "（共 150002 个字符）" in e.message for e in listed)  # its repr
    assert sum(len(r.getMessage()) for r in caplog.records) < 2_000
    client = app.test_client()
    make_instructor(app)
    login(client, "teacher")
    page = client.get("/instructor/content").get_data(as_text=True)
    assert "未知题型" in page and len(page.encode()) < 50_000
    _drop(app)


def _drop(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
