"""The counts behind the study goals on the home page (the rules are tutor/goals.py): answers
per local day for the daily goal and the streak, and the review cards due before the exam."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable

from sqlalchemy import func, select

from tutor import goals
from tutor.content.course import Course
from tutor.extensions import db
from tutor.models import ReviewCard
from tutor.standing.mastery import level_counts
from tutor.standing.stats import CourseProgress, activity

# How far back the streak is read, in days. One grouped query covers it; a longer run is shown
# as this many days (a year and a month of daily practice is more than this course needs).
STREAK_WINDOW = 400


@dataclass(frozen=True)
class StudyGoals:
    today: date
    daily_goal: goals.Ring
    coverage: goals.Ring
    mastery: goals.Ring
    streak: goals.Streak
    exam_date: date | None
    plan: goals.ExamPlan | None

    @property
    def rings(self) -> tuple[goals.Ring, goals.Ring, goals.Ring]:
        return self.daily_goal, self.coverage, self.mastery


def reviews_due_before(user_id: int, course_ids: Iterable[str], until: datetime) -> int:
    """Review cards of these courses due before `until` (overdue ones included)."""
    ids = list(course_ids)
    if not ids:
        return 0
    return db.session.scalar(select(func.count()).select_from(ReviewCard).where(
        ReviewCard.user_id == user_id, ReviewCard.course_id.in_(ids), ReviewCard.due < until)) or 0


def study_goals(user_id: int, courses: list[Course], progress: dict[str, CourseProgress], daily_goal: int,
                exam_date: date | None, now: datetime, zone: str) -> StudyGoals:
    """Today's goal, the streak, coverage and mastery over the student's courses, and the plan
    to the exam date when one is set."""
    days = activity(user_id, now, zone, STREAK_WINDOW)
    today = goals.local_date(now, zone)
    answered_today = days[-1].answers if days and days[-1].day == today else 0
    streak = goals.streak((d.day for d in days if d.answers), today)
    seen = sum(progress[c.id].total.questions_seen for c in courses if c.id in progress)
    total = sum(progress[c.id].total.questions_total for c in courses if c.id in progress)
    counts = [level_counts(progress[c.id].mastery) for c in courses if c.id in progress]
    levels = tuple(sum(column) for column in zip(*counts)) if counts else (0,)
    plan = None
    if exam_date is not None:
        due = reviews_due_before(user_id, (c.id for c in courses), goals.day_start(exam_date, zone))
        plan = goals.exam_plan(today, exam_date, total - seen, due)
    return StudyGoals(today, goals.goal_ring(answered_today, daily_goal), goals.coverage_ring(seen, total),
                      goals.mastery_ring(levels), streak, exam_date, plan)
