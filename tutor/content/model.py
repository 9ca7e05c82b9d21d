"""The content model: what a manifest, a lesson file and a question file may contain.

Every model is frozen, strict (no silent type coercion) and forbids unknown keys, so an
author's typo is an error with a location, never a field quietly ignored.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=100)]
Text = Annotated[str, StringConstraints(pattern=r"\S", max_length=20_000)]
Name = Annotated[str, StringConstraints(pattern=r"\S", max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(frozen=True, strict=True, extra="forbid")


class KnowledgePoint(Strict):
    id: Id
    name: Name
    # The chapter section it covers (二(三)); a question of it that gives no `section` has this one.
    section: Name | None = None


class Topic(Strict):
    id: Id
    name: Name
    knowledge_points: tuple[KnowledgePoint, ...] = Field(min_length=1)


class Settings(Strict):
    # "all_or_nothing" as in the exam, or "partial": a share per correct option, none if any is wrong
    multiple_choice_scoring: Literal["all_or_nothing", "partial"] = "all_or_nothing"
    # a question leaves the mistake notebook after this many correct answers in a row
    notebook_clear_after: int = Field(default=2, ge=1, le=10)
    # short answers wait for an instructor's review (人工复核) before their score counts as final
    short_review_required: bool = False


class ExamPart(Strict):
    type: Id
    count: int = Field(ge=1, le=200)
    points: int = Field(ge=1, le=100)     # per question


class ExamBlueprint(Strict):
    id: Id
    title: Name
    duration_minutes: int = Field(ge=1, le=600)
    pass_percent: int = Field(default=60, ge=1, le=100)
    parts: tuple[ExamPart, ...] = Field(min_length=1)

    @property
    def total_points(self) -> int:
        return sum(p.count * p.points for p in self.parts)

    @property
    def question_count(self) -> int:
        return sum(p.count for p in self.parts)


class Manifest(Strict):
    id: Id
    title: Name
    exam: Name
    chapter: Name | None = None
    description: Text | None = None
    topics: tuple[Topic, ...] = Field(min_length=1)
    settings: Settings = Settings()
    exams: tuple[ExamBlueprint, ...] = ()


class LessonExample(Strict):
    title: Name
    body: Text


class LessonSection(Strict):
    knowledge_point: Id
    title: Name
    key_points: tuple[Text, ...] = Field(min_length=1)
    explanation: Text
    examples: tuple[LessonExample, ...] = Field(min_length=1)
    pitfalls: tuple[Text, ...] = ()
    supplement: Text | None = None


class Lesson(Strict):
    id: Id
    topic: Id
    title: Name
    order: int = 0
    sections: tuple[LessonSection, ...] = Field(min_length=1)


class QuestionFileHeader(Strict):
    """A question file: a topic and a list of questions, each validated by its own type."""

    topic: Id
    questions: tuple[dict, ...] = Field(min_length=1)
