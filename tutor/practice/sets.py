"""Choosing the questions of a practice set, for each practice mode."""
from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import NamedTuple

from tutor.content.course import Course
from tutor.questions import REGISTRY, QuestionBase

MODES = {
    "random": "随机练习",
    "sequential": "顺序练习",
    "study": "背题模式",
    "notebook": "错题本",
    "favourites": "收藏",
    "review": "智能复习",
    "adaptive": "智能练习",     # tutor/adaptive: the questions that raise the predicted exam score most
    "retry": "本组错题重练",
}
SCOPED_MODES = ("random", "sequential", "study")
# 本组错题重练: a set of the questions answered wrong (or partly) in one finished set, whose id is
# the set's scope_id under this scope_kind.
RETRY_MODE, RETRY_SCOPE = "retry", "set"
ADAPTIVE_MODE = "adaptive"

DIFFICULTIES = (1, 2, 3)
SCOPE_ID_LENGTH = 100      # PracticeSet.scope_id and SequenceCursor.scope_id are String(100)
_SEPARATOR = "|"           # never in a content id ([a-z0-9._-], tutor/content/model.py)


@dataclass(frozen=True)
class Scope:
    """Where a scoped practice set draws its questions from: the whole course ("all"), a topic
    or a knowledge point, optionally only one 题型 and one difficulty (专项练习).

    It is stored in the two scope columns of PracticeSet and SequenceCursor without a schema
    change: `kind` as it is and the filter after the id, as 'survey.methods|t=short|d=2'. An
    unfiltered scope stores exactly what it always did (old sets and cursors read the same),
    and each filter has its own sequential cursor, so 专项 顺序练习 resumes where it left off."""

    kind: str
    id: str
    qtype: str | None = None
    difficulty: int | None = None

    @property
    def filtered(self) -> bool:
        return self.qtype is not None or self.difficulty is not None

    def stored_id(self) -> str:
        parts = [self.id]
        if self.qtype is not None:
            parts.append(f"t={self.qtype}")
        if self.difficulty is not None:
            parts.append(f"d={self.difficulty}")
        return _SEPARATOR.join(parts)

    def fits(self) -> bool:
        """Whether the stored id fits its column (a content id of 90 and more characters leaves
        no room for a filter; the real ids are far shorter)."""
        return len(self.stored_id()) <= SCOPE_ID_LENGTH

    def with_filter(self, qtype: str | None, difficulty: int | None) -> Scope:
        return replace(self, qtype=qtype, difficulty=difficulty)

    @classmethod
    def parse(cls, kind: str, stored_id: str) -> Scope | None:
        """The scope a stored (or posted) pair names; None when the filter part is malformed."""
        base, *rest = stored_id.split(_SEPARATOR)
        qtype: str | None = None
        difficulty: int | None = None
        for part in rest:
            key, _, value = part.partition("=")
            if key == "t" and qtype is None and value in REGISTRY:
                qtype = value
            elif key == "d" and difficulty is None and value in {str(d) for d in DIFFICULTIES}:
                difficulty = int(value)
            else:
                return None
        return cls(kind, base, qtype, difficulty)


def parse_filter(qtype: str | None, difficulty: str | None) -> tuple[str | None, int | None] | None:
    """A 题型 and a difficulty from a query string or form ('' or 'all' for any); None if invalid."""
    qtype = None if qtype in (None, "", "all") else qtype
    level = None if difficulty in (None, "", "all") else difficulty
    if qtype is not None and qtype not in REGISTRY:
        return None
    if level is not None and level not in {str(d) for d in DIFFICULTIES}:
        return None
    return qtype, None if level is None else int(level)


def _base_questions(course: Course, kind: str, scope_id: str) -> tuple[QuestionBase, ...] | None:
    if kind == "all":
        return tuple(q for t in course.topics for q in course.questions_in_topic(t.id))
    if kind == "topic":
        return course.questions_in_topic(scope_id) if course.topic(scope_id) else None
    if kind == "kp":
        return course.by_knowledge_point.get(scope_id)
    return None


def matches(q: QuestionBase, qtype: str | None, difficulty: int | None) -> bool:
    return (qtype is None or q.type == qtype) and (difficulty is None or q.difficulty == difficulty)


def scope_questions(course: Course, scope_kind: str, scope_id: str) -> tuple[QuestionBase, ...] | None:
    """The questions of a topic, a knowledge point or the whole course, in bank order, only
    those of the scope's 题型 and difficulty when it has a filter; None for no such scope."""
    scope = Scope.parse(scope_kind, scope_id)
    if scope is None:
        return None
    questions = _base_questions(course, scope.kind, scope.id)
    if questions is None or not scope.filtered:
        return questions
    return tuple(q for q in questions if matches(q, scope.qtype, scope.difficulty))


class Facet(NamedTuple):
    """One choice of a filter on the choose page: its value (None: any), label and count."""

    value: str | int | None
    label: str
    questions: int


def facets(course: Course, scope: Scope) -> tuple[list[Facet], list[Facet]] | None:
    """Counts per 题型 (within the chosen difficulty) and per difficulty (within the chosen 题型)
    in the scope, each led by 'any'; types and levels without questions are left out (unless
    chosen)."""
    questions = _base_questions(course, scope.kind, scope.id)
    if questions is None:
        return None
    of_level = [q for q in questions if matches(q, None, scope.difficulty)]
    of_type = [q for q in questions if matches(q, scope.qtype, None)]
    types = [Facet(None, "全部题型", len(of_level))] + [
        Facet(name, kind.label, n) for name, kind in REGISTRY.items()
        if (n := sum(q.type == name for q in of_level)) or name == scope.qtype]
    levels = [Facet(None, "全部难度", len(of_type))] + [
        Facet(d, difficulty_label(d), n) for d in DIFFICULTIES
        if (n := sum(q.difficulty == d for q in of_type)) or d == scope.difficulty]
    return types, levels


def difficulty_label(level: int) -> str:
    return "难度" + "★" * level


def filter_labels(scope: Scope) -> list[str]:
    """['简答题', '难度★★'] for a filtered scope, [] for a plain one."""
    return ([REGISTRY[scope.qtype].label] if scope.qtype else []) + (
        [difficulty_label(scope.difficulty)] if scope.difficulty else [])


def filter_name(scope: Scope) -> str:
    """' · 简答题 · 难度★★' for a filtered scope, '' for a plain one."""
    return "".join(f" · {p}" for p in filter_labels(scope))


def scope_name(course: Course, scope_kind: str, scope_id: str) -> str:
    """The scope's name, and its 题型 and difficulty when it has a filter."""
    scope = Scope.parse(scope_kind, scope_id) or Scope(scope_kind, scope_id)
    return _place_name(course, scope.kind, scope.id) + filter_name(scope)


def _place_name(course: Course, scope_kind: str, scope_id: str) -> str:
    if scope_kind == "topic":
        topic = course.topic(scope_id)
        return topic.name if topic else scope_id
    if scope_kind == "kp":
        kp = course.knowledge_points.get(scope_id)
        return kp.name if kp else scope_id
    return course.manifest.title


def place_name(course: Course, scope: Scope) -> str:
    """The course's, topic's or knowledge point's name alone (the choose page's heading)."""
    return _place_name(course, scope.kind, scope.id)


def pick_random(questions: tuple[QuestionBase, ...], last_results: dict[str, bool], size: int,
                rng: random.Random) -> list[str]:
    """New questions first, then ones last answered wrong, then the rest; shuffled within each."""
    new = [q.id for q in questions if q.id not in last_results]
    wrong = [q.id for q in questions if last_results.get(q.id) is False]
    right = [q.id for q in questions if last_results.get(q.id) is True]
    for group in (new, wrong, right):
        rng.shuffle(group)
    return (new + wrong + right)[:size]


def pick_sequential(questions: tuple[QuestionBase, ...], start: int, size: int) -> tuple[list[str], int]:
    """The next `size` questions in bank order from `start`, starting over after the last."""
    if start >= len(questions):
        start = 0
    return [q.id for q in questions[start:start + size]], start
