"""The rules of an assignment, decided on the server from its settings and the clock."""
from __future__ import annotations

from datetime import datetime
from typing import Iterable

from tutor.models import (LATE_MARKED, SHOW_AFTER_DUE, Assignment, Submission)

UPCOMING, TODO, DOING, DONE, OVERDUE = "upcoming", "todo", "doing", "done", "overdue"
STATUS_LABELS = {UPCOMING: "未开放", TODO: "未开始", DOING: "进行中", DONE: "已完成", OVERDUE: "已逾期"}
SHOW_LABELS = {"each": "每题作答后显示答案和解析（模拟考试：交卷后）", "after_due": "截止时间过后才显示答案和解析"}
LATE_LABELS = {"refuse": "截止后不再接受作答", "accept": "截止后仍可作答，记为逾期"}
KIND_LABELS = {"practice": "练习", "exam": "模拟考试"}


def is_open(assignment: Assignment, moment: datetime) -> bool:
    return moment >= assignment.opens_at


def past_due(assignment: Assignment, moment: datetime) -> bool:
    return moment > assignment.due_at


def taking_answers(assignment: Assignment, moment: datetime) -> bool:
    """Whether an answer given now counts: open, and before the due time unless late work is taken."""
    return is_open(assignment, moment) and (not past_due(assignment, moment) or assignment.late_policy == LATE_MARKED)


def answers_visible(assignment: Assignment, moment: datetime) -> bool:
    """Whether keys, 解析 and verdicts of the assignment's questions may be shown to its students."""
    return assignment.show_answers != SHOW_AFTER_DUE or past_due(assignment, moment)


def status(assignment: Assignment, submissions: Iterable[Submission], moment: datetime) -> str:
    """未开放 / 未开始 / 进行中 / 已完成 / 已逾期 for one student."""
    tries = list(submissions)
    if any(s.submitted_at is not None for s in tries):
        return DONE
    if not is_open(assignment, moment):
        return UPCOMING
    if past_due(assignment, moment):
        return OVERDUE
    return DOING if tries else TODO


def tries_left(assignment: Assignment, used: int) -> int | None:
    """How many more tries a student may start; None when unlimited (attempts_allowed 0)."""
    if assignment.attempts_allowed == 0:
        return None
    return max(assignment.attempts_allowed - used, 0)


def may_start(assignment: Assignment, submissions: list[Submission], moment: datetime) -> str | None:
    """Why a new try cannot start now, or None if it can."""
    if not is_open(assignment, moment):
        return "作业还没有开放"
    if not taking_answers(assignment, moment):
        return "作业已过截止时间，不再接受作答"
    if any(s.submitted_at is None for s in submissions):
        return "你有一次作答还没有完成"
    if tries_left(assignment, len(submissions)) == 0:
        return "作答次数已用完"
    return None


def best(submissions: Iterable[Submission]) -> Submission | None:
    """The submitted try with the highest score (the earliest of equals), which the report counts."""
    done = [s for s in submissions if s.submitted_at is not None and s.score is not None]
    return max(done, key=lambda s: ((s.score or 0.0) / s.max_score if s.max_score else 0.0, -s.number), default=None)
