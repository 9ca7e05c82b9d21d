"""Turn a posted answer form into a response in the question's own terms.

The form names options by the position they were shown in; the stored layout maps them back.
Anything that does not fit what was shown is refused, not guessed. Input is a plain mapping of
field name to values, so this never touches the request.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

from tutor.questions import Body
from tutor.questions.base import LETTERS
from tutor.questions.case import SUB_TYPES
from tutor.questions.matching import choices
from tutor.questions.short import MAX_ANSWER_CHARS
from tutor.web import strict_int

Form = Mapping[str, Sequence[str]]


class InvalidAnswer(ValueError):
    """The answer is missing or unfinished: the student is asked again."""


class TamperedAnswer(InvalidAnswer):
    """The form names something that was never shown: refused outright."""


def _one(form: Form, name: str) -> str | None:
    values = form.get(name) or []
    return values[0] if len(values) == 1 else None


def _shown_index(value: str, size: int) -> int:
    index = strict_int(value, size - 1)
    if index is None:
        raise TamperedAnswer("选项无效")
    return index


def _single(q: Any, form: Form, layout: Any, p: str) -> str:
    values = list(form.get(p + "choice") or [])
    if len(values) > 1:
        raise TamperedAnswer("单选题只能选一个选项")
    if not values:
        raise InvalidAnswer("请选择一个选项")
    return LETTERS[layout[_shown_index(values[0], len(layout))]]


def _multiple(q: Any, form: Form, layout: Any, p: str) -> list[str]:
    values = list(form.get(p + "choice") or [])
    if not values:
        raise InvalidAnswer("请至少选择一个选项")
    letters = [LETTERS[layout[_shown_index(v, len(layout))]] for v in values]
    if len(set(letters)) != len(letters):
        raise TamperedAnswer("选项重复")
    return sorted(letters)


def _truefalse(q: Any, form: Form, layout: Any, p: str) -> bool:
    values = list(form.get(p + "choice") or [])
    if not values:
        raise InvalidAnswer("请选择“正确”或“错误”")
    if values not in (["true"], ["false"]):
        raise TamperedAnswer("判断题只能选“正确”或“错误”")
    return values == ["true"]


def _fill(q: Any, form: Form, layout: Any, p: str) -> list[str]:
    answers = [(_one(form, f"{p}blank-{i}") or "").strip()[:200] for i in range(len(q.blanks))]
    if not any(answers):
        raise InvalidAnswer("请填写答案")
    return answers


def _ordering(q: Any, form: Form, layout: Any, p: str) -> list[int]:
    n = len(q.items)
    placed: dict[int, int] = {}
    for shown in range(n):
        value = _one(form, f"{p}rank-{shown}") or ""
        if not value:
            raise InvalidAnswer("请为每一项选择位置")
        position = strict_int(value, n)
        if not position:
            raise TamperedAnswer("位置无效")
        if position in placed:
            raise InvalidAnswer("每个位置只能用一次")
        placed[position] = layout[shown]
    return [placed[position] for position in range(1, n + 1)]


def _matching(q: Any, form: Form, layout: Any, p: str) -> list[int | None]:
    size = len(choices(q))
    response: list[int | None] = []
    for left in range(len(q.pairs)):
        value = _one(form, f"{p}match-{left}") or ""
        response.append(layout["right"][_shown_index(value, size)] if value else None)
    if all(r is None for r in response):
        raise InvalidAnswer("请至少完成一组匹配")
    return response


def _short(q: Any, form: Form, layout: Any, p: str) -> str:
    text = (_one(form, p + "text") or "").strip()
    if not text:
        raise InvalidAnswer("请填写答案")
    return text[:MAX_ANSWER_CHARS]


def _case(q: Any, form: Form, layout: Any, p: str) -> list[Any]:
    answers = []
    for index, (sub, sub_layout) in enumerate(zip(q.questions, layout)):
        try:
            answers.append(PARSERS[sub.type](sub, form, sub_layout, f"{p}s{index}-"))
        except InvalidAnswer as exc:
            raise type(exc)(f"第 {index + 1} 小题：{exc}") from None
    return answers


PARSERS: dict[str, Callable[[Any, Form, Any, str], Any]] = {
    "single": _single, "multiple": _multiple, "truefalse": _truefalse, "fill": _fill,
    "ordering": _ordering, "matching": _matching, "short": _short, "case": _case,
}
assert set(PARSERS) >= set(SUB_TYPES)


def parse_answer(question: Body, form: Form, layout: Any) -> Any:
    """The response for `question` from `form`, or InvalidAnswer saying what is missing."""
    return PARSERS[question.type](question, form, layout, "")
