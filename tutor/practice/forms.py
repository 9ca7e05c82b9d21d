"""Turn a posted answer form into a response in the question's own terms.

Each question type parses its own fields (`QuestionType.parse`, see tutor/questions/); this
module keeps the name the practice and exam views import.
"""
from __future__ import annotations

from typing import Any

from tutor.questions import Body, question_type
from tutor.questions.form import Form, InvalidAnswer, TamperedAnswer


def parse_answer(question: Body, form: Form, layout: Any) -> Any:
    """The response for `question` from `form`, or InvalidAnswer saying what is missing."""
    return question_type(question).parse(question, layout, form, "")


__all__ = ["Form", "InvalidAnswer", "TamperedAnswer", "parse_answer"]
