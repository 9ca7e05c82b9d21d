"""A short answer's keyword score replaced: by the student's 自评 or an instructor's 人工复核.

The answer's `score` and `correct` become the effective result (the grader's is kept in
`rubric_score`), and what the answers taught the system about the student, the per-question
summary, the FSRS card and the notebook entry, is rebuilt by replaying the student's answers to
the question in order: the same steps `learning` takes at each answer, so the result is what it
would have been had the answer been scored so from the start. Rare writes: the ORM is fine.

Mapping (docs/progress.md): 全对 = correct, full marks, FSRS Good; 部分 = not correct, half
marks, FSRS Hard; 不会 = wrong, no marks, FSRS Again. In a case, the 自评 stands for its short
sub-questions' points only; its other sub-questions keep the points they were graded. A review sets the score; correct when full,
FSRS Good if correct and Again if not, as for a keyword score.
"""
from __future__ import annotations

from datetime import datetime

from fsrs import Card, Rating
from sqlalchemy import delete, select

from tutor.content.course import Course
from tutor.coursework import tries
from tutor.extensions import db
from tutor.learning import SCHEDULER, aware_utc, naive_utc
from tutor.models import Attempt, ExamPaper, NotebookEntry, ReviewCard, StudentQuestion
from tutor.questions import Grade, question_type
from tutor.stored_grade import stored_grade

SELF_ASSESSMENTS = {"right": "全对", "partial": "部分", "wrong": "不会"}
_SELF_FRACTION = {"right": 1.0, "partial": 0.5, "wrong": 0.0}


def self_assess(attempt: Attempt, verdict: str, course: Course) -> None:
    """The student's 自评 of a short answer. An instructor's review, once given, stands."""
    if verdict not in SELF_ASSESSMENTS:
        raise ValueError(verdict)
    _keep_rubric_score(attempt)
    attempt.self_assessment = verdict
    if attempt.reviewed_score is None:
        kept, judged = rubric_share(course, attempt)
        attempt.score = kept + judged * _SELF_FRACTION[verdict]
        attempt.correct = attempt.score >= attempt.max_score
    replay(attempt, course)


def rubric_share(course: Course, attempt: Attempt) -> tuple[float, float]:
    """The points of an answer that the keyword rubric did not decide (kept as graded) and those
    it did (which the 自评 replaces): all of a short answer's; a case's short sub-questions'."""
    q = course.by_id.get(attempt.question_id)
    if q is None or attempt.parts is None:
        return 0.0, attempt.max_score
    kind = question_type(q)
    subs = getattr(q, kind.part_list, ()) if kind.part_list else ()
    graded = stored_grade(q, attempt.correct, attempt.keyword_score, attempt.max_score, attempt.parts).parts
    if not subs or not all(isinstance(part, Grade) for part in graded):
        return 0.0, attempt.max_score
    kept = sum(part.score for sub, part in zip(subs, graded) if not question_type(sub).rubric_scored(sub))
    judged = sum(part.max_score for sub, part in zip(subs, graded) if question_type(sub).rubric_scored(sub))
    return kept, judged


def review(attempt: Attempt, score: float, reviewer_id: int, moment: datetime, course: Course) -> None:
    """An instructor's score for an answer: it becomes the answer's score."""
    if not 0 <= score <= attempt.max_score:
        raise ValueError(score)
    _keep_rubric_score(attempt)
    attempt.reviewed_score, attempt.reviewed_by, attempt.reviewed_at = score, reviewer_id, moment
    attempt.score, attempt.correct = score, score >= attempt.max_score
    replay(attempt, course)
    if attempt.paper_id is not None:
        _rescore_paper(attempt.paper_id)
    tries.refresh_score(attempt)


def _keep_rubric_score(attempt: Attempt) -> None:
    if attempt.rubric_score is None:
        attempt.rubric_score = attempt.score


def rating(attempt: Attempt) -> Rating:
    if attempt.reviewed_score is None and attempt.self_assessment == "partial":
        return Rating.Hard
    return Rating.Good if attempt.correct else Rating.Again


def replay(reassessed: Attempt, course: Course) -> None:
    """Rebuild the student's summary, FSRS card and notebook entry for the reassessed answer's
    question from all their answers to it."""
    user_id, question_id = reassessed.user_id, reassessed.question_id
    db.session.flush()
    answers = list(db.session.scalars(select(Attempt).where(
        Attempt.user_id == user_id, Attempt.course_id == course.id, Attempt.question_id == question_id)
        .order_by(Attempt.created_at, Attempt.id)))
    if not answers:
        return
    key = (StudentQuestion.user_id == user_id, StudentQuestion.course_id == course.id,
           StudentQuestion.question_id == question_id)
    summary = db.session.scalar(select(StudentQuestion).where(*key))
    if summary is not None:
        first, last = answers[0], answers[-1]
        summary.attempts, summary.correct = len(answers), sum(a.correct for a in answers)
        summary.last_correct, summary.last_at = last.correct, last.created_at
        summary.first_attempt_id = first.id
        summary.first_fraction = first.score / first.max_score if first.max_score else 0.0
    _replay_card(user_id, course.id, question_id, answers)
    _replay_notebook(user_id, course, question_id, answers, reassessed)


def _replay_card(user_id: int, course_id: str, question_id: str, answers: list[Attempt]) -> None:
    row = db.session.scalar(select(ReviewCard).where(
        ReviewCard.user_id == user_id, ReviewCard.course_id == course_id, ReviewCard.question_id == question_id))
    if row is None:
        return
    card = Card(card_id=row.card["card_id"], due=aware_utc(answers[0].created_at))
    for answer in answers:
        card, _ = SCHEDULER.review_card(card, rating(answer), aware_utc(answer.created_at))
    row.card, row.state, row.due = dict(card.to_dict()), int(card.state), naive_utc(card.due)
    row.last_review, row.reviews = answers[-1].created_at, len(answers)


def _replay_notebook(user_id: int, course: Course, question_id: str, answers: list[Attempt],
                     reassessed: Attempt) -> None:
    """错题本 as `learning._notebook_change` would have left it. A student may take an entry out by
    hand (移出错题本), which the answers do not record: a missing entry comes back only when the
    reassessment itself turned an answer wrong, never because of the mistakes the student cleared."""
    clear_after = course.manifest.settings.notebook_clear_after
    entry: dict | None = None
    for answer in answers:
        if not answer.correct:
            if entry is None:
                entry = {"added_at": answer.created_at, "wrong_count": 0, "blank_count": 0}
            # a blank mock-exam item is stored with no response (未作答), as learning.prepare counts it
            entry.update(streak=0, wrong_count=entry["wrong_count"] + 1, last_wrong_at=answer.created_at,
                         blank_count=entry["blank_count"] + int(answer.response is None))
        elif entry is not None:
            entry["streak"] += 1
            if entry["streak"] >= clear_after:
                entry = None
    key = (NotebookEntry.user_id == user_id, NotebookEntry.course_id == course.id,
           NotebookEntry.question_id == question_id)
    row = db.session.scalar(select(NotebookEntry).where(*key))
    if entry is None:
        if row is not None:
            db.session.execute(delete(NotebookEntry).where(*key))
        return
    if row is None:
        if reassessed.correct:
            return
        row = NotebookEntry(user_id=user_id, course_id=course.id, question_id=question_id)
        db.session.add(row)
    for name, value in entry.items():
        setattr(row, name, value)


def _rescore_paper(paper_id: int) -> None:
    """A reviewed exam answer: the paper's total and verdict follow its items' stored scores."""
    paper = db.session.get(ExamPaper, paper_id)
    if paper is None or paper.score is None:
        return
    db.session.flush()
    fractions = {a.item_index: (a.score / a.max_score if a.max_score else 0.0) for a in db.session.scalars(
        select(Attempt).where(Attempt.paper_id == paper_id))}
    paper.score = sum(item["points"] * fractions.get(index, 0.0) for index, item in enumerate(paper.items))
    paper.passed = paper.score >= paper.max_score * paper.pass_percent / 100
