"""Class reports for instructors: the class overview, the mastery heatmap and item analysis.

Aggregates come from SQL over the per-question summary rows; the fold into knowledge points
and the statistics are plain Python over at most one row per student and question.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, case, column, func, select, values

from tutor.content.course import Course
from tutor.extensions import db
from tutor.models import STUDENT, Attempt, ExamPaper, ReviewCard, StudentQuestion, User
from tutor.progress.mastery import Mastery, from_counts
from tutor.progress.stats import REVIEW_STATE

INACTIVE_DAYS = 7


@dataclass
class StudentRow:
    user: User
    answered: int = 0
    correct: int = 0
    last_active: datetime | None = None
    mastery: dict[str, Mastery] = field(default_factory=dict)
    last_exam: float | None = None       # percent
    best_exam: float | None = None
    exams: int = 0

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.answered if self.answered else None

    @property
    def levels(self) -> Counter:
        return Counter(m.level for m in self.mastery.values() if m.total)

    @property
    def mastery_index(self) -> float:
        """Mean mastery score over the knowledge points: one number to sort the class by."""
        scores = [m.score for m in self.mastery.values() if m.total]
        return sum(scores) / len(scores) if scores else 0.0


@dataclass
class ClassOverview:
    rows: list[StudentRow]
    computed_at: datetime
    pass_percent: int


def class_overview(course: Course, now: datetime) -> ClassOverview:
    students = {u.id: StudentRow(u) for u in db.session.scalars(
        select(User).where(User.role == STUDENT).order_by(User.username))}
    # Summed per student and knowledge point in SQL: the question -> knowledge point map of the
    # loaded course travels with the query as a VALUES list, so at most students × points rows
    # come back however many answers are stored.
    kp_of = values(column("question_id", String), column("kp", String), name="kp_of").data(
        [(q.id, q.knowledge_point) for q in course.questions] or [("", "")]).cte("kp_of")
    retained = case((and_(ReviewCard.state == REVIEW_STATE, ReviewCard.due > now), 1), else_=0)
    rows = db.session.execute(
        select(StudentQuestion.user_id, kp_of.c.kp, func.count(), func.sum(StudentQuestion.attempts),
               func.sum(StudentQuestion.correct), func.sum(case((StudentQuestion.last_correct, 1), else_=0)),
               func.sum(retained), func.max(StudentQuestion.last_at))
        .join(kp_of, kp_of.c.question_id == StudentQuestion.question_id)
        .outerjoin(ReviewCard, and_(ReviewCard.user_id == StudentQuestion.user_id,
                                    ReviewCard.course_id == StudentQuestion.course_id,
                                    ReviewCard.question_id == StudentQuestion.question_id))
        .where(StudentQuestion.course_id == course.id)
        .group_by(StudentQuestion.user_id, kp_of.c.kp))
    counts: dict[int, dict[str, tuple[int, int, int]]] = defaultdict(dict)
    for user_id, kp, answered, attempts, correct, right, kept, last_at in rows:
        row = students.get(user_id)
        if row is None:
            continue
        row.answered += int(attempts)
        row.correct += int(correct)
        row.last_active = max(filter(None, (row.last_active, last_at)), default=None)
        counts[user_id][kp] = (int(answered), int(right), int(kept or 0))
    totals = {kp: len(qs) for kp, qs in course.by_knowledge_point.items()}
    for user_id, row in students.items():
        mine = counts.get(user_id, {})
        row.mastery = {kp: from_counts(total, *mine.get(kp, (0, 0, 0))) for kp, total in totals.items()}
    papers = db.session.execute(
        select(ExamPaper.user_id, ExamPaper.score, ExamPaper.max_score, ExamPaper.submitted_at)
        .where(ExamPaper.course_id == course.id, ExamPaper.submitted_at.is_not(None))
        .order_by(ExamPaper.submitted_at))
    for user_id, score, max_score, _ in papers:
        row = students.get(user_id)
        if row is None or not max_score:
            continue
        percent = 100 * (score or 0) / max_score
        row.last_exam = percent
        row.best_exam = percent if row.best_exam is None else max(row.best_exam, percent)
        row.exams += 1
    pass_percent = course.manifest.exams[0].pass_percent if course.manifest.exams else 60
    return ClassOverview(list(students.values()), now, pass_percent)


def flags(row: StudentRow, now: datetime, pass_percent: int) -> list[str]:
    found = []
    if row.last_active is None or now - row.last_active >= timedelta(days=INACTIVE_DAYS):
        found.append("inactive")
    if row.last_exam is not None and row.last_exam < pass_percent:
        found.append("below_pass")
    return found


SORT_KEYS = {
    "name": lambda r: r.user.username,
    "last_active": lambda r: r.last_active or datetime.min,
    "answered": lambda r: r.answered,
    "accuracy": lambda r: r.accuracy if r.accuracy is not None else -1,
    "mastery": lambda r: r.mastery_index,
    "last_exam": lambda r: r.last_exam if r.last_exam is not None else -1,
    "best_exam": lambda r: r.best_exam if r.best_exam is not None else -1,
}


@dataclass
class ItemStats:
    question: Any
    attempts: int = 0
    facility: float | None = None              # mean first-attempt score / max
    discrimination: float | None = None        # r(item score, rest of paper) over mock exams
    papers: int = 0
    option_counts: list[int] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)


def item_analysis(course: Course) -> list[ItemStats]:
    """Per question: facility over first attempts (practice and exam), discrimination over mock
    exam papers as Moodle defines it, and how often each option was chosen first time."""
    stats = {q.id: ItemStats(q) for q in course.questions}
    for qid, n, facility in db.session.execute(
            select(StudentQuestion.question_id, func.count(), func.avg(StudentQuestion.first_fraction))
            .where(StudentQuestion.course_id == course.id).group_by(StudentQuestion.question_id)):
        if qid in stats:
            stats[qid].attempts, stats[qid].facility = n, float(facility)
    choice_ids = [q.id for q in course.questions if q.type in ("single", "multiple")]
    for q in course.questions:
        if q.type in ("single", "multiple"):
            stats[q.id].option_counts = [0] * len(q.options)
    if choice_ids:
        responses = db.session.execute(
            select(Attempt.question_id, Attempt.response)
            .join(StudentQuestion, StudentQuestion.first_attempt_id == Attempt.id)
            .where(StudentQuestion.course_id == course.id, StudentQuestion.question_id.in_(choice_ids)))
        for qid, response in responses:
            letters = [response] if isinstance(response, str) else (response or [])
            counts = stats[qid].option_counts
            for letter in letters:
                index = ord(letter) - ord("A") if isinstance(letter, str) and len(letter) == 1 else -1
                if 0 <= index < len(counts):
                    counts[index] += 1
    _discrimination(course, stats)
    for item in stats.values():
        if item.facility is not None and item.attempts >= 5:
            if item.facility > 0.9:
                item.flags.append("too_easy")
            elif item.facility < 0.2:
                item.flags.append("too_hard")
        if item.discrimination is not None and item.discrimination < 0:
            item.flags.append("negative")
    return list(stats.values())


def _discrimination(course: Course, stats: dict[str, ItemStats]) -> None:
    papers = {pid: (score or 0.0, items) for pid, score, items in db.session.execute(
        select(ExamPaper.id, ExamPaper.score, ExamPaper.items)
        .where(ExamPaper.course_id == course.id, ExamPaper.submitted_at.is_not(None)))}
    pairs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for qid, paper_id, index, score, max_score in db.session.execute(
            select(Attempt.question_id, Attempt.paper_id, Attempt.item_index, Attempt.score, Attempt.max_score)
            .where(Attempt.course_id == course.id, Attempt.paper_id.is_not(None))):
        if paper_id not in papers or qid not in stats or not max_score:
            continue
        total, items = papers[paper_id]
        earned = items[index]["points"] * score / max_score
        pairs[qid].append((score / max_score, total - earned))
    for qid, values in pairs.items():
        stats[qid].papers = len(values)
        stats[qid].discrimination = pearson(values)


def pearson(values: list[tuple[float, float]]) -> float | None:
    """Pearson's r, or None where it is undefined (fewer than 3 papers, or no spread)."""
    n = len(values)
    if n < 3:
        return None
    mx = sum(x for x, _ in values) / n
    my = sum(y for _, y in values) / n
    sxy = sum((x - mx) * (y - my) for x, y in values)
    sxx = sum((x - mx) ** 2 for x, _ in values)
    syy = sum((y - my) ** 2 for _, y in values)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)
