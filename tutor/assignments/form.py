"""The 布置作业 form: its values (kept across 预览 and 返回修改), and what they make."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from werkzeug.datastructures import MultiDict

from tutor import localtime
from tutor.content.course import Course
from tutor.coursework import selection
from tutor.models import (EXAM_ASSIGNMENT, LATE_MARKED, LATE_REFUSED, PRACTICE_ASSIGNMENT, SHOW_AFTER_DUE, SHOW_EACH)
from tutor.questions import QuestionBase
from tutor.web import strict_int

MAX_TRIES = 10          # 0 means unlimited
DEFAULT_COUNT = 20
DEFAULT_DAYS = 7        # due a week after it is set, at DUE_HOUR in the course's timezone
DUE_HOUR = 22


def values(data: MultiDict[str, str] | None, moment: datetime, zone: str) -> dict[str, Any]:
    """The form's fields, from a posted form or (None) the defaults for a new assignment."""
    if data is None:
        local = localtime.to_local(moment, zone)
        due = (local + timedelta(days=DEFAULT_DAYS)).replace(hour=DUE_HOUR, minute=0, second=0, microsecond=0)
        return {"title": "", "kind": PRACTICE_ASSIGNMENT, "how": "filter", "kps": [], "types": [],
                "difficulties": [], "count": str(DEFAULT_COUNT), "qids": [], "blueprint": "",
                "opens_at": f"{local:%Y-%m-%dT%H:%M}", "due_at": f"{due:%Y-%m-%dT%H:%M}", "attempts": "1",
                "show_answers": SHOW_EACH, "late_policy": LATE_REFUSED}
    return {"title": (data.get("title") or "").strip(), "kind": data.get("kind", ""), "how": data.get("how", ""),
            "kps": data.getlist("kp"), "types": data.getlist("type"), "difficulties": data.getlist("difficulty"),
            "count": data.get("count", ""), "qids": data.getlist("qid"), "blueprint": data.get("blueprint", ""),
            "opens_at": data.get("opens_at", ""), "due_at": data.get("due_at", ""),
            "attempts": data.get("attempts", ""), "show_answers": data.get("show_answers", ""),
            "late_policy": data.get("late_policy", "")}


@dataclass
class Draft:
    """What the values make: the new assignment's fields, or the problems to fix first."""
    problems: list[str] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def question_ids(self) -> list[str]:
        return list(self.fields.get("question_ids") or [])


def read(v: dict[str, Any], course: Course, moment: datetime, zone: str, source: random.Random) -> Draft:
    draft = Draft()
    problems = draft.problems
    title = v["title"]
    if not title or len(title) > 100:
        problems.append("请填写作业标题（最多 100 个字）")
    opens, due = localtime.from_input(v["opens_at"], zone), localtime.from_input(v["due_at"], zone)
    if opens is None or due is None:
        problems.append("请填写开放时间和截止时间")
    elif due <= opens:
        problems.append("截止时间要晚于开放时间")
    elif due <= moment:
        problems.append("截止时间已经过去，请改为以后的时间")
    attempts = strict_int(v["attempts"], MAX_TRIES)
    if attempts is None:
        problems.append(f"作答次数为 1 到 {MAX_TRIES} 次，或不限")
    if v["show_answers"] not in (SHOW_EACH, SHOW_AFTER_DUE) or v["late_policy"] not in (LATE_REFUSED, LATE_MARKED):
        problems.append("请选择何时显示答案和逾期规则")
    question_ids: list[str] | None = None
    blueprint_id = None
    if v["kind"] == PRACTICE_ASSIGNMENT:
        question_ids = _questions(v, course, source, problems)
    elif v["kind"] == EXAM_ASSIGNMENT:
        blueprint = next((b for b in course.manifest.exams if b.id == v["blueprint"]), None)
        if blueprint is None:
            problems.append("请选择一套模拟试卷")
        else:
            blueprint_id = blueprint.id
    else:
        problems.append("请选择作业类型")
    if not problems:
        draft.fields = {"title": title, "kind": v["kind"], "question_ids": question_ids,
                        "blueprint_id": blueprint_id, "opens_at": opens, "due_at": due,
                        "attempts_allowed": attempts, "show_answers": v["show_answers"],
                        "late_policy": v["late_policy"]}
    return draft


def _questions(v: dict[str, Any], course: Course, source: random.Random, problems: list[str]) -> list[str]:
    if v["how"] == "pick":
        chosen = selection.picked(course, v["qids"])
        if not chosen:
            problems.append("请至少勾选一道题")
        elif len(chosen) > selection.MAX_QUESTIONS:
            problems.append(f"一份作业最多 {selection.MAX_QUESTIONS} 道题")
        return chosen
    count = strict_int(v["count"], selection.MAX_QUESTIONS)
    if not count:
        problems.append(f"题数为 1 到 {selection.MAX_QUESTIONS}")
        return []
    filters = selection.Filters(frozenset(k for k in v["kps"] if k in course.knowledge_points),
                                frozenset(v["types"]),
                                frozenset(d for d in (strict_int(x, 3) for x in v["difficulties"]) if d))
    chosen = selection.draw(course, filters, count, source)
    if not chosen:
        problems.append("没有符合这些条件的题目，请放宽条件")
    elif len(chosen) < count:
        problems.append(f"符合条件的题目只有 {len(chosen)} 道，请减少题数或放宽条件")
    return chosen


def bank(course: Course) -> list[tuple[Any, list[QuestionBase]]]:
    """The bank by knowledge point, for hand-picking."""
    by_point: dict[str, list[QuestionBase]] = {}
    for q in selection.bank_order(course):
        by_point.setdefault(q.knowledge_point, []).append(q)
    return [(kp, by_point[kp.id]) for topic in course.topics for kp in topic.knowledge_points if kp.id in by_point]


def type_counts(course: Course) -> dict[str, int]:
    counts: dict[str, int] = {}
    for q in course.questions:
        counts[q.type] = counts.get(q.type, 0) + 1
    return counts
