"""A JSON Schema for our content files, generated from the pydantic models.

One schema covers the three kinds of file, so a single `# yaml-language-server: $schema=...`
comment (or one VS Code setting) serves them all. The top level picks the file's kind by its
keys with if/then/else rather than `anyOf`, so an editor reports the errors of that kind only:
a file with `topics` or `exam` is a course.yaml, one with `sections` or `title` a lesson, any
other a question file. Questions are picked by `type` the same way (if/then per type), so a
misspelt `anwser:` in a single-choice question is reported against the single-choice shape.

It is written in draft 7, the version the VS Code YAML extension supports (it warns that
2020-12 is "not yet fully supported"); the definitions live under `definitions`.

The schema checks shape and types only; what needs the whole course (knowledge points that
exist, ids unique across files, answer letters within the options) stays with `content check`.
"""
from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from pydantic.json_schema import models_json_schema

from tutor.content.model import Lesson, Manifest
from tutor.questions import REGISTRY
from tutor.questions.case import SUB_TYPES

# Draft 7: the JSON Schema version the VS Code YAML extension (yaml-language-server) supports.
DIALECT = "http://json-schema.org/draft-07/schema#"
REF = "#/definitions/{model}"

DESCRIPTIONS = {
    "id": "稳定的 id：小写字母、数字、点、下划线、连字符。作答记录按它保存，发布后不要再改",
    "type": "题型：single 单选、multiple 多选、truefalse 判断、fill 填空、ordering 排序、"
            "matching 匹配、short 简答、case 案例分析",
    "topic": "主题 id，须是 course.yaml 中的主题",
    "knowledge_point": "知识点 id，须在 course.yaml 中，并属于本文件的主题",
    "section": "本题考查的教材章节，如 二(三)2",
    "difficulty": "难度：1 易，2 中，3 难",
    "stem": "题干",
    "options": "选项，2 到 8 个，不写字母；按顺序依次为 A、B、C……（显示时会打乱）",
    "answer": "答案：单选写一个字母，如 B；多选写字母列表，如 [A, C, D]；判断写 true 或 false",
    "explanation": "解析：为什么这个答案对，容易选错的为什么错",
    "blanks": "填空：每个空一组可接受的答案，按题干中 {{1}}、{{2}}…… 的顺序",
    "items": "排序：按正确顺序写出各项（显示时会打乱）",
    "partial_credit": "排序：true 表示每项位置正确即得一份分",
    "pairs": "匹配：每项写 left（左侧）和 right（右侧）",
    "distractors": "匹配：不与任何左侧项配对的干扰项",
    "rubric": "简答：评分要点，每项写 point（要点）、accept（可接受的说法）和可选的 points（分值）",
    "model_answer": "简答：参考答案",
    "questions": "题目列表（案例分析题中为小题列表）",
    "tags": "标签，可选",
}


def _describe(definition: dict[str, Any]) -> None:
    for name, prop in definition.get("properties", {}).items():
        if name in DESCRIPTIONS and "description" not in prop:
            prop["description"] = DESCRIPTIONS[name]


def _dispatch(types: dict[str, str], description: str) -> dict[str, Any]:
    """An object checked against the definition its `type` names (if/then per type)."""
    return {
        "type": "object",
        "description": description,
        "required": ["type"],
        "properties": {"type": {"enum": list(types), "description": DESCRIPTIONS["type"]}},
        "allOf": [{"if": {"properties": {"type": {"const": name}}, "required": ["type"]},
                   "then": {"$ref": REF.format(model=model)}} for name, model in types.items()],
    }


def json_schema() -> dict[str, Any]:
    """One JSON Schema (draft 7) for course.yaml, lesson files and question files."""
    models: list[type[BaseModel]] = ([kind.model for kind in REGISTRY.values()]
                                     + [kind.body for kind in SUB_TYPES.values()])
    _, top = models_json_schema([(m, "validation") for m in models + [Lesson, Manifest]],
                                ref_template=REF)
    defs: dict[str, Any] = top["$defs"]
    for name, kind in REGISTRY.items():
        defs[kind.model.__name__]["properties"]["type"] = {"const": name}
    for name, kind in SUB_TYPES.items():
        defs[kind.body.__name__]["properties"]["type"] = {"const": name}
    defs["Case"]["properties"]["questions"]["items"] = {"$ref": REF.format(model="SubQuestion")}
    defs["Question"] = _dispatch({name: kind.model.__name__ for name, kind in REGISTRY.items()},
                                 "一道题：按 type 检查其余字段")
    defs["SubQuestion"] = _dispatch({name: kind.body.__name__ for name, kind in SUB_TYPES.items()},
                                    "案例分析题的小题：没有 id 和 knowledge_point")
    defs["QuestionFile"] = {
        "type": "object",
        "title": "题目文件 questions/*.yaml",
        "additionalProperties": False,
        "required": ["topic", "questions"],
        "properties": {
            "topic": {"type": "string", "pattern": r"^[a-z0-9][a-z0-9._-]*$", "maxLength": 100},
            "questions": {"type": "array", "minItems": 1, "items": {"$ref": REF.format(model="Question")}},
        },
    }
    defs["Lesson"]["title"] = "课文文件 lessons/*.yaml"
    defs["Manifest"]["title"] = "课程清单 course.yaml"
    for definition in defs.values():
        _describe(definition)
    return {
        "$schema": DIALECT,
        "title": "外贸业务员题库内容文件（course.yaml、课文、题目）",
        "description": "按文件中的键判断种类：有 topics 或 exam 的是 course.yaml，有 sections 或 title 的是课文，"
                       "其余是题目文件。",
        "definitions": defs,
        "if": {"type": "object", "anyOf": [{"required": ["topics"]}, {"required": ["exam"]}]},
        "then": {"$ref": REF.format(model="Manifest")},
        "else": {
            "if": {"type": "object", "anyOf": [{"required": ["sections"]}, {"required": ["title"]}]},
            "then": {"$ref": REF.format(model="Lesson")},
            "else": {"$ref": REF.format(model="QuestionFile")},
        },
    }
