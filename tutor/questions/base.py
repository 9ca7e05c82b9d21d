"""What every question type shares: common fields, grading settings, the result of grading."""
from __future__ import annotations

import random
import string
import unicodedata
from dataclasses import dataclass
from typing import Annotated, Any, Callable, Iterator

from pydantic import Field, StringConstraints

from tutor.content.model import Id, Name, Strict, Text
from tutor.questions.form import Form

Letter = Annotated[str, StringConstraints(pattern=r"^[A-H]$")]
LETTERS = string.ascii_uppercase[:8]
Option = Annotated[str, StringConstraints(pattern=r"\S", max_length=1000)]
Problems = Iterator[tuple[tuple[str | int, ...], str]]


class Body(Strict):
    """What a question asks and explains. A case's sub-questions are bodies alone."""

    type: str
    stem: Text
    explanation: Text


class QuestionBase(Body):
    """A question in the bank: a body plus where it belongs."""

    id: Id
    knowledge_point: Id
    section: Name | None = None
    difficulty: int | None = Field(default=None, ge=1, le=3)
    tags: tuple[Name, ...] = ()
    # Tests general knowledge the textbook does not state: practised as 教材外拓展, never on a
    # mock exam, whose paper holds only what the exam's textbook supports.
    beyond_source: bool = False


@dataclass(frozen=True)
class GradingSettings:
    """Course-wide grading choices, from course.yaml `settings`."""

    multiple_choice_scoring: str = "all_or_nothing"   # or "partial"


@dataclass(frozen=True)
class Grade:
    correct: bool
    score: float
    max_score: float
    # Per-part results where a type has parts: blanks, items, pairs, rubric points, sub-questions.
    parts: tuple[Any, ...] = ()

    @property
    def fraction(self) -> float:
        return self.score / self.max_score if self.max_score else 0.0


def plain_stem(body: Any) -> str:
    return body.stem


def never(body: Any) -> bool:
    return False


def no_options(body: Any) -> tuple[str, ...]:
    return ()


def no_choices(body: Any, response: Any) -> list[int]:
    return []


def no_template_data(body: Any) -> dict[str, Any]:
    return {}


def no_guessing(body: Any) -> float:
    return 0.0


@dataclass(frozen=True)
class QuestionType:
    """One entry of the registry: everything about a type, from how it is written and checked to
    how a form becomes its response, how its stem reads and which partials show it. The pages
    ask it; none of them names a type."""

    name: str
    label: str
    model: type[QuestionBase]
    body: type[Body]
    check: Callable[[Any], Problems]
    grade: Callable[[Any, Any, GradingSettings], Grade]
    # The stored form of the correct answer, for feedback, reviews and previews.
    correct_response: Callable[[Any], Any]
    # How a presentation is laid out (option shuffles; written order when rng is None),
    # and whether a stored layout still fits the question as it is now.
    layout: Callable[[Any, random.Random | None], Any]
    layout_fits: Callable[[Any, Any], bool]
    # A posted form as a response: (question, layout, form, field-name prefix) -> response, or
    # InvalidAnswer (the student is asked again) / TamperedAnswer (refused). The prefix names a
    # case's sub-questions apart.
    parse: Callable[[Any, Any, Form, str], Any]
    # The stem as every page shows it: plain text, escaped by the page (a fill's blanks as （1）＿＿＿).
    render_stem: Callable[[Any], str] = plain_stem
    # Its Jinja partials live in this folder under templates/ (default questions/<name>): input.html
    # (answer inputs), review.html (after answering), answer.html (the key in words) and, if its
    # inputs take keys, keyhint.html. `template_data` is what they need beyond the question.
    template_dir: str = ""
    template_data: Callable[[Any], dict[str, Any]] = no_template_data
    # For item analysis: the options whose first choices are counted (none: no counts), and
    # which of them (written positions) a stored response chose.
    tallied_options: Callable[[Any], tuple[str, ...]] = no_options
    chosen_options: Callable[[Any, Any], list[int]] = no_choices
    # The question's field whose entries its grade's parts follow, one part each (a fill's
    # blanks, a case's sub-questions); empty when its grade has no parts. A stored grade is
    # fitted to the question as it is now through it.
    part_list: str = ""
    # Whether a question's score comes, at least in part, from a keyword rubric (a short answer,
    # a case with a short sub-question): its feedback offers 自评 and answers the rubric is
    # unsure of wait on the instructor's 人工复核 queue.
    rubric_scored: Callable[[Any], bool] = never
    # The share of the score a blind guess earns on average (a single of 4 options: 0.25), so
    # that difficulty is calibrated on what students knew, not on what they guessed.
    guess_rate: Callable[[Any], float] = no_guessing

    def template(self, part: str) -> str:
        """The path of one of its partials, for the web layer to render."""
        return f"{self.template_dir or 'questions/' + self.name}/{part}.html"


def no_layout(body: Any, rng: random.Random | None) -> list[int]:
    return []


def empty_layout_fits(body: Any, layout: Any) -> bool:
    return layout == []


def permutation(n: int, rng: random.Random | None) -> list[int]:
    """A shuffled order of n things, or the written order when there is no rng."""
    order = list(range(n))
    if rng is not None:
        rng.shuffle(order)
    return order


def is_permutation(layout: Any, n: int) -> bool:
    """A list of the ints 0..n-1, each once: bools, floats and other junk are not (and do not raise)."""
    return isinstance(layout, list) and all(type(i) is int for i in layout) and sorted(layout) == list(range(n))


_TRAILING = ".,;:!?、。；：！？…·~～"


def normalise_text(text: str) -> str:
    """Forgive full-width forms, spaces and trailing punctuation; nothing else."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(text.split())
    return text.rstrip(_TRAILING)


def duplicate_problems(field: str, texts: tuple[str, ...], label: str) -> Problems:
    seen: dict[str, int] = {}
    for index, text in enumerate(texts):
        key = normalise_text(text)
        if key in seen:
            yield (field, index), f"{label}重复：与第 {seen[key] + 1} 项相同"
        seen.setdefault(key, index)
