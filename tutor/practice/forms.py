"""Turn a posted answer form into a response in the question's own option letters.

The form names options by the position they were shown in; the delivery's stored option
order maps them back. Anything that does not fit what was shown is refused, not guessed.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

from tutor.questions.base import LETTERS, QuestionBase


class InvalidAnswer(ValueError):
    pass


def _shown_to_letter(value: str, option_order: Sequence[int]) -> str:
    if not value.isdigit() or int(value) >= len(option_order):
        raise InvalidAnswer("选项无效")
    return LETTERS[option_order[int(value)]]


def _single(values: list[str], option_order: Sequence[int]) -> str:
    if len(values) != 1:
        raise InvalidAnswer("请选择一个选项")
    return _shown_to_letter(values[0], option_order)


def _multiple(values: list[str], option_order: Sequence[int]) -> list[str]:
    if not values:
        raise InvalidAnswer("请至少选择一个选项")
    letters = [_shown_to_letter(v, option_order) for v in values]
    if len(set(letters)) != len(letters):
        raise InvalidAnswer("选项重复")
    return sorted(letters)


def _truefalse(values: list[str], option_order: Sequence[int]) -> bool:
    if values == ["true"]:
        return True
    if values == ["false"]:
        return False
    raise InvalidAnswer("请选择“正确”或“错误”")


PARSERS: dict[str, Callable[[list[str], Sequence[int]], Any]] = {
    "single": _single,
    "multiple": _multiple,
    "truefalse": _truefalse,
}


def parse_answer(question: QuestionBase, values: list[str], option_order: Sequence[int]) -> Any:
    return PARSERS[question.type](values, option_order)


def option_count(question: QuestionBase) -> int:
    return len(getattr(question, "options", ()))
