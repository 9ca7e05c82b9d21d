"""Seed learner state through the app's own recording code, for progress and report tests."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Flask

from tutor import learning
from tutor.exam import _finish
from tutor.extensions import db
from tutor.models import STUDENT, ExamAnswer, ExamPaper
from tutor.questions import question_type

from conftest import make_user


def student(app: Flask, name: str) -> int:
    return make_user(app, name, STUDENT)


def answer(app: Flask, user_id: int, question_id: str, correct: bool, at: datetime, mode: str = "random") -> None:
    """Record one answer as practice does: graded, stored, notebook and review updated."""
    with app.app_context():
        course = app.extensions["tutor_content"].catalog.course("chapter8")
        q = course.by_id[question_id]
        key = question_type(q).correct_response(q)
        response = key if correct else _wrong(q, key)
        from tutor.questions import grade
        result = grade(q, response, course.grading)
        assert result.correct == correct, q.id
        learning.record(user_id, course, q, response, result, now=at, mode=mode, seconds=20.0)
        db.session.commit()


def _wrong(q, key):
    if q.type == "truefalse":
        return not key
    if q.type == "single":
        return next(letter for letter in "ABCDEFGH"[:len(q.options)] if letter != key)
    if q.type == "multiple":
        return [key[0]]
    return None


def exam(app: Flask, user_id: int, question_ids: list[str], right: set[int], started: datetime,
         points: int = 1) -> int:
    """A submitted mock exam paper over fixed questions, graded by the real finishing code."""
    with app.app_context():
        course = app.extensions["tutor_content"].catalog.course("chapter8")
        items = [{"question_id": qid, "type": course.by_id[qid].type, "points": points,
                  "layout": question_type(course.by_id[qid]).layout(course.by_id[qid], None)}
                 for qid in question_ids]
        paper = ExamPaper(user_id=user_id, course_id=course.id, blueprint_id="mock", title="测试卷",
                          items=items, pass_percent=60, started_at=started,
                          deadline=started + timedelta(minutes=45), max_score=float(points * len(items)))
        db.session.add(paper)
        db.session.flush()
        for index, qid in enumerate(question_ids):
            q = course.by_id[qid]
            key = question_type(q).correct_response(q)
            db.session.add(ExamAnswer(paper_id=paper.id, item_index=index,
                                      response=key if index in right else _wrong(q, key)))
        db.session.commit()
        app.extensions["tutor_clock"] = lambda: started + timedelta(minutes=30)
        _finish(paper, course)
        return paper.id
