"""Case analysis (案例分析): a scenario and sub-questions of the other types, scored as the sum."""
from __future__ import annotations

import random
from typing import Annotated, Any, Literal, Union

from pydantic import Field

from tutor.content.model import Text
from tutor.questions.base import Body, Grade, GradingSettings, Problems, QuestionBase, QuestionType
from tutor.questions.choice import MULTIPLE, SINGLE, TRUEFALSE, MultipleBody, SingleBody, TrueFalseBody
from tutor.questions.fill import FILL, FillBody
from tutor.questions.form import Form, InvalidAnswer
from tutor.questions.matching import MATCHING, MatchingBody
from tutor.questions.ordering import ORDERING, OrderingBody
from tutor.questions.short import SHORT, ShortBody

SUB_TYPES: dict[str, QuestionType] = {t.name: t for t in (SINGLE, MULTIPLE, TRUEFALSE, FILL,
                                                             ORDERING, MATCHING, SHORT)}
SubQuestion = Annotated[Union[SingleBody, MultipleBody, TrueFalseBody, FillBody, OrderingBody,
                              MatchingBody, ShortBody], Field(discriminator="type")]


class CaseBody(Body):
    type: Literal["case"]
    questions: tuple[SubQuestion, ...] = Field(min_length=2, max_length=10)
    explanation: Text | None = None  # type: ignore[assignment]  # each sub-question carries its own


class Case(QuestionBase, CaseBody):
    explanation: Text | None = None


def check_case(q: CaseBody) -> Problems:
    for index, sub in enumerate(q.questions):
        for path, message in SUB_TYPES[sub.type].check(sub):
            yield ("questions", index) + path, message


def grade_case(q: CaseBody, response: Any, settings: GradingSettings) -> Grade:
    answers = list(response) if isinstance(response, (list, tuple)) else []
    answers += [None] * (len(q.questions) - len(answers))
    parts = tuple(SUB_TYPES[sub.type].grade(sub, answer, settings)
                  for sub, answer in zip(q.questions, answers))
    return Grade(all(p.correct for p in parts), sum(p.score for p in parts),
                 sum(p.max_score for p in parts), parts)


def parse_case(q: CaseBody, layout: Any, form: Form, p: str) -> list[Any]:
    """Each sub-question parsed by its own type, its fields prefixed s<index>-."""
    answers = []
    for index, (sub, sub_layout) in enumerate(zip(q.questions, layout)):
        try:
            answers.append(SUB_TYPES[sub.type].parse(sub, sub_layout, form, f"{p}s{index}-"))
        except InvalidAnswer as exc:
            raise type(exc)(f"第 {index + 1} 小题：{exc}") from None
    return answers


def _layout(q: CaseBody, rng: random.Random | None) -> list[Any]:
    return [SUB_TYPES[sub.type].layout(sub, rng) for sub in q.questions]


def _layout_fits(q: CaseBody, layout: Any) -> bool:
    return isinstance(layout, list) and len(layout) == len(q.questions) and all(
        SUB_TYPES[sub.type].layout_fits(sub, sub_layout) for sub, sub_layout in zip(q.questions, layout))


def _guess_rate(q: CaseBody) -> float:
    """The sub-questions' rates, each weighted by the points it is worth."""
    worth = [SUB_TYPES[s.type].grade(s, SUB_TYPES[s.type].correct_response(s), GradingSettings()).max_score
             for s in q.questions]
    return sum(w * SUB_TYPES[s.type].guess_rate(s) for w, s in zip(worth, q.questions)) / sum(worth)


CASE = QuestionType("case", "案例分析题", Case, CaseBody, check_case, grade_case,
                    lambda q: [SUB_TYPES[s.type].correct_response(s) for s in q.questions],
                    _layout, _layout_fits, parse_case, part_list="questions",
                    rubric_scored=lambda q: any(SUB_TYPES[s.type].rubric_scored(s) for s in q.questions),
                    guess_rate=_guess_rate)
