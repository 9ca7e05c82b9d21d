"""A question type that exists only in the tests: 数值题, a number within a tolerance.

It is written the way a real type is (see docs/architecture.md, "Adding a question type"): this
module and its partials in tests/fixtures/question_plugins/toy_number/, nothing else. The
`number_type` fixture in test_question_plugins.py registers it for one test and removes it.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

from tutor.questions.base import (Body, Grade, GradingSettings, Problems, QuestionBase, QuestionType,
                                  empty_layout_fits, no_layout)
from tutor.questions.form import Form, InvalidAnswer, TamperedAnswer, one

TEMPLATES = Path(__file__).resolve().parent / "fixtures" / "question_plugins"


class NumberBody(Body):
    type: Literal["number"]
    answer: float
    tolerance: float = 0.0
    unit: str | None = None


class NumberQuestion(QuestionBase, NumberBody):
    pass


def check_number(q: NumberBody) -> Problems:
    if q.tolerance < 0:
        yield ("tolerance",), "误差不能为负"


def grade_number(q: NumberBody, response: Any, settings: GradingSettings) -> Grade:
    correct = isinstance(response, (int, float)) and not isinstance(response, bool) \
        and abs(response - q.answer) <= q.tolerance
    return Grade(correct, 1.0 if correct else 0.0, 1.0)


def parse_number(q: NumberBody, layout: Any, form: Form, p: str) -> float:
    text = (one(form, p + "number") or "").strip()
    if not text:
        raise InvalidAnswer("请填写一个数")
    try:
        value = float(text)
    except ValueError:
        raise InvalidAnswer("请填写一个数，例如 12.5") from None
    if not math.isfinite(value):
        raise TamperedAnswer("数值无效")
    return value


def render_stem(q: NumberBody) -> str:
    return f"{q.stem}（单位：{q.unit}）" if q.unit else q.stem


NUMBER = QuestionType("number", "数值题", NumberQuestion, NumberBody, check_number, grade_number,
                      lambda q: q.answer, no_layout, empty_layout_fits, parse_number,
                      render_stem=render_stem, template_dir="toy_number")
