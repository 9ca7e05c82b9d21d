"""Matching (匹配): pair each left item with a right item; credit per correct pair."""
from __future__ import annotations

import random
from typing import Any, Literal

from pydantic import Field

from tutor.content.model import Strict
from tutor.questions.base import (Body, Grade, GradingSettings, Option, Problems, QuestionBase,
                                  QuestionType, duplicate_problems, is_permutation, normalise_text,
                                  permutation)
from tutor.questions.form import Form, InvalidAnswer, one, shown_index


class Pair(Strict):
    left: Option
    right: Option


class MatchingBody(Body):
    type: Literal["matching"]
    pairs: tuple[Pair, ...] = Field(min_length=2, max_length=10)
    distractors: tuple[Option, ...] = ()   # extra right-hand choices that match nothing


class Matching(QuestionBase, MatchingBody):
    pass


def choices(q: MatchingBody) -> tuple[str, ...]:
    """The right-hand choices: each distinct right item once, then the distractors."""
    seen: dict[str, str] = {}
    for text in [p.right for p in q.pairs] + list(q.distractors):
        seen.setdefault(normalise_text(text), text)
    return tuple(seen.values())


def check_matching(q: MatchingBody) -> Problems:
    yield from duplicate_problems("pairs", tuple(p.left for p in q.pairs), "左侧项")
    rights = {normalise_text(p.right) for p in q.pairs}
    for index, text in enumerate(q.distractors):
        if normalise_text(text) in rights:
            yield ("distractors", index), "干扰项与某个正确的右侧项相同"
    yield from duplicate_problems("distractors", q.distractors, "干扰项")


def grade_matching(q: MatchingBody, response: Any, settings: GradingSettings) -> Grade:
    """`response` gives, per left item as written, the index of the chosen right choice (or None)."""
    n = len(q.pairs)
    options = choices(q)
    if not isinstance(response, (list, tuple)) or len(response) != n:
        return Grade(False, 0.0, 1.0, tuple(False for _ in range(n)))
    parts = tuple(isinstance(chosen, int) and not isinstance(chosen, bool)
                  and 0 <= chosen < len(options)
                  and normalise_text(options[chosen]) == normalise_text(pair.right)
                  for chosen, pair in zip(response, q.pairs))
    return Grade(all(parts), sum(parts) / n, 1.0, parts)


def correct_response(q: MatchingBody) -> list[int]:
    keys = [normalise_text(c) for c in choices(q)]
    return [keys.index(normalise_text(p.right)) for p in q.pairs]


def parse_matching(q: MatchingBody, layout: Any, form: Form, p: str) -> list[int | None]:
    """Per left item as written, the chosen right choice (None where none was picked)."""
    size = len(choices(q))
    response: list[int | None] = []
    for left in range(len(q.pairs)):
        value = one(form, f"{p}match-{left}") or ""
        response.append(layout["right"][shown_index(value, size)] if value else None)
    if all(r is None for r in response):
        raise InvalidAnswer("请至少完成一组匹配")
    return response


def _layout(q: MatchingBody, rng: random.Random | None) -> dict[str, list[int]]:
    return {"left": permutation(len(q.pairs), rng), "right": permutation(len(choices(q)), rng)}


def _layout_fits(q: MatchingBody, layout: Any) -> bool:
    return isinstance(layout, dict) and is_permutation(layout.get("left"), len(q.pairs)) \
        and is_permutation(layout.get("right"), len(choices(q)))


MATCHING = QuestionType("matching", "匹配题", Matching, MatchingBody, check_matching,
                        grade_matching, correct_response, _layout, _layout_fits, parse_matching,
                        template_data=lambda q: {"choices": choices(q)}, part_list="pairs",
                        # each pair scores alone: a blind pick is right one time in len(choices)
                        guess_rate=lambda q: 1 / len(choices(q)))
