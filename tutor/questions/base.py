"""What every question type shares: the common fields and the result of grading."""
from __future__ import annotations

import string
from dataclasses import dataclass
from typing import Annotated, Any, Callable, Iterator

from pydantic import Field, StringConstraints

from tutor.content.model import Id, Name, Strict, Text

Letter = Annotated[str, StringConstraints(pattern=r"^[A-H]$")]
LETTERS = string.ascii_uppercase[:8]
Option = Annotated[str, StringConstraints(pattern=r"\S", max_length=1000)]


class QuestionBase(Strict):
    id: Id
    type: str
    knowledge_point: Id
    section: Name | None = None
    difficulty: int | None = Field(default=None, ge=1, le=3)
    stem: Text
    explanation: Text
    tags: tuple[Name, ...] = ()


@dataclass(frozen=True)
class Grade:
    correct: bool
    score: float
    max_score: float


# A semantic check yields (field path inside the question, message) pairs.
Check = Callable[[Any], Iterator[tuple[tuple[str | int, ...], str]]]


@dataclass(frozen=True)
class QuestionType:
    """One entry of the registry: how a type is written, checked and graded."""

    name: str
    label: str
    model: type[QuestionBase]
    check: Check
    grade: Callable[[Any, Any], Grade]
    # The stored form of the correct answer, shown after answering and in previews.
    correct_response: Callable[[Any], Any]


def letter_index(letter: str) -> int:
    return LETTERS.index(letter)
