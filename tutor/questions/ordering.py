"""Ordering (排序): items written in their correct order, shown shuffled."""
from __future__ import annotations

import math
import random
from typing import Any, Literal

from pydantic import Field

from tutor.questions.base import (Body, Grade, GradingSettings, Option, Problems, QuestionBase,
                                  QuestionType, duplicate_problems, is_permutation, permutation)
from tutor.questions.form import Form, InvalidAnswer, TamperedAnswer, one, small_int


class OrderingBody(Body):
    type: Literal["ordering"]
    items: tuple[Option, ...] = Field(min_length=2, max_length=10)
    partial_credit: bool = False


class Ordering(QuestionBase, OrderingBody):
    pass


def check_ordering(q: OrderingBody) -> Problems:
    yield from duplicate_problems("items", q.items, "排序项")


def grade_ordering(q: OrderingBody, response: Any, settings: GradingSettings) -> Grade:
    """`response` lists item indices (as written) in the student's order."""
    n = len(q.items)
    if not is_permutation(list(response) if isinstance(response, (list, tuple)) else None, n):
        return Grade(False, 0.0, 1.0, tuple(False for _ in range(n)))
    parts = tuple(item == position for position, item in enumerate(response))
    correct = all(parts)
    score = 1.0 if correct else (sum(parts) / n if q.partial_credit else 0.0)
    return Grade(correct, score, 1.0, parts)


def parse_ordering(q: OrderingBody, layout: Any, form: Form, p: str) -> list[int]:
    """Each shown item gets a position 1..n; the response lists items (as written) by position."""
    n = len(q.items)
    placed: dict[int, int] = {}
    for shown in range(n):
        value = one(form, f"{p}rank-{shown}") or ""
        if not value:
            raise InvalidAnswer("请为每一项选择位置")
        position = small_int(value, n)
        if not position:
            raise TamperedAnswer("位置无效")
        if position in placed:
            raise InvalidAnswer("每个位置只能用一次")
        placed[position] = layout[shown]
    return [placed[position] for position in range(1, n + 1)]


def _layout(q: OrderingBody, rng: random.Random | None) -> list[int]:
    order = permutation(len(q.items), rng)
    while rng is not None and len(order) > 1 and order == sorted(order):   # never show it solved
        rng.shuffle(order)
    return order


def _guess_rate(q: OrderingBody) -> float:
    """A random order puts one item in place on average (1/n of the positions); all or nothing,
    it is right one time in n!."""
    n = len(q.items)
    return 1 / n if q.partial_credit else 1 / math.factorial(n)


ORDERING = QuestionType("ordering", "排序题", Ordering, OrderingBody, check_ordering,
                        grade_ordering, lambda q: list(range(len(q.items))), _layout,
                        lambda q, layout: is_permutation(layout, len(q.items)), parse_ordering,
                        part_list="items", guess_rate=lambda q: _guess_rate(q))
