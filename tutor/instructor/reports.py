"""Class reports for instructors: the class overview, the mastery heatmap and item analysis.

Aggregates come from SQL over the per-question summary rows, already summed per student and
knowledge point (or per question and response), through covering indexes (migration 0005);
the statistics are plain Python over at most one row per student and knowledge point.
"""
from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, NamedTuple

from sqlalchemy import and_, bindparam, case, cast, func, literal, null, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.types import Text

from tutor.instructor.calibration import calibrated_difficulty
from tutor.content.course import Course
from tutor.extensions import db
from tutor.models import STUDENT, Attempt, ExamPaper, ReviewCard, StudentQuestion, User
from tutor.standing.mastery import Mastery, from_counts
from tutor.standing.stats import REVIEW_STATE
from tutor.questions import question_type

INACTIVE_DAYS = 7


class Account(NamedTuple):
    """What the reports show of a student's account (an ORM User costs several times more to load)."""
    id: int
    username: str
    display_name: str | None
    created_at: datetime | None


@dataclass
class StudentRow:
    user: Account
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


def _students_only(column: Any, students: Any) -> Any:
    """A WHERE clause keeping the rows of `students` (a subquery of user ids; None: everyone)."""
    return column.in_(students) if students is not None else None


def class_overview(course: Course, now: datetime, students_query: Any = None) -> ClassOverview:
    """The overview of the students `students_query` selects (a subquery of user ids, e.g. one
    class's), or of every student."""
    accounts = (select(User.id, User.username, User.display_name, User.created_at)
                .where(User.role == STUDENT).order_by(User.username))
    if students_query is not None:
        accounts = accounts.where(User.id.in_(students_query))
    # Core rows straight off the connection, fetched all at once: the ORM session's result
    # layer, or fetching row by row, costs 25-50 ms more over a 1,000-student class's ~27,000.
    connection = db.session.connection()
    students = {a.id: StudentRow(Account(*a)) for a in connection.execute(accounts).all()}
    # Summed in SQL per student and knowledge point, so at most students × points rows come back
    # however many answers are stored. Two scans without a join: joining the summary rows to
    # their review cards (or to a question -> point table) makes SQLite look up each of them,
    # and made PostgreSQL's query four times slower.
    summary = _per_knowledge_point(
        course, StudentQuestion, StudentQuestion.attempts, StudentQuestion.correct,
        case((StudentQuestion.last_correct, 1), else_=0).label("right"), StudentQuestion.last_at,
        where=_students_only(StudentQuestion.user_id, students_query))
    counts: dict[int, dict[str, list[int]]] = {}
    for user_id, kp, answered, attempts, correct, right, last_at in connection.execute(
            select(summary.c.user_id, summary.c.kp, func.count(), func.sum(summary.c.attempts),
                   func.sum(summary.c.correct), func.sum(summary.c.right), func.max(summary.c.last_at))
            .group_by(summary.c.user_id, summary.c.kp)).all():
        row = students.get(user_id)
        if row is None or kp is None:
            continue
        row.answered += int(attempts)
        row.correct += int(correct)
        if last_at is not None and (row.last_active is None or last_at > row.last_active):
            row.last_active = last_at
        mine = counts.get(user_id)
        if mine is None:
            mine = counts[user_id] = {}
        mine[kp] = [int(answered), int(right), 0]
    kept_cards = and_(ReviewCard.state == REVIEW_STATE, ReviewCard.due > now)
    if students_query is not None:
        kept_cards = and_(kept_cards, ReviewCard.user_id.in_(students_query))
    retained = _per_knowledge_point(course, ReviewCard, where=kept_cards)
    for user_id, kp, kept in connection.execute(
            select(retained.c.user_id, retained.c.kp, func.count()).group_by(retained.c.user_id, retained.c.kp)).all():
        point = counts.get(user_id, {}).get(kp)
        if point is not None:
            point[2] = int(kept)
    totals = {kp: len(qs) for kp, qs in course.by_knowledge_point.items()}
    # A Mastery is immutable and made from four small counts: a class of 1,000 has 13,000
    # cells but a few thousand distinct ones, so each is made once and shared.
    made: dict[tuple[int, ...], Mastery] = {}
    nothing = (0, 0, 0)
    for user_id, row in students.items():
        mine = counts.get(user_id, {})
        mastery = {}
        for kp, total in totals.items():
            key = (total, *mine.get(kp, nothing))
            cell = made.get(key)
            if cell is None:
                cell = made[key] = from_counts(*key)
            mastery[kp] = cell
        row.mastery = mastery
    papers = connection.execute(
        select(ExamPaper.user_id, ExamPaper.score, ExamPaper.max_score, ExamPaper.submitted_at)
        .where(ExamPaper.course_id == course.id, ExamPaper.submitted_at.is_not(None),
               *([] if students_query is None else [ExamPaper.user_id.in_(students_query)]))
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


def _per_knowledge_point(course: Course, model: Any, *columns: Any, where: Any = None) -> Any:
    """A subquery of `model`'s rows in the course with each row's knowledge point as `kp`, worked
    out from the loaded course's question ids as each row is read (rows of questions no longer in
    the content get NULL and are left out)."""
    pairs = [(q.id, kp) for kp, questions in course.by_knowledge_point.items() for q in questions]
    if pairs and db.session.get_bind().dialect.name == "postgresql":
        # PostgreSQL looks each row's question up in one JSON object of question -> point, bound
        # as a single parameter: the rows stream out of the covering index in student order
        # and are grouped as they come, with no join. The CASE below tests each row against
        # every point's list in turn (a 1,000-student class: 170 ms); a join to the pairs as
        # VALUES took 90-100 ms, and its 670 literal parameters made SQLAlchemy compile the
        # statement afresh on every request (35 ms a query); this takes about 80.
        # Parsed once a query, as a scalar subquery (an InitPlan): a bare CAST of the parameter
        # would be parsed again for every row under a prepared statement's generic plan.
        lookup = select(cast(bindparam("question_points", json.dumps(dict(pairs)), type_=Text), JSONB)).scalar_subquery()
        point = lookup.op("->>")(model.question_id)
        query = select(model.user_id, point.label("kp"), *columns).where(model.course_id == course.id)
        return (query.where(where) if where is not None else query).subquery()
    by_point = [(model.question_id.in_([q.id for q in questions]), literal(kp))
                for kp, questions in course.by_knowledge_point.items() if questions]
    kp = case(*by_point, else_=null()) if by_point else null()
    query = select(model.user_id, kp.label("kp"), *columns).where(model.course_id == course.id)
    if where is not None:
        query = query.where(where)
    return query.subquery()


NEUTRAL_FLAGS = frozenset({"not_started"})    # shown as a note, not as a warning


def flags(row: StudentRow, now: datetime, pass_percent: int) -> list[str]:
    """What the class overview points out about a student: `inactive` only once the student has
    had the whole window to study (an account registered minutes ago is `not_started`, a
    neutral note, until it is INACTIVE_DAYS old), and an exam below the pass mark."""
    found = []
    window = timedelta(days=INACTIVE_DAYS)
    if row.last_active is not None:
        if now - row.last_active >= window:
            found.append("inactive")
    elif row.user.created_at is not None and now - row.user.created_at >= window:
        found.append("inactive")
    else:
        found.append("not_started")
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
    key_options: list[int] = field(default_factory=list)   # indexes into option_counts of the key
    flags: list[str] = field(default_factory=list)
    calibrated: int | None = None              # the difficulty the answers give (calibration.py)

    @property
    def flag_count(self) -> int:
        return len(self.flags)


def item_analysis(course: Course, students_query: Any = None) -> list[ItemStats]:
    """Per question: facility over first attempts (practice and exam), discrimination over mock
    exam papers as Moodle defines it, and how often each option was chosen first time; over the
    students `students_query` selects (a subquery of user ids), or every answer."""
    stats = {q.id: ItemStats(q) for q in course.questions}
    mine = [] if students_query is None else [StudentQuestion.user_id.in_(students_query)]
    for qid, n, facility in db.session.execute(
            select(StudentQuestion.question_id, func.count(), func.avg(StudentQuestion.first_fraction))
            .where(StudentQuestion.course_id == course.id, *mine).group_by(StudentQuestion.question_id)):
        if qid in stats:
            stats[qid].attempts, stats[qid].facility = n, float(facility)
    for q in course.questions:
        kind = question_type(q)
        stats[q.id].option_counts = [0] * len(kind.tallied_options(q))
        if stats[q.id].option_counts:
            stats[q.id].key_options = sorted(kind.chosen_options(q, kind.correct_response(q)))
    choice_ids = [q.id for q in course.questions if stats[q.id].option_counts]
    if choice_ids:
        # Counted per distinct first response in SQL: a handful of rows per question come back,
        # not one per student.
        response = cast(Attempt.response, Text)
        for qid, text, n in db.session.execute(
                select(Attempt.question_id, response, func.count())
                .join(StudentQuestion, StudentQuestion.first_attempt_id == Attempt.id)
                .where(StudentQuestion.course_id == course.id, StudentQuestion.question_id.in_(choice_ids), *mine)
                .group_by(Attempt.question_id, response)):
            counts, q = stats[qid].option_counts, stats[qid].question
            for index in question_type(q).chosen_options(q, json.loads(text)):
                if 0 <= index < len(counts):
                    counts[index] += n
    _discrimination(course, stats, students_query)
    for item in stats.values():
        if item.facility is not None and item.attempts >= 5:
            if item.facility > 0.9:
                item.flags.append("too_easy")
            elif item.facility < 0.2:
                item.flags.append("too_hard")
        if item.discrimination is not None and item.discrimination < 0:
            item.flags.append("negative")
        if _distractor_beats_key(item):
            item.flags.append("miskey")
        item.calibrated = calibrated_difficulty(item.facility, item.attempts,
                                                question_type(item.question).guess_rate(item.question))
        if item.calibrated is not None and item.question.difficulty not in (None, item.calibrated):
            item.flags.append("relabel")
    return list(stats.values())


def _distractor_beats_key(item: ItemStats) -> bool:
    """A wrong option chosen first time more often than any keyed option (at least 5 first
    attempts): the classic sign of a key marked on the wrong letter."""
    counts, key = item.option_counts, set(item.key_options)
    if item.attempts < 5 or not counts or not key:
        return False
    best_key = max(counts[i] for i in key if i < len(counts))
    return any(n > best_key for i, n in enumerate(counts) if i not in key)


ITEM_FLAGS = ("too_easy", "too_hard", "negative", "miskey", "relabel")

# Sort keys of the item analysis table; a None (no data yet) always goes last, either way.
ITEM_SORT_KEYS: dict[str, Callable[[ItemStats], Any]] = {
    "order": lambda r: 0,                     # the course's own order (stable sort)
    "type": lambda r: r.question.type,
    "kp": lambda r: r.question.knowledge_point,
    "attempts": lambda r: r.attempts,
    "facility": lambda r: r.facility,
    "discrimination": lambda r: r.discrimination,
    "flags": lambda r: r.flag_count,
}


def filter_items(rows: list[ItemStats], kp: str | None = None, type_name: str | None = None,
                 flag: str | None = None) -> list[ItemStats]:
    return [r for r in rows if (not kp or r.question.knowledge_point == kp)
            and (not type_name or r.question.type == type_name) and (not flag or flag in r.flags)]


def sort_items(rows: list[ItemStats], key: str, descending: bool, course: Course) -> list[ItemStats]:
    """Sorted by ITEM_SORT_KEYS[key] (knowledge points in the course's order); rows without a
    value keep the course order, after the rest."""
    points = {kp: i for i, kp in enumerate(course.knowledge_points)}
    get = (lambda r: points.get(r.question.knowledge_point, len(points))) if key == "kp" else ITEM_SORT_KEYS[key]
    known = [r for r in rows if get(r) is not None]
    unknown = [r for r in rows if get(r) is None]
    if key == "order":
        return list(reversed(known)) if descending else known
    return sorted(known, key=get, reverse=descending) + unknown


def _discrimination(course: Course, stats: dict[str, ItemStats], students_query: Any = None) -> None:
    mine = [] if students_query is None else [ExamPaper.user_id.in_(students_query)]
    papers = {pid: (score or 0.0, items) for pid, score, items in db.session.execute(
        select(ExamPaper.id, ExamPaper.score, ExamPaper.items)
        .where(ExamPaper.course_id == course.id, ExamPaper.submitted_at.is_not(None), *mine))}
    pairs: dict[str, list[tuple[float, float]]] = defaultdict(list)
    # Only the answers on this class's papers: on a server of many classes, reading every exam
    # answer of the course (and dropping most) made one class's report grow with the server.
    theirs = [] if students_query is None else [Attempt.paper_id.in_(
        select(ExamPaper.id).where(ExamPaper.course_id == course.id, ExamPaper.user_id.in_(students_query)))]
    for qid, paper_id, index, score, max_score in db.session.execute(
            select(Attempt.question_id, Attempt.paper_id, Attempt.item_index, Attempt.score, Attempt.max_score)
            .where(Attempt.course_id == course.id, Attempt.paper_id.is_not(None), *theirs)):
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
