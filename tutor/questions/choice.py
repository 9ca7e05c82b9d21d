"""Single choice (单选), multiple choice (多选) and true/false (判断)."""
from __future__ import annotations

from typing import Iterator, Literal

from pydantic import Field

from tutor.questions.base import LETTERS, Grade, Letter, Option, QuestionBase, QuestionType

Problems = Iterator[tuple[tuple[str | int, ...], str]]


class ChoiceQuestion(QuestionBase):
    options: tuple[Option, ...] = Field(min_length=2, max_length=8)


class SingleChoice(ChoiceQuestion):
    type: Literal["single"]
    answer: Letter


class MultipleChoice(ChoiceQuestion):
    type: Literal["multiple"]
    answer: tuple[Letter, ...]


class TrueFalse(QuestionBase):
    type: Literal["truefalse"]
    answer: bool


def _option_problems(q: ChoiceQuestion) -> Problems:
    seen: dict[str, int] = {}
    for index, text in enumerate(q.options):
        key = " ".join(text.split())
        if key in seen:
            yield ("options", index), f"选项重复：与选项 {LETTERS[seen[key]]} 相同"
        seen.setdefault(key, index)


def _letter_problems(q: ChoiceQuestion, letters: tuple[str, ...]) -> Problems:
    for letter in letters:
        if LETTERS.index(letter) >= len(q.options):
            yield ("answer",), f"答案 {letter} 不在选项中（只有 {len(q.options)} 个选项）"


def check_single(q: SingleChoice) -> Problems:
    yield from _option_problems(q)
    yield from _letter_problems(q, (q.answer,))


def check_multiple(q: MultipleChoice) -> Problems:
    yield from _option_problems(q)
    yield from _letter_problems(q, q.answer)
    if len(set(q.answer)) != len(q.answer):
        yield ("answer",), "答案中有重复的字母"
    if len(set(q.answer)) < 2:
        yield ("answer",), "多选题至少要有两个正确选项"


def check_truefalse(q: TrueFalse) -> Problems:
    return iter(())


def grade_single(q: SingleChoice, response: object) -> Grade:
    correct = response == q.answer
    return Grade(correct, 1.0 if correct else 0.0, 1.0)


def grade_multiple(q: MultipleChoice, response: object) -> Grade:
    """All-or-nothing, as in the exam: the chosen set must equal the key."""
    chosen = set(response) if isinstance(response, (list, tuple)) else set()
    valid = all(isinstance(c, str) for c in chosen)
    correct = valid and chosen == set(q.answer) and len(chosen) == len(response or ())
    return Grade(correct, 1.0 if correct else 0.0, 1.0)


def grade_truefalse(q: TrueFalse, response: object) -> Grade:
    correct = isinstance(response, bool) and response is q.answer
    return Grade(correct, 1.0 if correct else 0.0, 1.0)


SINGLE = QuestionType("single", "单选题", SingleChoice, check_single, grade_single,
                      lambda q: q.answer)
MULTIPLE = QuestionType("multiple", "多选题", MultipleChoice, check_multiple, grade_multiple,
                        lambda q: sorted(q.answer))
TRUEFALSE = QuestionType("truefalse", "判断题", TrueFalse, check_truefalse, grade_truefalse,
                         lambda q: q.answer)
