"""Single choice (单选), multiple choice (多选) and true/false (判断)."""
from __future__ import annotations

import random
from typing import Any, Literal

from pydantic import Field

from tutor.questions.base import (LETTERS, Body, Grade, GradingSettings, Letter, Option, Problems,
                                  QuestionBase, QuestionType, empty_layout_fits, is_permutation,
                                  no_layout, permutation)
from tutor.questions.form import Form, InvalidAnswer, TamperedAnswer, shown_index, values


class ChoiceBody(Body):
    options: tuple[Option, ...] = Field(min_length=2, max_length=8)


class SingleBody(ChoiceBody):
    type: Literal["single"]
    answer: Letter


class MultipleBody(ChoiceBody):
    type: Literal["multiple"]
    answer: tuple[Letter, ...]


class TrueFalseBody(Body):
    type: Literal["truefalse"]
    answer: bool


class SingleChoice(QuestionBase, SingleBody):
    pass


class MultipleChoice(QuestionBase, MultipleBody):
    pass


class TrueFalse(QuestionBase, TrueFalseBody):
    pass


def _option_problems(q: ChoiceBody) -> Problems:
    seen: dict[str, int] = {}
    for index, text in enumerate(q.options):
        key = " ".join(text.split())
        if key in seen:
            yield ("options", index), f"选项重复：与选项 {LETTERS[seen[key]]} 相同"
        seen.setdefault(key, index)


def _letter_problems(q: ChoiceBody, letters: tuple[str, ...]) -> Problems:
    for letter in letters:
        if LETTERS.index(letter) >= len(q.options):
            yield ("answer",), f"答案 {letter} 不在选项中（只有 {len(q.options)} 个选项）"


def check_single(q: SingleBody) -> Problems:
    yield from _option_problems(q)
    yield from _letter_problems(q, (q.answer,))


def check_multiple(q: MultipleBody) -> Problems:
    yield from _option_problems(q)
    yield from _letter_problems(q, q.answer)
    if len(set(q.answer)) != len(q.answer):
        yield ("answer",), "答案中有重复的字母"
    if len(set(q.answer)) < 2:
        yield ("answer",), "多选题至少要有两个正确选项"


def check_truefalse(q: TrueFalseBody) -> Problems:
    return iter(())


def grade_single(q: SingleBody, response: Any, settings: GradingSettings) -> Grade:
    correct = response == q.answer
    return Grade(correct, 1.0 if correct else 0.0, 1.0)


def grade_multiple(q: MultipleBody, response: Any, settings: GradingSettings) -> Grade:
    """All-or-nothing by default, as in the exam; or a share per correct option, nothing if any is wrong."""
    if not isinstance(response, (list, tuple)) or not all(isinstance(c, str) for c in response) \
            or len(set(response)) != len(response):
        return Grade(False, 0.0, 1.0)
    chosen, key = set(response), set(q.answer)
    if chosen == key:
        return Grade(True, 1.0, 1.0)
    if settings.multiple_choice_scoring == "partial" and chosen and chosen <= key:
        return Grade(False, len(chosen) / len(key), 1.0)
    return Grade(False, 0.0, 1.0)


def grade_truefalse(q: TrueFalseBody, response: Any, settings: GradingSettings) -> Grade:
    correct = isinstance(response, bool) and response is q.answer
    return Grade(correct, 1.0 if correct else 0.0, 1.0)


def parse_single(q: SingleBody, layout: Any, form: Form, p: str) -> str:
    chosen = values(form, p + "choice")
    if len(chosen) > 1:
        raise TamperedAnswer("单选题只能选一个选项")
    if not chosen:
        raise InvalidAnswer("请选择一个选项")
    return LETTERS[layout[shown_index(chosen[0], len(layout))]]


def parse_multiple(q: MultipleBody, layout: Any, form: Form, p: str) -> list[str]:
    chosen = values(form, p + "choice")
    if not chosen:
        raise InvalidAnswer("请至少选择一个选项")
    letters = [LETTERS[layout[shown_index(v, len(layout))]] for v in chosen]
    if len(set(letters)) != len(letters):
        raise TamperedAnswer("选项重复")
    return sorted(letters)


def parse_truefalse(q: TrueFalseBody, layout: Any, form: Form, p: str) -> bool:
    chosen = values(form, p + "choice")
    if not chosen:
        raise InvalidAnswer("请选择“正确”或“错误”")
    if chosen not in (["true"], ["false"]):
        raise TamperedAnswer("判断题只能选“正确”或“错误”")
    return chosen == ["true"]


def _options(q: ChoiceBody) -> tuple[str, ...]:
    return q.options


def _chosen(q: ChoiceBody, response: Any) -> list[int]:
    """Written positions of the letters a stored response names; anything else is skipped."""
    letters = [response] if isinstance(response, str) else (response or [])
    if not isinstance(letters, (list, tuple)):
        return []
    return [LETTERS.index(c) for c in letters if isinstance(c, str) and len(c) == 1 and c in LETTERS]


def _options_layout(q: ChoiceBody, rng: random.Random | None) -> list[int]:
    return permutation(len(q.options), rng)


def _options_layout_fits(q: ChoiceBody, layout: Any) -> bool:
    return is_permutation(layout, len(q.options))


SINGLE = QuestionType("single", "单选题", SingleChoice, SingleBody, check_single, grade_single,
                      lambda q: q.answer, _options_layout, _options_layout_fits, parse_single,
                      tallied_options=_options, chosen_options=_chosen,
                      guess_rate=lambda q: 1 / len(q.options))
MULTIPLE = QuestionType("multiple", "多选题", MultipleChoice, MultipleBody, check_multiple,
                        grade_multiple, lambda q: sorted(q.answer), _options_layout,
                        _options_layout_fits, parse_multiple,
                        tallied_options=_options, chosen_options=_chosen,
                        # a blind guess picks one of the 2^n - 1 non-empty sets; all or nothing, as
                        # in the exam (a course's partial scoring is not known to the question)
                        guess_rate=lambda q: 1 / (2 ** len(q.options) - 1))
TRUEFALSE = QuestionType("truefalse", "判断题", TrueFalse, TrueFalseBody, check_truefalse,
                         grade_truefalse, lambda q: q.answer, no_layout, empty_layout_fits,
                         parse_truefalse, guess_rate=lambda q: 0.5)
