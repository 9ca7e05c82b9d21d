"""Fill in the blank (填空): blanks written {{1}}, {{2}}... in the stem, each with accepted answers."""
from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import Field

from tutor.questions.base import (Body, Grade, GradingSettings, Option, Problems, QuestionBase,
                                  QuestionType, empty_layout_fits, no_layout, normalise_text)
from tutor.questions.form import Form, InvalidAnswer, one

BLANK = re.compile(r"\{\{(\d+)\}\}")


class FillBody(Body):
    type: Literal["fill"]
    blanks: tuple[tuple[Option, ...], ...] = Field(min_length=1, max_length=10)
    # Latin letters must match in case (FOB is not fob). Off by default, as in Moodle's
    # shortanswer (`usecase` 0): a student typing fob for FOB has the term right.
    case_sensitive: bool = False


class Fill(QuestionBase, FillBody):
    pass


def stem_parts(stem: str) -> list[str | int]:
    """The stem split into text and blank numbers (0-based), for rendering inputs in place."""
    parts: list[str | int] = []
    for index, piece in enumerate(BLANK.split(stem)):
        if index % 2:
            parts.append(int(piece) - 1)
        elif piece:
            parts.append(piece)
    return parts


def render_stem(q: FillBody) -> str:
    """The stem with its blanks as numbered lines: （1）＿＿＿, never the raw placeholder."""
    return BLANK.sub(lambda m: f"（{m.group(1)}）＿＿＿", q.stem)


def parse_fill(q: FillBody, layout: Any, form: Form, p: str) -> list[str]:
    answers = [(one(form, f"{p}blank-{i}") or "").strip()[:200] for i in range(len(q.blanks))]
    if not any(answers):
        raise InvalidAnswer("请填写答案")
    return answers


def check_fill(q: FillBody) -> Problems:
    numbers = [int(n) for n in BLANK.findall(q.stem)]
    if numbers != list(range(1, len(q.blanks) + 1)):
        yield ("stem",), (f"题干中的空位应依次写作 {{{{1}}}} 到 {{{{{len(q.blanks)}}}}}，"
                          f"与 blanks 的 {len(q.blanks)} 项对应；现在是 {numbers or '没有空位'}")
    for index, accepted in enumerate(q.blanks):
        if not accepted:
            yield ("blanks", index), "每个空至少要有一个可接受的答案"


def match_key(text: str, case_sensitive: bool) -> str:
    """What a blank's answer is compared by: normalised, and in lower case unless the question
    says letter case counts (lower() leaves Chinese as it is)."""
    key = normalise_text(text)
    return key if case_sensitive else key.lower()


def grade_fill(q: FillBody, response: Any, settings: GradingSettings) -> Grade:
    """Each blank earns an equal share; full marks only when every blank is right."""
    n = len(q.blanks)
    if not isinstance(response, (list, tuple)) or len(response) != n \
            or not all(isinstance(r, str) for r in response):
        return Grade(False, 0.0, 1.0, tuple(False for _ in range(n)))
    exact = q.case_sensitive
    parts = tuple(match_key(given, exact) in {match_key(a, exact) for a in accepted} and bool(given.strip())
                  for given, accepted in zip(response, q.blanks))
    return Grade(all(parts), sum(parts) / n, 1.0, parts)


FILL = QuestionType("fill", "填空题", Fill, FillBody, check_fill, grade_fill,
                    lambda q: [accepted[0] for accepted in q.blanks], no_layout, empty_layout_fits,
                    parse_fill, render_stem=render_stem, part_list="blanks")
