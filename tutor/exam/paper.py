"""Drawing a mock exam paper from a blueprint, and scoring a finished one. No Flask here."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from tutor.content.course import Course
from tutor.content.model import ExamBlueprint
from tutor.questions import Grade, GradingSettings, grade, question_type
from tutor.stored_grade import has_breakdown, stored_grade


def draw(course: Course, blueprint: ExamBlueprint, rng: random.Random) -> list[dict[str, Any]]:
    """Per part, questions of its type taken in turn from each knowledge point, so that the
    paper spreads across the chapter instead of clustering where the bank is largest."""
    items: list[dict[str, Any]] = []
    for part in blueprint.parts:
        pools = [[q for q in course.by_knowledge_point[kp] if q.type == part.type and not q.beyond_source]
                 for kp in course.knowledge_points]
        for pool in pools:
            rng.shuffle(pool)
        rng.shuffle(pools)
        picked: list[Any] = []
        while len(picked) < part.count and any(pools):
            for pool in pools:
                if pool and len(picked) < part.count:
                    picked.append(pool.pop())
        rng.shuffle(picked)
        items += [{"question_id": q.id, "type": q.type, "points": part.points,
                   "layout": question_type(q).layout(q, rng)} for q in picked]
    return items


@dataclass
class Tally:
    score: float = 0.0
    max_score: float = 0.0
    correct: int = 0
    count: int = 0


@dataclass
class ItemResult:
    index: int
    question: Any | None        # None when the question has left the bank since
    item: dict[str, Any]
    response: Any
    grade: Grade
    points: float
    breakdown: bool = True      # the stored answer has its per-part grade (stored since 0007)
    changed: bool = False       # the question has been edited since the answer was graded


@dataclass
class PaperResult:
    items: list[ItemResult]
    score: float
    max_score: float
    by_type: dict[str, Tally] = field(default_factory=dict)
    by_knowledge_point: dict[str, Tally] = field(default_factory=dict)


def score_paper(course: Course, items: list[dict[str, Any]], responses: dict[int, Any],
                settings: GradingSettings) -> PaperResult:
    """Grade a paper at its hand-in: each item earns its points times the fraction its grader
    gives; unanswered earns nothing."""
    graded = []
    for index, item in enumerate(items):
        q = course.by_id.get(item["question_id"])
        response = responses.get(index)
        if q is None:
            result = Grade(False, 0.0, 1.0)
        elif response is None:
            result = Grade(False, 0.0, grade(q, None, settings).max_score)
        else:
            result = grade(q, response, settings)
        graded.append((q, response, result))
    return _tally(items, graded)


@dataclass(frozen=True)
class StoredItem:
    """An item's answer and score as stored when its paper was graded."""

    response: Any
    correct: bool
    score: float
    max_score: float
    parts: Any = None           # Grade.parts as stored (None: graded before they were stored)
    question_version: str | None = None


def stored_result(course: Course, items: list[dict[str, Any]], stored: dict[int, StoredItem],
                  settings: GradingSettings) -> PaperResult:
    """A graded paper's result from the grades stored at its hand-in, per-part marks included,
    so that the total, every table and the review show what was scored, whatever has been saved
    or edited since. Nothing is graded again."""
    graded = []
    for index, item in enumerate(items):
        q = course.by_id.get(item["question_id"])
        kept = stored.get(index)
        if kept is None:    # the question had left the bank when the paper was graded
            graded.append((q, None, Grade(False, 0.0, 1.0)))
            continue
        graded.append((q, kept.response, stored_grade(q, kept.correct, kept.score, kept.max_score, kept.parts)))
    result = _tally(items, graded)
    for r in result.items:
        kept = stored.get(r.index)
        if kept is not None and r.question is not None:
            r.breakdown = kept.response is None or has_breakdown(r.question, kept.parts)
            r.changed = kept.question_version != course.versions.get(r.question.id)
    return result


def _tally(items: list[dict[str, Any]], graded: list[tuple[Any, Any, Grade]]) -> PaperResult:
    results: list[ItemResult] = []
    by_type: dict[str, Tally] = {}
    by_kp: dict[str, Tally] = {}
    for index, (item, (q, response, result)) in enumerate(zip(items, graded)):
        points = item["points"] * result.fraction
        results.append(ItemResult(index, q, item, response, result, points))
        for key, table in ((item["type"], by_type), (q.knowledge_point if q else None, by_kp)):
            if key is None:
                continue
            tally = table.setdefault(key, Tally())
            tally.score += points
            tally.max_score += item["points"]
            tally.correct += result.correct
            tally.count += 1
    return PaperResult(results, sum(r.points for r in results), sum(i["points"] for i in items),
                       by_type, by_kp)


# --- How a paper is shown: pure helpers the exam pages use. ---------------------------------

RIGHT, PARTIAL, WRONG, UNANSWERED = "right", "partial", "wrong", "unanswered"


def status(result: ItemResult) -> str:
    """An item's outcome as the result page's 答题卡 shows it."""
    if result.grade.correct:
        return RIGHT
    if result.response is None:
        return UNANSWERED
    return PARTIAL if result.grade.score > 0 else WRONG


def sections(items: list[dict[str, Any]]) -> list[tuple[str, list[int]]]:
    """The paper's items grouped by type in paper order: one run per part, as (type, indices)."""
    runs: list[tuple[str, list[int]]] = []
    for index, item in enumerate(items):
        if runs and runs[-1][0] == item["type"]:
            runs[-1][1].append(index)
        else:
            runs.append((item["type"], [index]))
    return runs


def duration_text(seconds: float) -> str:
    """Time used on a paper: '不到 1 分钟', '12 分钟', '12 分 30 秒', '1 小时 5 分'."""
    whole = int(max(seconds, 0))
    if whole < 60:
        return "不到 1 分钟"
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} 小时 {minutes} 分" if minutes else f"{hours} 小时"
    return f"{minutes} 分 {secs} 秒" if secs else f"{minutes} 分钟"
