"""Shared by the tests of tutor.content.transfer: building workbooks and documents in memory,
and checking that imported questions load through the strict content loader."""
from __future__ import annotations

from io import BytesIO
from pathlib import Path
from typing import Any, Iterable

import docx
import openpyxl

from tutor.content.loader import parse_file
from tutor.content.transfer import ImportResult, to_yaml

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "transfer"
HEADER = ["题型", "题干", "选项A", "选项B", "选项C", "选项D", "选项E", "答案", "解析", "知识点", "难度", "章节"]


def xlsx(rows: Iterable[dict[str, Any] | None], header: list[str] = HEADER,
         before: Iterable[list[Any]] = ()) -> bytes:
    """A workbook with `before` rows, the header, then one row per dict (None: an empty row)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in before:
        sheet.append(row)
    sheet.append(header)
    for row in rows:
        sheet.append([None if row is None else row.get(name) for name in header])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def document(lines: Iterable[str | list[str]], table: bool = False) -> bytes:
    """A .docx with one paragraph per line; a list is one paragraph with soft line breaks."""
    doc = docx.Document()
    for line in lines:
        if isinstance(line, list):
            paragraph = doc.add_paragraph()
            for index, part in enumerate(line):
                run = paragraph.add_run(part)
                if index < len(line) - 1:
                    run.add_break()
        else:
            doc.add_paragraph(line)
    if table:
        doc.add_table(rows=1, cols=1).cell(0, 0).text = "【单选】表格里的题目"
    buffer = BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def loads_cleanly(result: ImportResult, tmp_path: Path) -> list[Any]:
    """Write the result as YAML, read it back with the content loader, return the models."""
    path = tmp_path / "imported.yaml"
    path.write_text(to_yaml(result.topic, result.questions, "../../schema.json"), encoding="utf-8")
    parsed = parse_file(path, "imported.yaml", "questions")
    assert parsed.errors == [], [str(e) for e in parsed.errors]
    return [q for _, q, _ in parsed.value.questions]


def wheres(result: ImportResult) -> list[str]:
    return [p.where for p in result.problems]


def message_at(result: ImportResult, where: str) -> str:
    """Every problem message at one place, joined, for `in` checks."""
    found = [p.message for p in result.problems if p.where == where]
    assert found, f"no problem at {where}: {[str(p) for p in result.problems]}"
    return " | ".join(found)
