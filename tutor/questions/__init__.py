"""The question-type registry: one entry per type, each a self-contained plugin.

A type is its module here (model, checks, grader, key, layout, form parser, stem renderer) and
its partials in templates/questions/<name>/ (input, review, answer, optional keyhint). Add its
`QuestionType` to `REGISTRY`: the content pipeline, grading, storage, the pages and the
reports all work through the registry and need no change (docs/architecture.md, "Adding a
question type"). Nothing here imports Flask or the database.
"""
from __future__ import annotations

from typing import Any

from tutor.questions.base import Body, Grade, GradingSettings, QuestionBase, QuestionType
from tutor.questions.case import CASE
from tutor.questions.choice import MULTIPLE, SINGLE, TRUEFALSE
from tutor.questions.fill import FILL
from tutor.questions.form import Form
from tutor.questions.matching import MATCHING
from tutor.questions.ordering import ORDERING
from tutor.questions.short import SHORT

REGISTRY: dict[str, QuestionType] = {
    t.name: t for t in (SINGLE, MULTIPLE, TRUEFALSE, FILL, ORDERING, MATCHING, CASE, SHORT)}


def question_type(question: Body) -> QuestionType:
    return REGISTRY[question.type]


def parse_answer(question: Body, form: Form, layout: Any) -> Any:
    """The response for `question` from a posted answer form (fields without a prefix), or
    InvalidAnswer saying what is missing, TamperedAnswer for what the page never offered."""
    return REGISTRY[question.type].parse(question, layout, form, "")


def grade(question: Body, answer: Any, settings: GradingSettings = GradingSettings()) -> Grade:
    """Score `answer` (in the question's own terms: letters, item indices, text) against the key."""
    return REGISTRY[question.type].grade(question, answer, settings)


__all__ = ["REGISTRY", "Body", "Grade", "GradingSettings", "QuestionBase", "QuestionType", "parse_answer",
           "grade", "question_type"]
