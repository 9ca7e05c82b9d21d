"""Short answer (简答): a rubric of key points, each with accepted phrasings and points."""
from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from tutor.content.model import Strict, Text
from tutor.questions.base import (Body, Grade, GradingSettings, Option, Problems, QuestionBase,
                                  QuestionType, empty_layout_fits, no_layout, normalise_text)
from tutor.questions.form import Form, InvalidAnswer, one

MAX_ANSWER_CHARS = 5000


class RubricPoint(Strict):
    point: Option                                      # the key point as the model answer says it
    accept: tuple[Option, ...] = Field(min_length=1)   # phrasings that count as making the point
    points: int = Field(default=1, ge=1, le=20)


class ShortBody(Body):
    type: Literal["short"]
    rubric: tuple[RubricPoint, ...] = Field(min_length=1, max_length=20)
    model_answer: Text


class Short(QuestionBase, ShortBody):
    pass


def check_short(q: ShortBody) -> Problems:
    for index, item in enumerate(q.rubric):
        for a_index, phrase in enumerate(item.accept):
            if not normalise_text(phrase):
                yield ("rubric", index, "accept", a_index), "可接受的表述不能只有标点或空白"


def grade_short(q: ShortBody, response: Any, settings: GradingSettings) -> Grade:
    """A rubric point is found when any of its accepted phrasings appears in the answer."""
    total = float(sum(item.points for item in q.rubric))
    if not isinstance(response, str) or not response.strip():
        return Grade(False, 0.0, total, tuple(False for _ in q.rubric))
    answer = normalise_text(response[:MAX_ANSWER_CHARS])
    parts = tuple(any(normalise_text(p) in answer for p in item.accept) for item in q.rubric)
    score = float(sum(item.points for item, found in zip(q.rubric, parts) if found))
    return Grade(score == total, score, total, parts)


def parse_short(q: ShortBody, layout: Any, form: Form, p: str) -> str:
    text = (one(form, p + "text") or "").strip()
    if not text:
        raise InvalidAnswer("请填写答案")
    return text[:MAX_ANSWER_CHARS]


SHORT = QuestionType("short", "简答题", Short, ShortBody, check_short, grade_short,
                     lambda q: q.model_answer, no_layout, empty_layout_fits, parse_short)
