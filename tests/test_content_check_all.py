"""`content check` tells every problem of a file in one run (YAML, model, references), refuses
a lone anchor, lets a knowledge point give its questions their section, and never creates or
touches a database."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from test_content_loader import GOOD_QUESTIONS, MANIFEST, messages, tree
from tutor.content.loader import load

ROOT = Path(__file__).resolve().parent.parent
F = "content/demo/questions/a.yaml"


def test_a_yaml_problem_does_not_hide_model_and_reference_errors(tmp_path: Path) -> None:
    text = GOOD_QUESTIONS + """\
    stem: 又一个题干
  - id: q2
    type: truefalse
    knowledge_point: churn.causes
    stem: 二
    answer: 对
    explanation: &note 解析。
"""
    assert messages(tree(tmp_path, {"questions/a.yaml": text})) == [
        f"{F}:12:5: questions[0].stem: 重复的键 stem（第一次出现在第 6 行）",
        f"{F}:15:5: questions[1].knowledge_point: 知识点 churn.causes 不属于本文件的主题 survey",
        f"{F}:17:5: questions[1].answer: 应为 true 或 false，而不是 文本 '对'",
        f"{F}:18:18: questions[1].explanation: 不允许使用锚点 &note（锚点和别名都不允许），请把内容直接写出",
    ]


def test_a_file_without_its_topic_still_has_its_questions_checked(tmp_path: Path) -> None:
    text = GOOD_QUESTIONS.replace("topic: survey\n", "").replace("answer: B", "answer: E")
    found = messages(tree(tmp_path, {"questions/a.yaml": text}))
    assert any("topic: 缺少必填字段" in e for e in found), found
    assert f"{F}:9:5: questions[0].answer: 答案 E 不在选项中（只有 2 个选项）" in found


def test_a_broken_manifest_does_not_hide_the_other_files_errors(tmp_path: Path) -> None:
    files = {"course.yaml": MANIFEST.replace("title: 演示课程\n", ""),
             "questions/a.yaml": GOOD_QUESTIONS.replace("answer: B", "answer: E")}
    found = messages(tree(tmp_path, files))
    assert any(e.startswith("content/demo/course.yaml") and "title" in e for e in found), found
    assert f"{F}:10:5: questions[0].answer: 答案 E 不在选项中（只有 2 个选项）" in found


def test_a_lone_anchor_is_refused(tmp_path: Path) -> None:
    text = GOOD_QUESTIONS.replace("    options:\n", "    options: &choices\n")
    assert messages(tree(tmp_path, {"questions/a.yaml": text})) == [
        f"{F}:7:14: questions[0].options: 不允许使用锚点 &choices（锚点和别名都不允许），请把内容直接写出"]


def test_a_question_takes_its_knowledge_points_section(tmp_path: Path) -> None:
    manifest = MANIFEST.replace("        name: 调查方法\n", "        name: 调查方法\n        section: 二(三)\n")
    text = GOOD_QUESTIONS + """\
  - id: q2
    type: truefalse
    knowledge_point: survey.methods
    section: 二(三)2
    stem: 二
    answer: true
    explanation: 解析。
  - id: q3
    type: truefalse
    knowledge_point: survey.methods
    section: 四(一)
    stem: 三
    answer: true
    explanation: 解析。
"""
    catalog = load(tree(tmp_path, {"course.yaml": manifest, "questions/a.yaml": text}))
    assert catalog.errors == ()
    course = catalog.course("demo")
    assert [course.by_id[q].section for q in ("q1", "q2", "q3")] == ["二(三)", "二(三)2", "四(一)"]
    assert [str(w) for w in catalog.warnings] == [
        f"{F}:22:5: questions[2].section: 章节 四(一) 不在知识点 survey.methods 的章节 二(三) 之内（course.yaml）；请核对其中一个"]
    # the inherited section is part of the question's version: moving the knowledge point's
    # section changes it, writing the same section on the question does not
    plain = load(tree(tmp_path / "plain", {"questions/a.yaml": GOOD_QUESTIONS.replace(
        "    stem: 费用", "    section: 二(三)\n    stem: 费用")})).course("demo")
    assert plain.versions["q1"] == course.versions["q1"]


def test_the_real_course_gives_every_knowledge_point_a_section() -> None:
    course = load(ROOT / "content").course("chapter8")
    assert all(kp.section for kp in course.knowledge_points.values())
    assert not [w for w in load(ROOT / "content").warnings if "不在知识点" in w.message]


def test_content_check_never_creates_a_database(tmp_path: Path) -> None:
    database = tmp_path / "never.sqlite"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "TUTOR_CONTENT_DIR": str(ROOT / "content")}
    env.pop("TUTOR_AUTO_MIGRATE", None)
    flask = Path(sys.executable).with_name("flask")
    done = subprocess.run([str(flask), "--app", "tutor", "content", "check"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "没有错误" in done.stdout
    assert not database.exists()
    assert not list(tmp_path.rglob("*.db")) and not list(tmp_path.rglob("*.sqlite"))


def test_which_command_lines_skip_the_migration() -> None:
    from tutor.cli import runs_without_database
    assert runs_without_database(["flask", "--app", "tutor", "content", "check"])
    assert runs_without_database(["flask", "-A", "tutor", "--debug", "content", "check", "content/"])
    assert runs_without_database(["flask", "--app=tutor", "content", "schema"])
    assert not runs_without_database(["flask", "--app", "tutor", "user", "create", "li"])
    assert not runs_without_database(["flask", "--app", "tutor", "content", "import", "bank.xlsx"])
    assert not runs_without_database(["gunicorn", "tutor:create_app()"])


def test_a_question_without_a_type_is_told_so(tmp_path: Path) -> None:
    text = GOOD_QUESTIONS + "  - id: q2\n    stem: 二\n"
    found = messages(tree(tmp_path, {"questions/a.yaml": text}))
    assert any("questions[1].type: 缺少题型 type，可用题型：single" in e for e in found), found
    assert not any("未知题型 None" in e for e in found)
