"""A grade as stored with its answer, and back: pages show the stored grade and never grade a
stored answer again, so what a student saw stays what was scored, whatever the YAML says now.
No Flask or database here."""
from __future__ import annotations

from typing import Any

from tutor.questions import REGISTRY, Body, Grade


def parts_to_json(parts: tuple[Any, ...]) -> list[Any]:
    """`Grade.parts` as JSON: plain values stay, a sub-question's Grade becomes a dict."""
    return [{"correct": p.correct, "score": p.score, "max_score": p.max_score, "parts": parts_to_json(p.parts)}
            if isinstance(p, Grade) else p for p in parts]


def parts_from_json(parts: list[Any]) -> tuple[Any, ...]:
    return tuple(Grade(bool(p["correct"]), float(p["score"]), float(p["max_score"]),
                       parts_from_json(p.get("parts") or []))
                 if isinstance(p, dict) else p for p in parts)


def has_breakdown(question: Any, parts: Any) -> bool:
    """Whether the per-part review can be shown: a type without parts needs none; otherwise the
    answer must have been stored with its parts (answers from before 0007 were not)."""
    return parts is not None or not _part_list(question)


def stored_grade(question: Any, correct: bool, score: float, max_score: float, parts: Any) -> Grade:
    """The stored result as a Grade for the review partials, its parts fitted to the question as
    it is now (edited since: parts it no longer has are dropped, new ones show as not made)."""
    return Grade(correct, score, max_score, _fit(question, parts_from_json(parts or [])))


def _part_list(question: Any) -> str:
    kind = REGISTRY.get(question.type) if question is not None else None
    return kind.part_list if kind is not None else ""


def _fit(question: Any, parts: tuple[Any, ...]) -> tuple[Any, ...]:
    name = _part_list(question)
    if not name:
        return parts
    wanted = getattr(question, name, ())
    if wanted and isinstance(wanted[0], Body):     # sub-questions: a Grade each
        subs = [p if isinstance(p, Grade) else Grade(False, 0.0, 0.0) for p in parts[:len(wanted)]]
        subs += [Grade(False, 0.0, 0.0)] * (len(wanted) - len(subs))
        return tuple(Grade(p.correct, p.score, p.max_score, _fit(sub, p.parts)) for sub, p in zip(wanted, subs))
    return tuple(parts[:len(wanted)]) + (False,) * (len(wanted) - len(parts))
