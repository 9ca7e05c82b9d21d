"""The case_sensitive flag of fill and short questions: Latin letters compare regardless of
case by default, as Moodle's shortanswer does with usecase 0; `case_sensitive: true` in the
YAML keeps them exact. Chinese text is never affected."""
from __future__ import annotations

from pathlib import Path

from test_content_loader import tree
from tutor.content.loader import load
from tutor.questions import GradingSettings, grade
from tutor.questions.short import Short


def short(case_sensitive: bool) -> Short:
    return Short(id="s", type="short", knowledge_point="k", explanation="解析", stem="价格术语？",
                 model_answer="FOB 是装运港船上交货，风险在装运港转移。", case_sensitive=case_sensitive,
                 rubric=({"point": "FOB", "accept": ("FOB",)},
                         {"point": "风险在装运港转移", "accept": ("装运港转移",)}))


def test_short_keywords_fold_case_unless_the_question_keeps_it() -> None:
    settings = GradingSettings()
    assert grade(short(False), "fob，风险在装运港转移", settings).score == 2
    assert grade(short(False), "Fob，风险在装运港转移", settings).score == 2
    assert grade(short(True), "FOB，风险在装运港转移", settings).score == 2
    exact = grade(short(True), "fob，风险在装运港转移", settings)
    assert exact.score == 1 and exact.parts == (False, True)


def test_the_flag_is_read_from_yaml_and_absent_means_false(tmp_path: Path) -> None:
    root = tree(tmp_path, {"questions/survey.yaml": """\
topic: survey
questions:
  - id: t.exact
    type: fill
    knowledge_point: survey.methods
    stem: 价格术语 {{1}}
    blanks:
      - [FOB]
    case_sensitive: true
    explanation: 解析
  - id: t.loose
    type: fill
    knowledge_point: survey.methods
    stem: 价格术语 {{1}}
    blanks:
      - [FOB]
    explanation: 解析
"""})
    catalog = load(root)
    assert catalog.ok, catalog.errors
    questions = {q.id: q for q in catalog.course("demo").questions}
    assert questions["t.exact"].case_sensitive is True and questions["t.loose"].case_sensitive is False
    assert not grade(questions["t.exact"], ["fob"]).correct
    assert grade(questions["t.loose"], ["fob"]).correct
