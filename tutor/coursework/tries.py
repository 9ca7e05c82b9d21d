"""A student's tries at assignments: starting one, finishing it, and what stays hidden until
the due time. Never commits: the calling view does, with the answer that finished the try."""
from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select, update

from tutor.content.course import Course
from tutor.coursework import rules
from tutor.extensions import db
from tutor.models import (EXAM_ASSIGNMENT, MEMBER_STUDENT, PRACTICE_ASSIGNMENT, SHOW_AFTER_DUE, Assignment,
                          Attempt, ClassMember, Delivery, ExamPaper, PracticeSet, SchoolClass, Submission)
from tutor.questions import grade, question_type

SET_MODE = "assignment"     # PracticeSet.mode of a practice assignment's set; scope_id is the assignment id


def visible_to(user_id: int) -> list[tuple[Assignment, SchoolClass]]:
    """The assignments of the classes a student is in (archived classes are hidden), newest due first."""
    return [(a, c) for a, c in db.session.execute(
        select(Assignment, SchoolClass).join(SchoolClass, SchoolClass.id == Assignment.class_id)
        .join(ClassMember, ClassMember.class_id == SchoolClass.id)
        .where(ClassMember.user_id == user_id, ClassMember.role == MEMBER_STUDENT,
               SchoolClass.archived_at.is_(None))
        .order_by(Assignment.due_at.desc(), Assignment.id.desc()))]


def student_lines(user_id: int, moment: datetime) -> list[tuple[Assignment, SchoolClass, str]]:
    """Each assignment of the student's classes with its status for them (我的作业, the home page)."""
    found = visible_to(user_id)
    done = tries_of(user_id, [a.id for a, _ in found])
    return [(a, c, rules.status(a, done[a.id], moment)) for a, c in found]


def is_student_of(user_id: int, assignment: Assignment) -> bool:
    """Whether the user is a student of the assignment's class (not archived)."""
    return db.session.scalar(select(ClassMember.id).join(SchoolClass, SchoolClass.id == ClassMember.class_id).where(
        ClassMember.class_id == assignment.class_id, ClassMember.user_id == user_id,
        ClassMember.role == MEMBER_STUDENT, SchoolClass.archived_at.is_(None))) is not None


def tries_of(user_id: int, assignment_ids: list[int]) -> dict[int, list[Submission]]:
    found: dict[int, list[Submission]] = {i: [] for i in assignment_ids}
    if assignment_ids:
        for s in db.session.scalars(select(Submission).where(
                Submission.user_id == user_id, Submission.assignment_id.in_(assignment_ids))
                .order_by(Submission.number)):
            found[s.assignment_id].append(s)
    return found


def max_points(course: Course, question_ids: list[str]) -> float:
    """The most a set of questions can score: each graded at its own key."""
    total = 0.0
    for qid in question_ids:
        q = course.by_id.get(qid)
        if q is not None:
            total += grade(q, question_type(q).correct_response(q), course.grading).max_score
    return total


def start_practice(assignment: Assignment, user_id: int, course: Course, number: int, moment: datetime,
                   source: random.Random) -> Submission:
    """A new try at a practice assignment: its set, laid out now (option order fixed), and its row."""
    ids = [qid for qid in assignment.question_ids or [] if qid in course.by_id]
    practice_set = PracticeSet(user_id=user_id, course_id=course.id, scope_kind="assignment",
                               scope_id=str(assignment.id), mode=SET_MODE, question_ids=ids, created_at=moment)
    practice_set.deliveries = [
        Delivery(user_id=user_id, position=position, question_id=qid,
                 layout=question_type(course.by_id[qid]).layout(course.by_id[qid], source), presented_at=moment)
        for position, qid in enumerate(ids)]
    db.session.add(practice_set)
    db.session.flush()
    submission = Submission(assignment_id=assignment.id, user_id=user_id, number=number, set_id=practice_set.id,
                            started_at=moment, max_score=max_points(course, ids))
    db.session.add(submission)
    return submission


def record_paper(assignment: Assignment, user_id: int, number: int, paper: ExamPaper) -> Submission:
    """A new try at an exam assignment, answered on `paper` (already added and flushed)."""
    submission = Submission(assignment_id=assignment.id, user_id=user_id, number=number, paper_id=paper.id,
                            started_at=paper.started_at, max_score=paper.max_score)
    db.session.add(submission)
    return submission


def of_set(set_id: int) -> tuple[Assignment, Submission] | None:
    row = db.session.execute(select(Assignment, Submission).join(Submission, Submission.assignment_id == Assignment.id)
                             .where(Submission.set_id == set_id)).first()
    return (row[0], row[1]) if row else None


def of_paper(paper_id: int) -> tuple[Assignment, Submission] | None:
    row = db.session.execute(select(Assignment, Submission).join(Submission, Submission.assignment_id == Assignment.id)
                             .where(Submission.paper_id == paper_id)).first()
    return (row[0], row[1]) if row else None


def finish_set_if_done(set_id: int, moment: datetime) -> None:
    """Once every question of a try's set is answered, the try is submitted with its score. Called
    after each answer, in its transaction; a later call changes nothing."""
    found = of_set(set_id)
    if found is None:
        return
    assignment, submission = found
    if submission.submitted_at is not None:
        return
    waiting = db.session.scalar(select(func.count()).select_from(Delivery).where(
        Delivery.set_id == set_id, ~select(Attempt.id).where(Attempt.delivery_id == Delivery.id).exists()))
    if waiting:
        return
    score = db.session.scalar(select(func.coalesce(func.sum(Attempt.score), 0.0))
                              .join(Delivery, Attempt.delivery_id == Delivery.id).where(Delivery.set_id == set_id))
    db.session.execute(update(Submission).where(Submission.id == submission.id, Submission.submitted_at.is_(None))
                       .values(submitted_at=moment, score=float(score or 0.0),
                               late=rules.past_due(assignment, moment)))


def refresh_score(attempt: Attempt) -> None:
    """An answer's score changed after the try was submitted (人工复核): the try's score follows."""
    set_id = db.session.scalar(select(Delivery.set_id).where(Delivery.id == attempt.delivery_id)) \
        if attempt.delivery_id else None
    if set_id is not None:
        score = select(func.coalesce(func.sum(Attempt.score), 0.0)).join(
            Delivery, Attempt.delivery_id == Delivery.id).where(Delivery.set_id == set_id).scalar_subquery()
        db.session.execute(update(Submission).where(Submission.set_id == set_id, Submission.submitted_at.is_not(None))
                           .values(score=score))
    elif attempt.paper_id is not None:
        score = select(func.coalesce(func.sum(Attempt.score), 0.0)).where(
            Attempt.paper_id == attempt.paper_id).scalar_subquery()
        db.session.execute(update(Submission).where(Submission.paper_id == attempt.paper_id,
                                                    Submission.submitted_at.is_not(None)).values(score=score))


def finish_paper(paper: ExamPaper) -> None:
    """A handed-in paper that was an assignment's try: the try is submitted with the paper's score."""
    found = of_paper(paper.id)
    if found is None or paper.submitted_at is None:
        return
    assignment, submission = found
    db.session.execute(update(Submission).where(Submission.id == submission.id, Submission.submitted_at.is_(None))
                       .values(submitted_at=paper.submitted_at, score=paper.score, max_score=paper.max_score,
                               late=rules.past_due(assignment, paper.submitted_at)))


# (kind, id, question ids) of the student's classes' open assignments that show answers only
# after the due time; bound: user_id, moment. A prebuilt query, so that a caller can read it
# with others in one statement.
WITHHELD_ASSIGNMENTS = (select(Assignment.kind, Assignment.id, Assignment.question_ids)
                        .join(ClassMember, ClassMember.class_id == Assignment.class_id)
                        .where(ClassMember.user_id == bindparam("user_id"), ClassMember.role == MEMBER_STUDENT,
                               Assignment.show_answers == SHOW_AFTER_DUE, Assignment.opens_at <= bindparam("moment"),
                               Assignment.due_at >= bindparam("moment")))


def withheld_questions(user_id: int, rows: Iterable[tuple[str, int, Any]]) -> frozenset[str]:
    """Questions whose keys, 解析 and verdicts a student may not see yet, from the rows of
    WITHHELD_ASSIGNMENTS: a practice assignment's questions; for an exam assignment, the
    questions of the papers they drew for it."""
    hidden: set[str] = set()
    exams = []
    for kind, assignment_id, question_ids in rows:
        if kind == PRACTICE_ASSIGNMENT:
            hidden.update(question_ids or ())
        elif kind == EXAM_ASSIGNMENT:
            exams.append(assignment_id)
    if exams:
        items: Any
        for items in db.session.scalars(select(ExamPaper.items).join(Submission, Submission.paper_id == ExamPaper.id)
                                        .where(Submission.user_id == user_id, Submission.assignment_id.in_(exams))):
            hidden.update(item["question_id"] for item in items)
    return frozenset(hidden)
