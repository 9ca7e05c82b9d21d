"""Study goals: the daily question goal, the streak (连续学习天数), the home page's progress rings
and the exam-date plan. Pure functions on dates and counts, no Flask and no database, so that
the rules (docs/goals-and-settings.md) are tested on a fixed clock; tutor/standing/goals.py
reads the counts.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable
from zoneinfo import ZoneInfo

DEFAULT_DAILY_GOAL = 30
MIN_DAILY_GOAL, MAX_DAILY_GOAL = 1, 500
# The rings are SVG circles of this radius; the arc is drawn with stroke-dasharray (an attribute,
# not a style, so the strict CSP allows it).
RING_RADIUS = 40
RING_CIRCUMFERENCE = 2 * math.pi * RING_RADIUS


def local_date(moment: datetime, zone: str) -> date:
    """The calendar day a naive-UTC moment falls on in `zone`."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)
    return aware.astimezone(ZoneInfo(zone)).date()


def day_start(day: date, zone: str) -> datetime:
    """Local midnight at the start of `day`, as naive UTC: where a day's answers begin."""
    return datetime.combine(day, time.min, ZoneInfo(zone)).astimezone(timezone.utc).replace(tzinfo=None)


@dataclass(frozen=True)
class Streak:
    days: int            # days in a row with at least one answer
    today_done: bool     # today is one of them; if not, the run ended yesterday and is still alive

    @property
    def at_risk(self) -> bool:
        """A run that ends today unless the student answers before midnight."""
        return self.days > 0 and not self.today_done


def streak(active_days: Iterable[date], today: date) -> Streak:
    """连续学习天数: the run of consecutive days with an answer that ends today, or ends
    yesterday when today has none yet (the run is not broken until today is over)."""
    active = set(active_days)
    today_done = today in active
    day = today if today_done else today - timedelta(days=1)
    days = 0
    while day in active:
        days += 1
        day -= timedelta(days=1)
    return Streak(days, today_done)


@dataclass(frozen=True)
class Ring:
    """One progress ring: `value` of `total`, drawn as an arc of the circle."""
    label: str
    value: int
    total: int

    @property
    def fraction(self) -> float:
        return min(self.value / self.total, 1.0) if self.total > 0 else 0.0

    @property
    def percent(self) -> int:
        return math.floor(100 * self.fraction)

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.value >= self.total

    @property
    def dasharray(self) -> str:
        """SVG stroke-dasharray: the arc, then the rest of the circumference as the gap."""
        arc = RING_CIRCUMFERENCE * self.fraction
        return f"{arc:.2f} {RING_CIRCUMFERENCE:.2f}"


def goal_ring(answered_today: int, goal: int) -> Ring:
    return Ring("今日目标", answered_today, goal)


def coverage_ring(seen: int, total: int) -> Ring:
    """章节覆盖: distinct questions answered at least once, of the chapter's questions."""
    return Ring("章节覆盖", seen, total)


def mastery_ring(level_counts: tuple[int, ...], at_least: int = 2) -> Ring:
    """掌握度: knowledge points at 熟练 (level 2) or better, of those that have questions."""
    return Ring("熟练知识点", sum(level_counts[at_least:]), sum(level_counts))


EXAM_PAST, EXAM_TODAY, EXAM_AHEAD = "past", "today", "ahead"


@dataclass(frozen=True)
class ExamPlan:
    status: str           # EXAM_PAST, EXAM_TODAY or EXAM_AHEAD
    days_left: int        # whole days from today to the exam day (0 on the day, negative after)
    new_per_day: int = 0
    reviews_per_day: int = 0

    @property
    def per_day(self) -> int:
        return self.new_per_day + self.reviews_per_day


def exam_plan(today: date, exam_date: date, unseen: int, reviews_due: int) -> ExamPlan:
    """The suggested daily load until the exam. The days to study are today up to the day before
    the exam (`days_left` of them). New questions: the unseen part of the chapter spread evenly
    over them, rounded up so that it is covered in time. Reviews: the review cards FSRS has due
    before the exam day (`reviews_due`, overdue ones included) spread the same way, rounded up; it
    is an estimate (约), as every review schedules the next one and new questions add their own."""
    days_left = (exam_date - today).days
    if days_left < 0:
        return ExamPlan(EXAM_PAST, days_left)
    if days_left == 0:
        return ExamPlan(EXAM_TODAY, 0)
    return ExamPlan(EXAM_AHEAD, days_left, math.ceil(max(unseen, 0) / days_left),
                    math.ceil(max(reviews_due, 0) / days_left))
