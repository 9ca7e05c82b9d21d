"""Bring your own question bank: get questions into our YAML and out of it.

Import (each returns an `ImportResult`: questions as dicts in our YAML schema, problems with
their row/line, skipped items, warnings):
  import_file(path, topic=..., knowledge_point=..., id_prefix=...)   by the file's suffix
  import_data(filename, data, ...)                                   the same, for uploaded bytes
  import_excel(bytes) · import_docx(bytes) · import_tagged_text(str) · import_gift(str)
  import_moodle_xml(bytes | str)
Export (each returns `(text, skipped)`): export_gift(questions) · export_moodle_xml(questions)
Writing: to_yaml(topic, questions, schema_path) · write_template(path) · json_schema()

Pure Python (no Flask): the CLI and the instructor page call these.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Collection, Mapping

from tutor.content.transfer.common import (PLACEHOLDER_EXPLANATION, ImportResult, Options, Problem,
                                           decode_text, finalize, to_model)
from tutor.content.transfer.excel import import_excel, write_template
from tutor.content.transfer.gift import export_gift, import_gift
from tutor.content.transfer.moodlexml import export_moodle_xml, import_moodle_xml
from tutor.content.transfer.schema import json_schema
from tutor.content.transfer.tagtext import import_docx, import_tagged_text
from tutor.content.transfer.yamlout import to_yaml

SUFFIXES = (".xlsx", ".docx", ".txt", ".gift", ".xml")
_TAG_STYLE = re.compile(r"【\s*(?:单选|多选|判断|填空|简答|单项选择|多项选择|不定项选择|是非|问答)题?\s*】")
# `\{[^{}=~#]*+[=~#]` pins the first mark, where `\{[^{}]*[=~#]` tried every split of a long
# run of marks (quadratic: `{` and 40,000 `=` took seconds).
_GIFT_SIGNS = re.compile(r"::.*?::|\$CATEGORY:|\{[^{}=~#]*+[=~#][^{}]*+\}|\{\s*+(?:T|F|TRUE|FALSE)\s*+\}")


def looks_like_gift(text: str) -> bool:
    """A .txt file is GIFT when it has GIFT's marks (`::title::`, `$CATEGORY:`, answer blocks
    such as `{=a ~b}` or `{T}`) and no 【单选】-style type tags; otherwise the tag style."""
    return not _TAG_STYLE.search(text) and bool(_GIFT_SIGNS.search(text))


def import_data(filename: str, data: bytes, *, topic: str, knowledge_point: str | None = None,
                id_prefix: str | None = None, allowed_knowledge_points: Collection[str] | None = None,
                topic_of: Mapping[str, str] | None = None) -> ImportResult:
    """Import an uploaded file's bytes, choosing the format by the name's suffix.

    `topic_of` (every knowledge point of the course -> its topic) lets an item name a knowledge
    point of another topic; its question is then listed in `ImportResult.topics`."""
    suffix = Path(filename).suffix.lower()
    kwargs: dict[str, Any] = dict(topic=topic, knowledge_point=knowledge_point, id_prefix=id_prefix,
                                  allowed_knowledge_points=allowed_knowledge_points)
    # The formats of the tag style and Excel take the map themselves (and say "not in the
    # course" for a knowledge point outside it); GIFT and Moodle XML accept the course's
    # knowledge points and get their topics here.
    mapped = dict(kwargs, topic_of=topic_of)
    others = dict(kwargs) if topic_of is None else dict(
        kwargs, allowed_knowledge_points=set(allowed_knowledge_points or ()) | set(topic_of))
    if suffix == ".xlsx":
        return import_excel(data, **mapped)
    if suffix == ".docx":
        return import_docx(data, **mapped)
    if suffix == ".xml":
        return with_topics(import_moodle_xml(data, **others), topic_of)
    if suffix in (".txt", ".gift"):
        text, warning = decode_text(data)
        warnings = [Problem("文件", warning)] if warning else []
        if suffix == ".gift" or looks_like_gift(text):
            return with_topics(import_gift(text, warnings=warnings, **others), topic_of)
        return import_tagged_text(text, warnings=warnings, **mapped)
    hints = {".xls": "请在 Excel 中另存为 .xlsx", ".doc": "请在 Word 中另存为 .docx",
             ".csv": "请在 Excel 中打开并另存为 .xlsx"}
    message = f"不支持的文件类型 {suffix or '（无扩展名）'}；可导入 .xlsx、.docx、.txt（标记格式或 GIFT）、.gift、.xml（Moodle XML）"
    if suffix in hints:
        message += "；" + hints[suffix]
    return finalize([], Options(topic), [Problem("文件", message)])


def with_topics(result: ImportResult, topic_of: Mapping[str, str] | None) -> ImportResult:
    """`result` with the topic of each question outside `result.topic` in `topics`."""
    for question in result.questions:
        topic = (topic_of or {}).get(question["knowledge_point"], result.topic)
        if topic != result.topic:
            result.topics[question["id"]] = topic
    return result


def import_file(path: str | Path, *, topic: str, knowledge_point: str | None = None,
                id_prefix: str | None = None, allowed_knowledge_points: Collection[str] | None = None,
                topic_of: Mapping[str, str] | None = None) -> ImportResult:
    """Import a question bank file: .xlsx, .docx, .txt (tag style or GIFT, by content),
    .gift or .xml (Moodle XML)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return finalize([], Options(topic), [Problem("文件", f"无法读取文件 {path.name}：{exc.strerror}")])
    return import_data(path.name, data, topic=topic, knowledge_point=knowledge_point,
                       id_prefix=id_prefix, allowed_knowledge_points=allowed_knowledge_points, topic_of=topic_of)


__all__ = ["PLACEHOLDER_EXPLANATION", "SUFFIXES", "ImportResult", "Problem", "export_gift",
           "export_moodle_xml", "import_data", "import_docx", "import_excel", "import_file",
           "import_gift", "import_moodle_xml", "import_tagged_text", "json_schema",
           "looks_like_gift", "to_model", "to_yaml", "write_template"]
