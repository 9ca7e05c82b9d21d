"""The loader: strict YAML, every error with file:line:col, and the real tree loading clean."""
from __future__ import annotations

import shutil
from pathlib import Path


from tutor.content.loader import ContentLoader, load
from tutor.content import yamlstrict

from conftest import CONTENT

MANIFEST = """\
id: demo
title: 演示课程
exam: 外贸业务员
topics:
  - id: survey
    name: 客户调查
    knowledge_points:
      - id: survey.methods
        name: 调查方法
      - id: survey.steps
        name: 调查步骤
  - id: churn
    name: 客户流失
    knowledge_points:
      - id: churn.causes
        name: 流失原因
"""

GOOD_QUESTIONS = """\
topic: survey
questions:
  - id: q1
    type: single
    knowledge_point: survey.methods
    stem: 费用最低的调查方法是（ ）。
    options:
      - 人员走访
      - 邮件调查
    answer: B
    explanation: 邮件调查费用最低。
"""


def tree(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    root = tmp_path / "content"
    course = root / "demo"
    files = {"course.yaml": MANIFEST, **files}
    for name, text in files.items():
        path = course / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return root


def messages(root: Path) -> list[str]:
    return [str(e) for e in load(root).errors]


def question_file(body: str) -> str:
    return "topic: survey\nquestions:\n" + body


def test_real_content_tree_loads_clean() -> None:
    catalog = load(CONTENT)
    assert catalog.errors == ()
    course = catalog.course("chapter8")
    assert course is not None
    assert len(course.questions) >= 20
    # every knowledge point named in the manifest has a lesson section
    assert set(course.knowledge_points) == set(course.section_of)


def test_good_file_loads(tmp_path: Path) -> None:
    catalog = load(tree(tmp_path, {"questions/a.yaml": GOOD_QUESTIONS}))
    assert catalog.errors == ()
    q = catalog.course("demo").by_id["q1"]
    assert q.options == ("人员走访", "邮件调查") and q.answer == "B"


def test_values_every_question_repeats_are_held_once() -> None:
    """A big bank is held by every worker: a knowledge point or question type written on many
    questions is one string in memory, not one per question; the question's own text is not."""
    course = load(CONTENT).course("chapter8")
    by_point: dict[str, list] = {}
    for q in course.questions:
        by_point.setdefault(q.knowledge_point, []).append(q)
    shared = [qs for qs in by_point.values() if len(qs) > 1]
    assert shared
    for questions in shared:
        assert all(q.knowledge_point is questions[0].knowledge_point for q in questions)
        assert all(q.type is questions[0].type for q in questions if q.type == questions[0].type)
    doc = yamlstrict.parse("- {stem: 相同的题干, topic: survey}\n- {stem: 相同的题干, topic: survey}\n".encode())
    first, second = doc.value
    assert first["topic"] is second["topic"] and first["stem"] == second["stem"]
    assert first["stem"] is not second["stem"]


def test_yaml_11_words_stay_text() -> None:
    doc = yamlstrict.parse("a: NO\nb: yes\nc: 1.10\nd: 2024-01-01\ne: on\nf: true\ng: 12\nh: ~\n".encode())
    assert doc.problems == []
    assert doc.value == {"a": "NO", "b": "yes", "c": "1.10", "d": "2024-01-01", "e": "on",
                         "f": True, "g": 12, "h": None}


def test_option_written_no_stays_the_authors_text(tmp_path: Path) -> None:
    body = """\
  - id: q1
    type: single
    knowledge_point: survey.methods
    stem: 选哪个？
    options:
      - NO
      - 1.10
      - Off
    answer: A
    explanation: 解析。
"""
    catalog = load(tree(tmp_path, {"questions/a.yaml": question_file(body)}))
    assert catalog.errors == ()
    assert catalog.course("demo").by_id["q1"].options == ("NO", "1.10", "Off")


def test_errors_name_file_line_column_and_field(tmp_path: Path) -> None:
    body = """\
  - id: q1
    type: single
    knowledge_point: survey.methods
    stem: 选哪个？
    options:
      - 甲
      - 100
      - true
    anwser: A
    explanation: 解析。
"""
    errors = messages(tree(tmp_path, {"questions/bad.yaml": question_file(body)}))
    file = "content/demo/questions/bad.yaml"
    assert f"{file}:3:5: questions[0].answer: 缺少必填字段" in errors  # the question starts there
    assert f"{file}:11:5: questions[0].anwser: 未知字段（是否拼写错误？）" in errors
    assert any(e.startswith(f"{file}:9:9: questions[0].options[1]: 应为文本，而不是 数字 100")
               and '"100"' in e for e in errors)
    assert any(e.startswith(f"{file}:10:9: questions[0].options[2]: 应为文本") and '"true"' in e
               for e in errors)


def test_every_error_is_collected_not_only_the_first(tmp_path: Path) -> None:
    body = """\
  - id: q1
    type: single
    knowledge_point: survey.nowhere
    stem: 一
    options: [甲, 乙, 甲]
    answer: D
    explanation: 解析。
  - id: q1
    type: multiple
    knowledge_point: survey.methods
    stem: 二
    options: [甲, 乙, 丙]
    answer: [A]
    explanation: 解析。
  - id: q3
    type: single
    knowledge_point: survey.methods
    stem: 三
    options: [甲, 乙]
    answer: [A, B]
    explanation: 解析。
  - id: q4
    type: truefalse
    knowledge_point: churn.causes
    stem: 四
    answer: 对
    explanation: 解析。
  - id: q5
    type: essay
    knowledge_point: survey.methods
    stem: 五
    explanation: 解析。
"""
    errors = messages(tree(tmp_path, {"questions/bad.yaml": question_file(body)}))
    f = "content/demo/questions/bad.yaml"
    assert f"{f}:7:21: questions[0].options[2]: 选项重复：与选项 A 相同" in errors
    assert f"{f}:8:5: questions[0].answer: 答案 D 不在选项中（只有 3 个选项）" in errors
    assert f"{f}:10:5: questions[1].id: 题目 id q1 重复（与 questions[0] 相同）" in errors
    assert f"{f}:15:5: questions[1].answer: 多选题至少要有两个正确选项" in errors
    assert f"{f}:22:5: questions[2].answer: 应为文本，而不是 列表" in errors
    assert f"{f}:28:5: questions[3].answer: 应为 true 或 false，而不是 文本 '对'" in errors
    assert any(e.startswith(f"{f}:31:5: questions[4].type: 未知题型 'essay'") for e in errors)
    # the file failed, and still its knowledge points are checked, from the values as written
    assert f"{f}:5:5: questions[0].knowledge_point: course.yaml 中没有知识点 survey.nowhere" in errors
    assert f"{f}:26:5: questions[3].knowledge_point: 知识点 churn.causes 不属于本文件的主题 survey" in errors
    assert len(errors) == 9


def test_unknown_knowledge_point_and_lesson_section(tmp_path: Path) -> None:
    lesson = """\
id: survey
topic: survey
title: 客户调查
sections:
  - knowledge_point: survey.method
    title: 方法
    key_points: [四种方法]
    explanation: 讲解。
    examples:
      - title: 案例
        body: 正文。
"""
    questions = GOOD_QUESTIONS.replace("knowledge_point: survey.methods", "knowledge_point: churn.causes")
    errors = messages(tree(tmp_path, {"lessons/survey.yaml": lesson, "questions/a.yaml": questions}))
    assert errors == [
        "content/demo/lessons/survey.yaml:5:5: sections[0].knowledge_point: course.yaml 中没有知识点 survey.method",
        "content/demo/questions/a.yaml:5:5: questions[0].knowledge_point: 知识点 churn.causes 不属于本文件的主题 survey",
    ]


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    root = tree(tmp_path, {"questions/a.yaml": GOOD_QUESTIONS, "questions/b.yaml": GOOD_QUESTIONS})
    catalog = load(root)
    assert [str(e) for e in catalog.errors] == [
        "content/demo/questions/b.yaml:3:5: questions[0].id: 题目 id q1 与 content/demo/questions/a.yaml 中的题目重复"]
    assert len(catalog.course("demo").questions) == 1


def test_duplicate_keys_aliases_and_tags_are_refused(tmp_path: Path) -> None:
    text = GOOD_QUESTIONS + "    stem: 又一个题干\n"
    assert messages(tree(tmp_path, {"questions/a.yaml": text})) == [
        "content/demo/questions/a.yaml:12:5: questions[0].stem: 重复的键 stem（第一次出现在第 6 行）"]
    doc = yamlstrict.parse(b"a: &x [1, 2]\nb: *x\nc: !!python/object:os.system x\nd:\n  <<: {e: 1}\n")
    assert [(p.line, p.message.split("，")[0]) for p in doc.problems] == [
        (1, "不允许使用锚点 &x（锚点和别名都不允许）"), (2, "不允许使用锚点和别名（& 与 *）"), (3, "不允许使用标签 tag:yaml.org,2002:python/object:os.system"),
        (5, "不允许使用合并键 <<")]


def test_billion_laughs_is_refused_quickly() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 9) + "]" for i in range(1, 12)]
    doc = yamlstrict.parse("\n".join(lines).encode())
    assert doc.problems and all("别名" in p.message for p in doc.problems)


def test_encoding_bom_gbk_and_size(tmp_path: Path) -> None:
    bom = b"\xef\xbb\xbf" + GOOD_QUESTIONS.encode("utf-8")
    assert messages(tree(tmp_path / "bom", {"questions/a.yaml": bom})) == []
    gbk = GOOD_QUESTIONS.encode("gbk")
    (error,) = messages(tree(tmp_path / "gbk", {"questions/a.yaml": gbk}))
    assert error.startswith("content/demo/questions/a.yaml:6:11: (文件): 文件不是 UTF-8 编码（看起来是 GBK/GB18030 编码）")
    big = GOOD_QUESTIONS + "# " + "x" * yamlstrict.MAX_FILE_BYTES + "\n"
    (error,) = messages(tree(tmp_path / "big", {"questions/a.yaml": big}))
    assert "文件过大" in error


def test_syntax_error_has_a_line(tmp_path: Path) -> None:
    broken = GOOD_QUESTIONS.replace("    answer: B", "   answer: B")
    (error,) = messages(tree(tmp_path, {"questions/a.yaml": broken}))
    assert error.startswith("content/demo/questions/a.yaml:") and "YAML 语法错误" in error
    assert error.split(":")[1] in {"10", "11"}


def test_missing_manifest_fields(tmp_path: Path) -> None:
    root = tree(tmp_path, {})
    (root / "demo" / "course.yaml").write_text("id: demo\ntitle: 课程\ntopics: []\n", encoding="utf-8")
    assert messages(root) == [
        "content/demo/course.yaml:1:1: exam: 缺少必填字段",
        "content/demo/course.yaml:3:1: topics: 至少需要 1 项",
    ]


def test_incremental_refresh_keeps_last_good_version(tmp_path: Path) -> None:
    root = tree(tmp_path, {"questions/a.yaml": GOOD_QUESTIONS})
    loader = ContentLoader(root)
    assert loader.refresh().ok
    assert not loader.changed()
    path = root / "demo" / "questions" / "a.yaml"
    path.write_text(GOOD_QUESTIONS.replace("邮件调查费用最低。", "邮件调查的费用最低，可靠性也最小。"), encoding="utf-8")
    assert loader.changed()
    catalog = loader.refresh()
    assert catalog.course("demo").by_id["q1"].explanation == "邮件调查的费用最低，可靠性也最小。"
    path.write_text(GOOD_QUESTIONS.replace("answer: B", "answer: E"), encoding="utf-8")
    catalog = loader.refresh()
    assert [e.path for e in catalog.errors] == ["questions[0].answer"]
    assert catalog.stale == ("content/demo/questions/a.yaml",)
    assert catalog.course("demo").by_id["q1"].explanation == "邮件调查的费用最低，可靠性也最小。"
    path.unlink()
    catalog = loader.refresh()
    assert catalog.ok and catalog.course("demo").questions == ()


def test_check_command_passes_on_real_content(runner) -> None:
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "没有错误" in result.output and "survey.methods" in result.output


def test_check_command_fails_on_a_broken_copy(runner, tmp_path: Path) -> None:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    path = copy / "chapter8" / "questions" / "survey.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.strip().startswith("answer:"))
    lines[index] = lines[index].replace("answer:", "anwser:")
    path.write_text("".join(lines), encoding="utf-8")
    result = runner.invoke(args=["content", "check", str(copy)])
    assert result.exit_code == 1
    assert f"content/chapter8/questions/survey.yaml:{index + 1}:" in result.output
    assert "anwser: 未知字段" in result.output


def test_the_libyaml_parser_is_used() -> None:
    assert yamlstrict.LIBYAML, "PyYAML without libyaml: content loads several times slower"
