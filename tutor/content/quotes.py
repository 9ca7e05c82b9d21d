"""A typographic warning (not an error): an ASCII double quote beside Chinese text.

Chinese text quotes with “…”; an ASCII `"` next to a Chinese character is almost always a
slip of the input method. The file still loads: `content check` lists the warning with the
file, line and column of the quote so that the author can fix it.

Fields that hold what a student may type (a blank's accepted answers, a rubric's phrases and
labels, the calibration answers) are left alone: there an ASCII quote can be meant.
"""
from __future__ import annotations

import re
from typing import Any, Iterator

Path = tuple[str | int, ...]

# CJK ideographs (with extension A), CJK symbols and punctuation, and full-width forms.
_CJK = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
ASCII_QUOTE_BESIDE_CJK = re.compile(f'(?<=[{_CJK}])"|"(?=[{_CJK}])')
# What a student may type, not text shown as written.
ANSWER_FIELDS = frozenset({"blanks", "accept", "with", "unless", "labels", "calibration"})
MESSAGE = "英文双引号 \" 紧挨着中文：中文里请用中文引号“…”（提示，不影响加载）"
_CONTEXT = 6   # characters either side of the quote used to find it in the file


def text_fields(value: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Every text value under `value` with its path, outside the answer fields."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in ANSWER_FIELDS:
                yield from text_fields(item, path + (key,))
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            yield from text_fields(item, path + (index,))


def ascii_quotes(value: Any, positions: dict[Path, tuple[int, int]],
                 source: str) -> Iterator[tuple[Path, int, int]]:
    """(path, line, column) of each ASCII `"` beside a CJK character in a parsed file's text
    fields. `positions` is the parse's (line, column) of each path, `source` the file's text:
    the quote is looked for in the lines from its field's on, so that a quote inside a block
    of many lines is placed on its own line."""
    lines = source.splitlines()
    for path, text in text_fields(value):
        if '"' not in text:
            continue
        line, column = positions.get(path, (1, 1))
        at = (line - 1, column - 1)     # where the search goes on from, 0-based
        for match in ASCII_QUOTE_BESIDE_CJK.finditer(text):
            found = _find(lines, text, match.start(), at)
            if found is None:           # not in the file as written (an escape): the field's place
                yield path, line, column
                continue
            at = (found[0], found[1] + 1)
            yield path, found[0] + 1, found[1] + 1


def _find(lines: list[str], text: str, index: int, start: tuple[int, int]) -> tuple[int, int] | None:
    """The first place from `start` where the quote at `text[index]` stands in `lines`, found by
    its neighbours on its line of the value (a folded line break becomes a space: try a wide
    context first, then the quote and the one character next to it)."""
    line_start = text.rfind("\n", 0, index) + 1
    line_end = text.find("\n", index)
    line_end = len(text) if line_end < 0 else line_end
    contexts = [(max(index - _CONTEXT, line_start), min(index + _CONTEXT + 1, line_end))]
    contexts += [(index - 1, index + 1), (index, index + 2)]
    for begin, end in contexts:
        if begin < line_start or end > line_end:
            continue
        needle = text[begin:end]
        row, col = start
        while row < len(lines):
            found = lines[row].find(needle, col)
            if found >= 0:
                return row, found + (index - begin)
            row, col = row + 1, 0
    return None
