"""The report of one assignment: who has done it, how they scored, how each question went.

A handful of grouped queries over the class's students and tries, whatever the class size;
the rest is arithmetic on those rows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select

from tutor.coursework import rules
from tutor.extensions import db
from tutor.privacy import closure
from tutor.models import (MEMBER_STUDENT, PRACTICE_ASSIGNMENT, Assignment, Attempt, ClassMember, Delivery,
                          Submission, User)

BINS = 10       # the histogram's bars: 0–9 %, 10–19 %, …, 90–100 %


@dataclass(frozen=True)
class StudentLine:
    user_id: int
    username: str
    display_name: str | None
    status: str                     # coursework.rules: todo / doing / done / overdue / upcoming
    tries: tuple[Submission, ...]
    best: Submission | None

    @property
    def name(self) -> str:
        """姓名, else 学号; a closed account (注销) as 已注销."""
        return self.display_name or closure.shown_name(self.username)

    @property
    def percent(self) -> float | None:
        if self.best is None or self.best.score is None or not self.best.max_score:
            return None
        return 100 * self.best.score / self.best.max_score


@dataclass(frozen=True)
class QuestionLine:
    question_id: str
    answered: int           # first tries that answered it
    right: int              # of them, fully right
    mean_fraction: float    # mean share of the points

    @property
    def facility(self) -> float | None:
        return self.mean_fraction if self.answered else None


@dataclass(frozen=True)
class AssignmentReport:
    students: tuple[StudentLine, ...]
    questions: tuple[QuestionLine, ...]

    def count(self, status: str) -> int:
        return sum(1 for s in self.students if s.status == status)

    @property
    def submitted(self) -> int:
        return self.count(rules.DONE)

    @property
    def late(self) -> int:
        return sum(1 for s in self.students if s.best is not None and s.best.late)

    @property
    def not_started(self) -> tuple[StudentLine, ...]:
        return tuple(s for s in self.students if not s.tries)

    @property
    def percents(self) -> list[float]:
        return [p for s in self.students if (p := s.percent) is not None]

    @property
    def mean_percent(self) -> float | None:
        scores = self.percents
        return sum(scores) / len(scores) if scores else None

    @property
    def histogram(self) -> list[int]:
        """How many students' best scores fall in each tenth (100 % in the last bar)."""
        bars = [0] * BINS
        for p in self.percents:
            bars[min(int(p // (100 / BINS)), BINS - 1)] += 1
        return bars


def build(assignment: Assignment, moment: datetime) -> AssignmentReport:
    people = db.session.execute(
        select(User.id, User.username, User.display_name).join(ClassMember, ClassMember.user_id == User.id)
        .where(ClassMember.class_id == assignment.class_id, ClassMember.role == MEMBER_STUDENT)
        .order_by(User.username)).all()
    tries: dict[int, list[Submission]] = {}
    for s in db.session.scalars(select(Submission).where(Submission.assignment_id == assignment.id)
                                .order_by(Submission.user_id, Submission.number)):
        tries.setdefault(s.user_id, []).append(s)
    students = tuple(StudentLine(uid, username, display_name,
                                 rules.status(assignment, tries.get(uid, ()), moment),
                                 tuple(tries.get(uid, ())), rules.best(tries.get(uid, ())))
                     for uid, username, display_name in people)
    return AssignmentReport(students, _questions(assignment))


def _questions(assignment: Assignment) -> tuple[QuestionLine, ...]:
    """Facility on each student's first try (as Moodle's item analysis counts first attempts):
    later tries have seen the questions before."""
    first = select(Submission.set_id, Submission.paper_id).where(
        Submission.assignment_id == assignment.id, Submission.number == 1,
        Submission.submitted_at.is_not(None)).subquery()
    fraction = case((Attempt.max_score > 0, Attempt.score / Attempt.max_score), else_=0.0)
    columns = (Attempt.question_id, func.count(), func.sum(case((Attempt.correct, 1), else_=0)),
               func.sum(fraction))
    if assignment.kind == PRACTICE_ASSIGNMENT:
        query = (select(*columns).join(Delivery, Attempt.delivery_id == Delivery.id)
                 .join(first, first.c.set_id == Delivery.set_id))
    else:
        query = select(*columns).join(first, first.c.paper_id == Attempt.paper_id)
    # students moved out of the class since are not this class's figure
    in_class = select(ClassMember.user_id).where(ClassMember.class_id == assignment.class_id,
                                                 ClassMember.role == MEMBER_STUDENT)
    totals = {question_id: (int(answered), int(right or 0), float(fractions or 0.0))
              for question_id, answered, right, fractions in db.session.execute(
                  query.where(Attempt.user_id.in_(in_class)).group_by(Attempt.question_id))}
    order = list(assignment.question_ids or []) if assignment.kind == PRACTICE_ASSIGNMENT else sorted(totals)
    order += [q for q in sorted(totals) if q not in order]
    return tuple(QuestionLine(q, *_line(totals.get(q, (0, 0, 0.0)))) for q in order)


def _line(total: tuple[int, int, float]) -> tuple[int, int, float]:
    answered, right, fractions = total
    return answered, right, fractions / answered if answered else 0.0
