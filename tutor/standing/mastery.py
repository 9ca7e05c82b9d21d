"""Mastery of a knowledge point, and exam readiness, from a student's per-question standing.

Pure functions, no database: the rules below are the documented ones (docs/progress.md).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from tutor.content.model import ExamBlueprint

LEVELS = ("未练习", "入门", "熟练", "掌握")


@dataclass(frozen=True)
class QuestionState:
    attempts: int
    correct: int
    last_correct: bool
    retained: bool        # its review card has graduated to FSRS's review state and is not due


@dataclass(frozen=True)
class Mastery:
    level: int            # index into LEVELS
    total: int            # questions in the knowledge point
    answered: int         # distinct questions answered
    latest_right: int     # questions whose latest answer was right
    retained: int

    @property
    def name(self) -> str:
        return LEVELS[self.level]

    @property
    def score(self) -> int:
        """0-100: the share of the point's questions the student now answers right."""
        return round(100 * self.latest_right / self.total) if self.total else 0

    @property
    def latest_accuracy(self) -> float | None:
        return self.latest_right / self.answered if self.answered else None

    @property
    def p_correct(self) -> float:
        """Expected chance of answering one of its questions right: Beta(1, 1) prior, so 0.5 unseen."""
        return (self.latest_right + 1) / (self.answered + 2)


def mastery(states: Iterable[QuestionState], total: int) -> Mastery:
    states = list(states)
    return from_counts(total, len(states), sum(1 for s in states if s.last_correct),
                       sum(1 for s in states if s.retained))


def from_counts(total: int, answered: int, right: int, retained: int) -> Mastery:
    """The level from counts (as the class report gets them, already summed in SQL)."""
    if answered == 0:
        level = 0
    elif answered >= 0.7 * total and right >= 0.85 * answered and retained >= 0.5 * answered:
        level = 3
    elif answered >= 0.4 * total and right >= 0.7 * answered:
        level = 2
    else:
        level = 1
    return Mastery(level, total, answered, right, retained)


@dataclass(frozen=True)
class Readiness:
    expected: float
    low: float
    high: float
    max_score: float
    pass_score: float


def readiness(by_kp: dict[str, Mastery], blueprint: ExamBlueprint) -> Readiness:
    """Expected mock exam score: each question's points times the chance of getting it right,
    with the paper spread evenly over the knowledge points that have questions (as drawn).
    The range is an 80% interval (±1.28 standard deviations of that sum), clipped to the paper."""
    points = [m for m in by_kp.values() if m.total]
    mean_p = sum(m.p_correct for m in points) / len(points) if points else 0.5
    mean_var = sum(m.p_correct * (1 - m.p_correct) for m in points) / len(points) if points else 0.25
    expected = sum(part.count * part.points * mean_p for part in blueprint.parts)
    spread = 1.28 * math.sqrt(sum(part.count * part.points ** 2 * mean_var for part in blueprint.parts))
    total = float(blueprint.total_points)
    return Readiness(expected, max(0.0, expected - spread), min(total, expected + spread), total,
                     total * blueprint.pass_percent / 100)


def weakest(by_kp: dict[str, Mastery], count: int = 3) -> list[str]:
    """The knowledge points to study next: the lowest expected chance of a right answer (an
    unpractised point counts as 0.5, so a point mostly answered wrong comes before it)."""
    order = list(by_kp)
    ranked = sorted((kp for kp, m in by_kp.items() if m.total and m.level < 3),
                    key=lambda kp: (by_kp[kp].p_correct, by_kp[kp].level, order.index(kp)))
    return ranked[:count]


def level_counts(by_kp: dict[str, Mastery]) -> tuple[int, ...]:
    """How many of the knowledge points that have questions stand at each level, in LEVELS order:
    what the mastery summary shows on the home page and on 我的进度 alike."""
    counts = [0] * len(LEVELS)
    for m in by_kp.values():
        if m.total:
            counts[m.level] += 1
    return tuple(counts)
