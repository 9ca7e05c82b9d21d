"""The study-goal rules of tutor/goals.py on a fixed clock: day boundaries in Asia/Shanghai, the
streak across midnight, the daily goal reached, and the exam date ahead, today and past."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tutor import goals

SHANGHAI = "Asia/Shanghai"


def test_a_day_in_shanghai_begins_at_16_00_utc() -> None:
    # 23:59:59 on 29 November in Shanghai is 15:59:59 UTC; a second later it is the 30th.
    assert goals.local_date(datetime(2026, 11, 29, 15, 59, 59), SHANGHAI) == date(2026, 11, 29)
    assert goals.local_date(datetime(2026, 11, 29, 16, 0, 0), SHANGHAI) == date(2026, 11, 30)
    assert goals.local_date(datetime(2026, 11, 29, 16, 0, 0), "UTC") == date(2026, 11, 29)
    assert goals.day_start(date(2026, 11, 30), SHANGHAI) == datetime(2026, 11, 29, 16, 0, 0)
    assert goals.day_start(date(2026, 11, 30), "UTC") == datetime(2026, 11, 30)


def days(*offsets: int, today: date = date(2026, 11, 30)) -> list[date]:
    return [today - timedelta(days=n) for n in offsets]


def test_the_streak_counts_days_in_a_row_ending_today() -> None:
    today = date(2026, 11, 30)
    assert goals.streak(days(0, 1, 2), today) == goals.Streak(3, True)
    assert goals.streak(days(0, 1, 2, 4, 5), today) == goals.Streak(3, True)     # a gap ends the run
    assert goals.streak(days(0), today) == goals.Streak(1, True)
    assert goals.streak([], today) == goals.Streak(0, False)


def test_yesterdays_streak_stands_until_today_ends() -> None:
    today = date(2026, 11, 30)
    kept = goals.streak(days(1, 2, 3), today)
    assert kept == goals.Streak(3, False) and kept.at_risk
    assert goals.streak(days(2, 3), today) == goals.Streak(0, False)             # yesterday missed: over
    assert not goals.streak([], today).at_risk


def test_the_streak_across_midnight_in_shanghai() -> None:
    # Answers at 23:50 on the 29th and 00:10 on the 30th, Shanghai time: two days, one streak.
    answered = [datetime(2026, 11, 29, 15, 50), datetime(2026, 11, 29, 16, 10)]
    active = {goals.local_date(moment, SHANGHAI) for moment in answered}
    assert active == {date(2026, 11, 29), date(2026, 11, 30)}
    assert goals.streak(active, goals.local_date(datetime(2026, 11, 29, 16, 11), SHANGHAI)).days == 2
    # the same answers in UTC fall on one day
    assert len({goals.local_date(moment, "UTC") for moment in answered}) == 1


def test_the_daily_goal_ring() -> None:
    ring = goals.goal_ring(12, 30)
    assert (ring.value, ring.total, ring.percent, ring.complete) == (12, 30, 40, False)
    assert ring.dasharray == f"{goals.RING_CIRCUMFERENCE * 0.4:.2f} {goals.RING_CIRCUMFERENCE:.2f}"
    reached = goals.goal_ring(30, 30)
    assert reached.complete and reached.percent == 100
    beyond = goals.goal_ring(45, 30)
    assert beyond.complete and beyond.fraction == 1.0 and beyond.percent == 100     # the arc closes, no more
    assert goals.goal_ring(0, 30).fraction == 0 and not goals.goal_ring(0, 30).complete


def test_coverage_and_mastery_rings() -> None:
    assert goals.coverage_ring(25, 100).percent == 25
    assert goals.coverage_ring(0, 0).fraction == 0.0 and not goals.coverage_ring(0, 0).complete
    # LEVELS: 未练习, 入门, 熟练, 掌握 — 熟练 or better counts
    ring = goals.mastery_ring((3, 2, 4, 1))
    assert (ring.value, ring.total, ring.percent) == (5, 10, 50)


def test_the_exam_plan_spreads_new_questions_and_reviews_over_the_days_left() -> None:
    today = date(2026, 11, 30)
    plan = goals.exam_plan(today, date(2026, 12, 12), unseen=240, reviews_due=170)
    assert plan.status == goals.EXAM_AHEAD and plan.days_left == 12
    assert (plan.new_per_day, plan.reviews_per_day, plan.per_day) == (20, 15, 35)     # 240/12, ⌈170/12⌉
    tomorrow = goals.exam_plan(today, date(2026, 12, 1), unseen=7, reviews_due=3)
    assert (tomorrow.days_left, tomorrow.new_per_day, tomorrow.reviews_per_day) == (1, 7, 3)
    done = goals.exam_plan(today, date(2026, 12, 5), unseen=0, reviews_due=0)
    assert done.per_day == 0 and done.status == goals.EXAM_AHEAD
    rounded = goals.exam_plan(today, date(2026, 12, 3), unseen=10, reviews_due=1)
    assert (rounded.new_per_day, rounded.reviews_per_day) == (4, 1)     # up, so that it is done in time


@pytest.mark.parametrize("exam_day, status, left", [(date(2026, 11, 30), goals.EXAM_TODAY, 0),
                                                    (date(2026, 11, 29), goals.EXAM_PAST, -1),
                                                    (date(2025, 6, 1), goals.EXAM_PAST, -547)])
def test_an_exam_today_or_past_suggests_nothing(exam_day: date, status: str, left: int) -> None:
    plan = goals.exam_plan(date(2026, 11, 30), exam_day, unseen=100, reviews_due=40)
    assert (plan.status, plan.days_left, plan.per_day) == (status, left, 0)
