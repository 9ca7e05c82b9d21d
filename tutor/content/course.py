"""The loaded course as immutable runtime objects, indexed for the pages that use them."""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

from tutor.content.media import Pictures
from tutor.content.model import KnowledgePoint, Lesson, LessonSection, Manifest, Topic
from tutor.questions import GradingSettings, QuestionBase


@dataclass(frozen=True)
class QuestionSource:
    """Where a question is written: for error messages and the instructor's links."""

    file: str
    line: int


@dataclass(frozen=True)
class Course:
    manifest: Manifest
    lessons: tuple[Lesson, ...]
    questions: tuple[QuestionBase, ...]
    versions: Mapping[str, str]          # question id -> hash of the question as written
    sources: Mapping[str, QuestionSource]
    pictures: Pictures = field(default_factory=Pictures)   # the valid pictures its texts name
    by_id: Mapping[str, QuestionBase] = field(init=False)
    by_knowledge_point: Mapping[str, tuple[QuestionBase, ...]] = field(init=False)
    knowledge_points: Mapping[str, KnowledgePoint] = field(init=False)
    topic_of: Mapping[str, Topic] = field(init=False)       # knowledge point id -> topic
    section_of: Mapping[str, tuple[Lesson, LessonSection]] = field(init=False)

    def __post_init__(self) -> None:
        def freeze(name: str, value: dict) -> None:
            object.__setattr__(self, name, MappingProxyType(value))

        freeze("by_id", {q.id: q for q in self.questions})
        kps = {kp.id: kp for t in self.manifest.topics for kp in t.knowledge_points}
        freeze("knowledge_points", kps)
        freeze("topic_of", {kp.id: t for t in self.manifest.topics for kp in t.knowledge_points})
        grouped: dict[str, list[QuestionBase]] = {kp: [] for kp in kps}
        for q in self.questions:
            grouped[q.knowledge_point].append(q)
        freeze("by_knowledge_point", {kp: tuple(qs) for kp, qs in grouped.items()})
        freeze("section_of", {s.knowledge_point: (lesson, s)
                              for lesson in self.lessons for s in lesson.sections})

    @property
    def grading(self) -> GradingSettings:
        return GradingSettings(self.manifest.settings.multiple_choice_scoring)

    @property
    def id(self) -> str:
        return self.manifest.id

    @property
    def topics(self) -> tuple[Topic, ...]:
        return self.manifest.topics

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    def questions_in_topic(self, topic_id: str) -> tuple[QuestionBase, ...]:
        topic = self.topic(topic_id)
        if topic is None:
            return ()
        return tuple(q for kp in topic.knowledge_points for q in self.by_knowledge_point[kp.id])
