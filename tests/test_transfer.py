"""tutor.content.transfer as a whole: choosing the format, the YAML writer, the JSON Schema."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from test_transfer_helpers import FIXTURES, loads_cleanly, message_at
from tutor.content import yamlstrict
from tutor.content.loader import load
from tutor.content.transfer import (ImportResult, Problem, import_data, import_file, json_schema,
                                    to_model, to_yaml)

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"

jsonschema = pytest.importorskip("jsonschema", reason="the jsonschema package is not installed")


# ---------------------------------------------------------------- choosing the format

@pytest.mark.parametrize("name, count", [("tagged.txt", 6), ("examples.gift", 10), ("moodle.xml", 8)])
def test_import_file_dispatches_on_the_suffix(name: str, count: int) -> None:
    result = import_file(FIXTURES / name, topic="survey", knowledge_point="survey.methods")
    assert isinstance(result, ImportResult) and result.topic == "survey"
    assert len(result.questions) == count


@pytest.mark.parametrize("name, hint", [("bank.xls", "另存为 .xlsx"), ("bank.doc", "另存为 .docx"),
                                        ("bank.csv", ".xlsx"), ("bank.pdf", "不支持的文件类型 .pdf")])
def test_unsupported_files_are_a_problem_with_a_hint(name: str, hint: str) -> None:
    result = import_data(name, b"whatever", topic="survey")
    assert result.questions == [] and hint in message_at(result, "文件")


def test_missing_file_is_a_problem(tmp_path: Path) -> None:
    result = import_file(tmp_path / "nowhere.xlsx", topic="survey")
    assert "无法读取文件" in message_at(result, "文件")


def test_problem_reads_as_place_then_message() -> None:
    assert str(Problem("第 5 行", "答案是空的")) == "第 5 行：答案是空的"


# ---------------------------------------------------------------- YAML writer

def question(**fields: Any) -> dict[str, Any]:
    base = {"id": "survey.methods-x01", "type": "single", "knowledge_point": "survey.methods",
            "stem": "下列哪一项（ ）？", "options": ["甲", "乙"], "answer": "A", "explanation": "因为甲。"}
    return {**base, **fields}


AWKWARD = ["100", "true", "False", "NO", "1.10", "null", "~", "08", "-3", "+5", "- 列表", "# 注释",
           "键: 值", "[方括号]", "{花括号}", "'引号'", "\"双引号\"", "@at", "%百分", "*星号", "&与", "!叹号",
           "|竖线", ">大于", "2024-01-01", " 前面有空格", "yes", "0x1F", ".inf"]


def test_yaml_text_that_the_strict_reader_would_misread_is_quoted(tmp_path: Path) -> None:
    questions = [question(id=f"survey.methods-x{i:02d}", stem=f"第 {i} 题：{text}",
                          options=[text, "其他"], explanation=text)
                 for i, text in enumerate(AWKWARD)]
    questions.append(question(id="survey.methods-t", stem="true", options=["100", "true"],
                              explanation="null"))
    text = to_yaml("survey", questions)
    for word in ("100", "true", "null", "08", "-3", "+5", "~"):
        assert f'- "{word}"' in text
    models = loads_cleanly(ImportResult("survey", questions), tmp_path)
    for model, original in zip(models, questions):
        assert list(model.options) == original["options"]
        assert model.stem == original["stem"] and model.explanation == original["explanation"]


def test_yaml_layout_is_readable() -> None:
    multi = question(type="multiple", answer=["A", "B"], stem="第一行\n第二行", explanation="第一段\n\n第二段",
                     options=["甲", "乙", "丙"], tags=["概念"], difficulty=2, section="二(三)3")
    fill = {"id": "survey.methods-f01", "type": "fill", "knowledge_point": "survey.methods",
            "stem": "费用{{1}}。", "blanks": [["最低", "最少"]], "explanation": "低。"}
    text = to_yaml("survey", [multi, fill], "../../schema.json")
    lines = text.split("\n")
    assert lines[0] == "# yaml-language-server: $schema=../../schema.json"
    assert lines[1:4] == ["topic: survey", "questions:", "  - id: survey.methods-x01"]
    assert "    answer: [A, B]" in lines and "    tags: [概念]" in lines
    assert "    stem: |" in lines and "      第二行" in lines
    assert "      - [最低, 最少]" in lines
    assert "\n\n  - id: survey.methods-f01" in text                       # a blank line between questions
    first = lines[3:lines.index("  - id: survey.methods-f01")]
    keys = [line.split(":")[0].strip() for line in first if line and not line.startswith("     ")]
    assert keys == ["- id", "type", "knowledge_point", "section", "difficulty", "stem", "options",
                    "answer", "explanation", "tags"]
    assert "\\u" not in text and "      第一段" in lines                       # Chinese written as typed


def test_yaml_orders_keys_whatever_order_they_come_in(tmp_path: Path) -> None:
    shuffled = {"explanation": "因为甲。", "answer": "A", "options": ["甲", "乙"], "stem": "下列（ ）？",
                "knowledge_point": "survey.methods", "type": "single", "id": "survey.methods-z"}
    text = to_yaml("survey", [shuffled])
    assert text.index("id:") < text.index("type:") < text.index("knowledge_point:") < text.index("stem:") \
        < text.index("options:") < text.index("answer:") < text.index("explanation:")


def trimmed(value: Any) -> Any:
    """Text compared without the line break a `|` block ends with."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (list, tuple)):
        return [trimmed(v) for v in value]
    if isinstance(value, dict):
        return {k: trimmed(v) for k, v in value.items()}
    return value


def test_the_whole_real_bank_survives_the_yaml_writer(tmp_path: Path) -> None:
    bank = load(CONTENT).course("chapter8").questions
    dumped = [q.model_dump(mode="json", exclude_defaults=True) for q in bank]
    models = loads_cleanly(ImportResult("survey", dumped), tmp_path)
    assert [trimmed(m.model_dump(mode="json")) for m in models] == \
        [trimmed(q.model_dump(mode="json")) for q in bank]


# ---------------------------------------------------------------- JSON Schema

@pytest.fixture(scope="module")
def validator() -> Any:
    schema = json_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def as_json(value: Any) -> Any:
    """The strict reader's tuples as JSON arrays."""
    if isinstance(value, tuple):
        return [as_json(v) for v in value]
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    return value


def read(path: Path) -> Any:
    doc = yamlstrict.parse(path.read_bytes())
    assert not doc.problems
    return as_json(doc.value)


def test_schema_accepts_every_real_content_file(validator: Any) -> None:
    files = sorted(CONTENT.rglob("*.yaml"))
    assert len(files) > 10
    for path in files:
        errors = [e.message for e in validator.iter_errors(read(path))]
        assert errors == [], (path, errors[:3])


def test_schema_accepts_imported_questions(validator: Any) -> None:
    result = import_file(FIXTURES / "moodle.xml", topic="survey")
    assert list(validator.iter_errors({"topic": "survey", "questions": result.questions})) == []


@pytest.mark.parametrize("name, found", [
    ("anwser.yaml", "'anwser' was unexpected"),
    ("missing_answer.yaml", "'answer' is a required property"),
    ("unknown_type.yaml", "is not one of"),
    ("wrong_value_type.yaml", "is not of type"),
    ("case_sub_question.yaml", "'id' was unexpected"),
    ("lesson_broken.yaml", "'examples' is a required property"),
    ("course_broken.yaml", "'knowledge_points' is a required property"),
])
def test_schema_rejects_broken_files(validator: Any, name: str, found: str) -> None:
    messages = [e.message for e in validator.iter_errors(read(FIXTURES / "schema" / name))]
    assert any(found in m for m in messages), messages


def test_schema_and_loader_agree_on_the_broken_question_files(tmp_path: Path) -> None:
    """What the schema rejects, the content check rejects too."""
    from tutor.content.loader import parse_file
    for name in ("anwser.yaml", "missing_answer.yaml", "unknown_type.yaml", "wrong_value_type.yaml",
                 "case_sub_question.yaml"):
        parsed = parse_file(FIXTURES / "schema" / name, name, "questions")
        assert parsed.errors, name


def test_schema_describes_fields_in_chinese() -> None:
    schema = json_schema()
    single = schema["definitions"]["SingleChoice"]
    assert single["properties"]["type"]["const"] == "single"
    assert "单选写一个字母" in single["properties"]["answer"]["description"]
    assert schema["definitions"]["Question"]["properties"]["type"]["enum"] == [
        "single", "multiple", "truefalse", "fill", "ordering", "matching", "case", "short"]


def test_to_model_gives_the_loader_model() -> None:
    model = to_model(question())
    assert model.type == "single" and model.options == ("甲", "乙")


# ---------------------------------------------------------------- robustness

from hypothesis import given, settings, strategies as st  # noqa: E402

from tutor.content.transfer import import_gift, import_moodle_xml, import_tagged_text  # noqa: E402

SYNTAX = list("{}=~#:->%\\\n \t[]【】：:单选多判断填空简答案解析要点知识难度ABCDTF甲乙12.、|；;_（）()$/<>&")
WORDS = ["$CATEGORY:", "::", "####", "TRUE", "【单选】", "【答案：", "【解析】", "要点：", "<quiz>",
         "<question type=\"multichoice\">", "</question>", "</quiz>", "{{1}}", "~%50%", "=%100%"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(SYNTAX), st.sampled_from(WORDS)), max_size=80).map("".join))
def test_text_importers_never_crash_and_keep_only_valid_questions(text: str) -> None:
    for read in (import_gift, import_tagged_text, import_moodle_xml):
        result = read(text, topic="t", knowledge_point="t.k")
        for kept in result.questions:
            to_model(kept)
        assert all(p.where and p.message for p in result.problems + result.warnings)


# ---------------------------------------------------------------- the instructors' guide

GUIDE = ROOT / "docs" / "authoring.md"


def guide_blocks() -> list[tuple[str, str]]:
    """(language, text) of every fenced code block in docs/authoring.md."""
    import re
    return re.findall(r"```(\w*)\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)


def test_every_question_example_in_the_guide_is_valid(tmp_path: Path) -> None:
    from tutor.content.loader import parse_file
    examples = [text for lang, text in guide_blocks() if lang == "yaml" and text.startswith("  - id:")]
    assert len(examples) == 8
    kinds = set()
    for index, text in enumerate(examples):
        path = tmp_path / f"example{index}.yaml"
        path.write_text("topic: example\nquestions:\n" + text, encoding="utf-8")
        parsed = parse_file(path, path.name, "questions")
        assert parsed.errors == [], [str(e) for e in parsed.errors]
        kinds.add(parsed.value.questions[0][1].type)
    assert kinds == {"single", "multiple", "truefalse", "fill", "ordering", "matching", "short", "case"}


def test_the_guides_import_examples_import_cleanly() -> None:
    blocks = [text for lang, text in guide_blocks() if lang == ""]
    tagged = next(text for text in blocks if "【单选】" in text and "【答案：A】" in text)
    result = import_tagged_text(tagged, topic="survey", knowledge_point="survey.methods")
    assert result.problems == [] and len(result.questions) == 5
    gift = next(text for text in blocks if "$CATEGORY:" in text)
    result = import_gift(gift, topic="survey")
    assert result.problems == [] and len(result.questions) == 5
    short = next(text for text in blocks if text.startswith("客户调查的内容分为"))
    from tutor.content.transfer.common import split_short_answer
    model, rubric, messages = split_short_answer(short)
    assert messages == [] and len(rubric) == 3 and model.startswith("客户调查的内容分为")
