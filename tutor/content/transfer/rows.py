"""Turning a question as teachers lay it out (type name, stem, lettered options, one answer
text) into a draft in our terms. Shared by the Excel sheet and the 【单选】 tag style.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from tutor.content.transfer.common import (FILL_RULE, RUBRIC_RULE, TRUTH_HELP, Draft, Problem, clean,
                                           mark_blanks, parse_difficulty, parse_letters, parse_truth,
                                           split_blanks, split_short_answer)
from tutor.questions.base import LETTERS

# Type names as teachers write them, after dropping a trailing 题.
TYPE_NAMES = {
    "单选": "single", "单项选择": "single", "单择": "single",
    "多选": "multiple", "多项选择": "multiple", "不定项选择": "multiple",
    "判断": "truefalse", "是非": "truefalse",
    "填空": "fill",
    "简答": "short", "问答": "short",
}
TYPE_HELP = "单选、多选、判断、填空、简答（可带“题”字，如“单选题”）"


def type_of(text: str) -> str | None:
    name = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    if name.endswith("题"):
        name = name[:-1]
    return TYPE_NAMES.get(name)


@dataclass
class RawItem:
    """One question as the source lays it out, every value still the source's text."""

    where: str
    type_text: str
    stem: str = ""
    options: list[str] = field(default_factory=list)
    answer: Any = None
    explanation: str = ""
    knowledge_point: str = ""
    difficulty: Any = None
    section: str = ""
    tags: list[str] = field(default_factory=list)
    field_where: dict[str, str] = field(default_factory=dict)
    # found while reading the layout: a message (at `where`), or a Problem with its own place
    problems: list[str | Problem] = field(default_factory=list)


def draft_from_raw(raw: RawItem) -> Draft:
    kind = type_of(raw.type_text)
    draft = Draft(raw.where, kind, raw.type_text or "（无题型）", field_where=dict(raw.field_where))
    for found in raw.problems:
        if isinstance(found, Problem):
            draft.problems.append(found)
        else:
            draft.problem(found)
    if kind is None:
        draft.problem(f"题型“{raw.type_text}”无法识别；可用：{TYPE_HELP}" if raw.type_text
                      else f"没有题型；可用：{TYPE_HELP}", "type")
    stem = clean(raw.stem)
    draft.fields["stem"] = stem
    if not stem:
        draft.problem("题干是空的", "stem")
    draft.knowledge_point = clean(raw.knowledge_point) or None
    draft.section = clean(raw.section) or None
    draft.tags = [clean(t) for t in raw.tags if clean(t)]
    draft.difficulty, message = parse_difficulty(raw.difficulty)
    if message:
        draft.problem(message, "difficulty")
    # Every problem of the item, not only the first: an empty answer is reported whatever the
    # type, and the answer is read by its type even when the stem is missing (a fill's blanks
    # are counted in the stem, so that one needs it).
    if not isinstance(raw.answer, bool) and clean(raw.answer) == "":
        draft.problem("答案是空的", "answer")
    elif kind is not None and (stem or kind != "fill"):
        BUILDERS[kind](draft, raw, stem)
    draft.fields["explanation"] = clean(raw.explanation)
    return draft


def _choice(draft: Draft, raw: RawItem, stem: str) -> None:
    options = [clean(o) for o in raw.options]
    draft.fields["options"] = options
    letters = parse_letters(raw.answer)
    if letters is None:
        draft.problem(f"答案“{clean(raw.answer)}”应为选项字母，如 B（单选）或 ABD、A,B,D（多选）", "answer")
        return
    if draft.type == "single":
        if len(letters) != 1:
            draft.problem(f"单选题只能有一个答案，现在是 {''.join(letters)}（如果是多选题，请把题型改为“多选”）",
                          "answer")
            return
        draft.fields["answer"] = letters[0]
    else:
        if len(set(letters)) == 1:
            draft.problem(f"多选题至少要有两个正确选项，现在只有 {letters[0]}（如果是单选题，请把题型改为“单选”）",
                          "answer")
            return
        draft.fields["answer"] = sorted(letters) if len(set(letters)) == len(letters) else letters


def _truefalse(draft: Draft, raw: RawItem, stem: str) -> None:
    value = parse_truth(raw.answer)
    options = [clean(o) for o in raw.options if clean(o)]
    if value is None and options:
        # 判断 written like a choice: options 正确/错误 and the answer a letter.
        letters = parse_letters(raw.answer)
        if letters and len(letters) == 1 and LETTERS.index(letters[0]) < len(options):
            value = parse_truth(options[LETTERS.index(letters[0])])
    if value is None:
        draft.problem(f"判断题的答案“{clean(raw.answer)}”无法识别；请写 {TRUTH_HELP}", "answer")
        return
    if options and not all(parse_truth(o) is not None for o in options):
        draft.warn("判断题不需要选项，已忽略选项", "options")
    draft.fields["answer"] = value


def _fill(draft: Draft, raw: RawItem, stem: str) -> None:
    marked, count = mark_blanks(stem)
    draft.fields["stem"] = marked
    if count == 0:
        draft.problem("题干中没有找到空位。" + FILL_RULE, "stem")
        return
    blanks = split_blanks(clean(raw.answer))
    if len(blanks) != count:
        draft.problem(f"题干中有 {count} 个空，答案却给了 {len(blanks)} 组。" + FILL_RULE, "answer")
        return
    draft.fields["blanks"] = blanks
    if any(clean(o) for o in raw.options):
        draft.warn("填空题不需要选项，已忽略选项", "options")


def _short(draft: Draft, raw: RawItem, stem: str) -> None:
    model_answer, rubric, messages = split_short_answer(clean(raw.answer))
    for message in messages:
        draft.problem(message, "answer")
    if not rubric and not messages:
        draft.problem("简答题没有评分要点。" + RUBRIC_RULE, "answer")
    if not model_answer and rubric:
        model_answer = "\n".join(f"（{i}）{item['point']}" for i, item in enumerate(rubric, 1))
        draft.warn("没有参考答案，已用各评分要点拼成参考答案，请核对", "answer")
    draft.fields["rubric"] = rubric
    draft.fields["model_answer"] = model_answer
    if any(clean(o) for o in raw.options):
        draft.warn("简答题不需要选项，已忽略选项", "options")


BUILDERS = {"single": _choice, "multiple": _choice, "truefalse": _truefalse, "fill": _fill,
            "short": _short}
