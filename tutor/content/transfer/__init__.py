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
from typing import Any, Collection

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
                id_prefix: str | None = None,
                allowed_knowledge_points: Collection[str] | None = None) -> ImportResult:
    """Import an uploaded file's bytes, choosing the format by the name's suffix."""
    suffix = Path(filename).suffix.lower()
    kwargs: dict[str, Any] = dict(topic=topic, knowledge_point=knowledge_point, id_prefix=id_prefix,
                                  allowed_knowledge_points=allowed_knowledge_points)
    if suffix == ".xlsx":
        return import_excel(data, **kwargs)
    if suffix == ".docx":
        return import_docx(data, **kwargs)
    if suffix == ".xml":
        return import_moodle_xml(data, **kwargs)
    if suffix in (".txt", ".gift"):
        text, warning = decode_text(data)
        warnings = [Problem("文件", warning)] if warning else []
        if suffix == ".gift" or looks_like_gift(text):
            return import_gift(text, warnings=warnings, **kwargs)
        return import_tagged_text(text, warnings=warnings, **kwargs)
    hints = {".xls": "请在 Excel 中另存为 .xlsx", ".doc": "请在 Word 中另存为 .docx",
             ".csv": "请在 Excel 中打开并另存为 .xlsx"}
    message = f"不支持的文件类型 {suffix or '（无扩展名）'}；可导入 .xlsx、.docx、.txt（标记格式或 GIFT）、.gift、.xml（Moodle XML）"
    if suffix in hints:
        message += "；" + hints[suffix]
    return finalize([], Options(topic), [Problem("文件", message)])


def import_file(path: str | Path, *, topic: str, knowledge_point: str | None = None,
                id_prefix: str | None = None,
                allowed_knowledge_points: Collection[str] | None = None) -> ImportResult:
    """Import a question bank file: .xlsx, .docx, .txt (tag style or GIFT, by content),
    .gift or .xml (Moodle XML)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return finalize([], Options(topic), [Problem("文件", f"无法读取文件 {path.name}：{exc.strerror}")])
    return import_data(path.name, data, topic=topic, knowledge_point=knowledge_point,
                       id_prefix=id_prefix, allowed_knowledge_points=allowed_knowledge_points)


__all__ = ["PLACEHOLDER_EXPLANATION", "SUFFIXES", "ImportResult", "Problem", "export_gift",
           "export_moodle_xml", "import_data", "import_docx", "import_excel", "import_file",
           "import_gift", "import_moodle_xml", "import_tagged_text", "json_schema",
           "looks_like_gift", "to_model", "to_yaml", "write_template"]
