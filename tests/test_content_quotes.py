"""The typographic warning: an ASCII `"` beside Chinese text is listed by `content check` with its
file, line and column, while the content still loads; the real content has none."""
from __future__ import annotations

from pathlib import Path

from tutor.content.loader import load

from conftest import CONTENT

MANIFEST = """\
id: demo
title: 演示课程
exam: 外贸业务员
topics:
  - id: churn
    name: 客户流失
    knowledge_points:
      - id: churn.methods
        name: 获取客户忠诚的方法
"""

LESSON = """\
id: churn
topic: churn
title: 客户忠诚
sections:
  - knowledge_point: churn.methods
    title: 获取客户忠诚的方法
    key_points:
      - 树立"双赢"观念
    explanation: |
      第一行没有引号。

      第三行说的是"双赢"。
    examples:
      - title: 例子
        body: 英文 "quotes" around English are fine.
"""

QUESTIONS = """\
topic: churn
questions:
  - id: q1
    type: single
    knowledge_point: churn.methods
    stem: "按照教材，应当树立（ ）观念。"
    options:
      - 树立“双赢”观念
      - 只求"单赢"
    answer: A
    explanation: 教材的说法是树立“双赢”观念。
  - id: q2
    type: fill
    knowledge_point: churn.methods
    stem: 应当树立{{1}}观念。
    blanks:
      - [双赢, '"双赢"']
    explanation: 填“双赢”。
"""


def tree(tmp_path: Path) -> Path:
    course = tmp_path / "content" / "demo"
    for name, text in {"course.yaml": MANIFEST, "lessons/churn.yaml": LESSON,
                       "questions/churn.yaml": QUESTIONS}.items():
        (course / name).parent.mkdir(parents=True, exist_ok=True)
        (course / name).write_text(text, encoding="utf-8")
    return tmp_path / "content"


def test_real_content_has_no_ascii_quotes_beside_chinese() -> None:
    catalog = load(CONTENT)
    assert catalog.errors == ()
    assert catalog.warnings == (), [str(w) for w in catalog.warnings]


def test_ascii_quotes_beside_chinese_are_warned_with_file_line_and_column(tmp_path: Path) -> None:
    catalog = load(tree(tmp_path))
    assert catalog.errors == () and catalog.course("demo") is not None    # a warning, not an error
    found = sorted((w.file, w.line, w.column, w.path) for w in catalog.warnings)
    assert found == [
        ("content/demo/lessons/churn.yaml", 8, 11, "sections[0].key_points[0]"),
        ("content/demo/lessons/churn.yaml", 8, 14, "sections[0].key_points[0]"),
        # a block of many lines: the quote's own line, not the field's
        ("content/demo/lessons/churn.yaml", 12, 13, "sections[0].explanation"),
        ("content/demo/lessons/churn.yaml", 12, 16, "sections[0].explanation"),
        # the YAML quotes around the stem are syntax, and a blank's accepted answers are what a
        # student types: neither is warned
        ("content/demo/questions/churn.yaml", 9, 11, "questions[0].options[1]"),
        ("content/demo/questions/churn.yaml", 9, 14, "questions[0].options[1]"),
    ]


def test_check_command_lists_the_warnings_and_passes(runner, tmp_path: Path) -> None:
    result = runner.invoke(args=["content", "check", str(tree(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "content/demo/lessons/churn.yaml:12:13: sections[0].explanation: 英文双引号" in result.output
    assert "content/demo/questions/churn.yaml:9:11: questions[0].options[1]: 英文双引号" in result.output
    assert "6 条提示" in result.output and "没有错误" in result.output


def test_check_command_on_real_content_lists_no_warning(runner) -> None:
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "提示" not in result.output and "英文双引号" not in result.output


def test_the_content_page_lists_the_warnings(tmp_path: Path) -> None:
    from conftest import login, make_app, make_instructor
    app = make_app(tmp_path, TUTOR_CONTENT_DIR=str(tree(tmp_path)))
    make_instructor(app)
    teacher = app.test_client()
    login(teacher, "teacher")
    page = teacher.get("/instructor/content").get_data(as_text=True)
    assert "6 条，不影响加载" in page and "content/demo/lessons/churn.yaml:12:13" in page and "没有错误" in page
