"""Short answer (简答): a rubric of key points, each with accepted phrasings and points.

Keyword grading, honest about what it is: a point counts when one of its phrases appears
- not negated (不/没有/并非/无需/不能… within a few characters before it),
- in no sentence holding one of its `unless` phrases,
- and, for a point with `with` labels, in a clause tied to one of those labels: the clause names
  the label, or an earlier clause does (a heading), or its sentence names that category alone.
  A clause naming labels of two categories ties its phrases to neither.
Answers that look like keyword dumps (a bare term list, or far longer than the model answer) are
capped at 40% of the marks. See docs/content-format.md.
"""
from __future__ import annotations

import bisect
import math
from typing import Any, Literal

from pydantic import ConfigDict, Field

from tutor.content.model import Strict, Text
from tutor.questions import shorttext as st
from tutor.questions.base import (Body, Grade, GradingSettings, Option, Problems, QuestionBase,
                                  QuestionType, empty_layout_fits, no_layout, normalise_text)
from tutor.questions.form import Form, InvalidAnswer, one

MAX_ANSWER_CHARS = 5000
CAP_FRACTION = 0.4          # what a capped answer can earn at most
BARE_TERM_CHARS = 5         # an item this short is a bare term
BARE_LIST_SHARE = 0.75      # a list is bare when its (at least 3) terms hold this share of its characters
LENGTH_FACTOR = 2           # default max_chars: this many times the model answer,
MIN_LENGTH_LIMIT = 100      # and never fewer characters than this


class RubricPoint(Strict):
    # `with` is a Python keyword: the field is with_, read and written as `with`
    model_config = ConfigDict(**Strict.model_config, serialize_by_alias=True)

    point: Option                                      # the key point as the model answer says it
    accept: tuple[Option, ...] = Field(min_length=1)   # phrasings that count as making the point
    points: int = Field(default=1, ge=1, le=20)
    # the point counts only in a clause tied to one of these labels (its category)
    with_: tuple[Option, ...] = Field(default=(), alias="with", max_length=10)
    # a sentence holding any of these phrases does not make the point
    unless: tuple[Option, ...] = Field(default=(), max_length=30)


class Calibration(Strict):
    answer: Text
    score: int = Field(ge=0, le=400)                   # in points (whole points), not a fraction


class ShortBody(Body):
    type: Literal["short"]
    rubric: tuple[RubricPoint, ...] = Field(min_length=1, max_length=20)
    model_answer: Text
    # the expected answer is a list of names (e.g. the five kinds of loyalty): a bare list is
    # capped only when it names more items than the rubric has points, plus two
    list_ok: bool = False
    # more categories, each a list of labels, that tie clauses but score no point of their own:
    # a clause under 预备调查 is not under 正式调查
    labels: tuple[tuple[Option, ...], ...] = Field(default=(), max_length=20)
    max_chars: int | None = Field(default=None, ge=20, le=MAX_ANSWER_CHARS)
    # Latin letters in phrases and labels must match in case (FOB is not fob); off by default
    case_sensitive: bool = False
    calibration: tuple[Calibration, ...] = Field(default=(), max_length=30)


class Short(QuestionBase, ShortBody):
    pass


CUT_INSIDE = "不能含有断句的标点（，：；。！？）：答案在这些标点处断开，含有它们的表述永远匹配不到"


def check_short(q: ShortBody) -> Problems:
    for index, item in enumerate(q.rubric):
        for field in ("accept", "with_", "unless"):
            for a_index, phrase in enumerate(getattr(item, field)):
                if not normalise_text(phrase):
                    yield ("rubric", index, field.rstrip("_"), a_index), "可接受的表述不能只有标点或空白"
                elif st.cut_inside(phrase):
                    yield ("rubric", index, field.rstrip("_"), a_index), CUT_INSIDE
    for index, group in enumerate(q.labels):
        for l_index, label in enumerate(group):
            if not normalise_text(label):
                yield ("labels", index, l_index), "标签不能只有标点或空白"
            elif st.cut_inside(label):
                yield ("labels", index, l_index), CUT_INSIDE
    total = sum(item.points for item in q.rubric)
    for index, case in enumerate(q.calibration):
        got = grade_short(q, case.answer, GradingSettings()).score
        if case.score > total:
            yield ("calibration", index, "score"), f"期望 {_n(case.score)} 分，超过满分 {total} 分"
        elif abs(got - case.score) > 1e-9:
            yield ("calibration", index), f"期望 {_n(case.score)} 分，实际 {_n(got)} 分"


def _n(x: float) -> str:
    return f"{x:g}"


def grade_short(q: ShortBody, response: Any, settings: GradingSettings) -> Grade:
    """One bool per rubric point in `parts`; the score is always the sum of the found points."""
    total = float(sum(item.points for item in q.rubric))
    if not isinstance(response, str) or not response.strip():
        return Grade(False, 0.0, total, tuple(False for _ in q.rubric))
    fold = not q.case_sensitive
    answer = st.normalise_answer(response[:MAX_ANSWER_CHARS], fold)
    sentences = st.sentences(answer)
    categories = _categories(q)
    ties = _tie_clauses(sentences, categories) if categories else None
    parts = [_found(item, sentences, ties, fold) for item in q.rubric]
    if _capped(q, answer):
        budget = math.floor(CAP_FRACTION * total + 1e-9)
        for index, item in enumerate(q.rubric):     # keep the first points that fit the cap
            if parts[index]:
                parts[index] = item.points <= budget
                budget -= item.points if parts[index] else 0
    score = float(sum(item.points for item, found in zip(q.rubric, parts) if found))
    return Grade(score == total, score, total, tuple(parts))


def _categories(q: ShortBody) -> dict[str, frozenset[str]]:
    """Each normalised label and its category: the set of labels of the points that name it."""
    found: dict[str, frozenset[str]] = {}
    for group in tuple(item.with_ for item in q.rubric) + q.labels:
        labels = frozenset(st.normalise_phrase(label, not q.case_sensitive) for label in group)
        for label in labels:
            found[label] = found.get(label, frozenset()) | labels
    return found


def _tie_clauses(sentences: list[st.Sentence], categories: dict[str, frozenset[str]]) -> list[list[frozenset[str] | None]]:
    """The category each clause is tied to (None: untied or ambiguous). A clause naming one
    category's labels is tied to it, and so are the clauses after it, across sentences, until
    another label (a heading such as "2.防守策略：" followed by a nested list); a clause before any
    label takes its sentence's category when the sentence names one category only."""
    tied_all, carried = [], None
    for sentence in sentences:
        named = []
        for start, end in sentence.clauses:
            clause = sentence.text[start:end]
            named.append({categories[label] for label in categories if st.occurrences(clause, label)})
        whole = set().union(*named)
        tied = []
        for cats, spaced in zip(named, sentence.spaced):
            if spaced and not cats:
                carried = None      # "进攻 正面竞争 优惠价格": a list of words ties nothing
            if len(cats) > 1:
                carried = None
            elif cats:
                carried = next(iter(cats))
            elif len(whole) == 1:
                carried = next(iter(whole))     # the sentence's one category
            tied.append(carried)                # None after a clause naming two categories
        tied_all.append(tied)
    return tied_all


def _found(item: RubricPoint, sentences: list[st.Sentence], ties: list[list[frozenset[str] | None]] | None,
           fold: bool) -> bool:
    unless = [st.normalise_phrase(p, fold) for p in item.unless]
    want = frozenset(st.normalise_phrase(label, fold) for label in item.with_)
    for index, sentence in enumerate(sentences):
        if any(p in sentence.text for p in unless):
            continue
        starts = [a for a, _ in sentence.clauses]
        for phrase in item.accept:
            phrase = st.normalise_phrase(phrase, fold)
            for start in st.occurrences(sentence.text, phrase):
                clause = bisect.bisect_right(starts, start) - 1
                if st.negated(sentence, start, start + len(phrase), sentence.clauses[clause]):
                    continue
                if want and ties is not None:
                    category = ties[index][clause]
                    if category is None or not (category & want):
                        continue
                return True
    return False


def _capped(q: ShortBody, answer: str) -> bool:
    """A keyword dump: far longer than the model answer, or a bare list of terms (short items
    holding most of the text, and no "heading：" structure)."""
    limit = q.max_chars or max(LENGTH_FACTOR * len(normalise_text(q.model_answer)), MIN_LENGTH_LIMIT)
    if len("".join(answer.split())) > limit:
        return True
    items = st.items(answer)
    in_terms = sum(len(item) for item in items if len(item) <= BARE_TERM_CHARS)
    bare = (len(items) >= 3 and in_terms >= BARE_LIST_SHARE * sum(len(item) for item in items)
            and not st.has_heading(answer))
    return bare and (not q.list_ok or len(items) > len(q.rubric) + 2)


def parse_short(q: ShortBody, layout: Any, form: Form, p: str) -> str:
    text = (one(form, p + "text") or "").strip()
    if not text:
        raise InvalidAnswer("请填写答案")
    return text[:MAX_ANSWER_CHARS]


SHORT = QuestionType("short", "简答题", Short, ShortBody, check_short, grade_short,
                     lambda q: q.model_answer, no_layout, empty_layout_fits, parse_short,
                     part_list="rubric", rubric_scored=lambda q: True)
