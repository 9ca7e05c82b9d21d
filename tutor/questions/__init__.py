"""The question-type registry: one entry per type, each with its model, checks and grader.

A new type is a new module with a `QuestionType` added to `REGISTRY`; the content pipeline,
grading and storage work through the registry and need no change.
"""
from __future__ import annotations

from typing import Any

from tutor.questions.base import Grade, QuestionBase, QuestionType
from tutor.questions.choice import MULTIPLE, SINGLE, TRUEFALSE

REGISTRY: dict[str, QuestionType] = {t.name: t for t in (SINGLE, MULTIPLE, TRUEFALSE)}


def question_type(question: QuestionBase) -> QuestionType:
    return REGISTRY[question.type]


def grade(question: QuestionBase, answer: Any) -> Grade:
    """Score `answer` (in the question's own option letters) against the key."""
    return REGISTRY[question.type].grade(question, answer)


__all__ = ["REGISTRY", "Grade", "QuestionBase", "QuestionType", "grade", "question_type"]
