"""Learner state at scale for the benchmarks, written with bulk inserts straight into the schema.

1,000 students × 1,000 answers (1,000,000 `attempts` rows) with their per-question summaries,
review cards and 50 mock exams; plus one benchmark student with practice sets laid out and
waiting to be answered. Answers pick questions of the real chapter bank.
"""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import insert

from tutor.extensions import db
from tutor.models import (Attempt, Delivery, ExamAnswer, ExamPaper, PracticeSet, ReviewCard,
                          StudentQuestion, User)
from tutor import passwords

PASSWORD = "基准 测试 密码 2026"
NOW = datetime(2026, 11, 29, 2, 0)


def _chunks(rows: list[dict[str, Any]], size: int = 20_000) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _bulk(model: Any, rows: list[dict[str, Any]]) -> None:
    for chunk in _chunks(rows):
        db.session.execute(insert(model), chunk)
    db.session.commit()


def seed(course: Any, students: int, answers: int, exams: int, bench_sets: int, rng: random.Random) -> dict[str, Any]:
    """Fill an empty database (inside an app context). Returns ids the scenarios need."""
    password_hash = passwords.hash_password(PASSWORD)
    users = [{"id": i + 1, "username": f"student{i:04d}", "password_hash": password_hash, "role": "student",
              "created_at": NOW - timedelta(days=90), "active": True, "session_token": f"tok{i}"}
             for i in range(students)]
    bench_id, teacher_id = students + 1, students + 2
    users += [{"id": bench_id, "username": "bench", "password_hash": password_hash, "role": "student",
               "created_at": NOW, "active": True, "session_token": "tokbench"},
              {"id": teacher_id, "username": "teacher", "password_hash": password_hash, "role": "instructor",
               "created_at": NOW, "active": True, "session_token": "tokteacher"}]
    for user in users:
        user["username_key"] = user["username"]     # already lower case
    _bulk(User, users)

    questions = [q.id for q in course.questions]
    versions = course.versions
    attempts: list[dict[str, Any]] = []
    summary: dict[tuple[int, str], dict[str, Any]] = {}
    attempt_id = 0
    for user in users[:students]:
        ability = rng.uniform(0.35, 0.95)
        mine = rng.sample(questions, k=min(len(questions), rng.randint(120, len(questions))))
        for n in range(answers):
            qid = rng.choice(mine)
            correct = rng.random() < ability
            attempt_id += 1
            at = NOW - timedelta(days=60) + timedelta(seconds=n * 60 * 60 * 24 * 60 // answers + rng.randint(0, 50))
            attempts.append({"id": attempt_id, "user_id": user["id"], "delivery_id": None, "paper_id": None,
                             "item_index": None, "course_id": course.id, "question_id": qid,
                             "question_version": versions[qid], "response": "A", "correct": correct,
                             "score": 1.0 if correct else 0.0, "max_score": 1.0, "seconds": 30.0,
                             "mode": "random", "created_at": at})
            key = (user["id"], qid)
            row = summary.get(key)
            if row is None:
                summary[key] = {"user_id": user["id"], "course_id": course.id, "question_id": qid, "attempts": 1,
                                "correct": int(correct), "last_correct": correct, "last_at": at,
                                "first_attempt_id": attempt_id, "first_fraction": 1.0 if correct else 0.0}
            else:
                row["attempts"] += 1
                row["correct"] += int(correct)
                row["last_correct"], row["last_at"] = correct, at
    _bulk(Attempt, attempts)
    _bulk(StudentQuestion, list(summary.values()))
    cards = []
    for (user_id, qid), row in summary.items():
        due = NOW + timedelta(days=rng.uniform(-10, 30))
        cards.append({"user_id": user_id, "course_id": course.id, "question_id": qid, "state": 2,
                      "card": {"card_id": rng.randrange(10**12), "state": 2, "step": None, "stability": 8.0,
                               "difficulty": 5.0, "due": due.isoformat() + "+00:00",
                               "last_review": row["last_at"].isoformat() + "+00:00"},
                      "due": due, "last_review": row["last_at"], "reviews": row["attempts"]})
    _bulk(ReviewCard, cards)

    blueprint = course.manifest.exams[0]
    by_type = defaultdict(list)
    for q in course.questions:
        by_type[q.type].append(q)
    papers, exam_answers, exam_attempts = [], [], []
    for p in range(exams):
        user_id = users[p * max(students // max(exams, 1), 1) % students]["id"]
        items = [{"question_id": q.id, "type": q.type, "points": part.points, "layout": list(range(len(q.options)))
                  if hasattr(q, "options") else []}
                 for part in blueprint.parts for q in rng.sample(by_type[part.type], part.count)]
        started = NOW - timedelta(days=rng.randint(1, 30))
        score = 0.0
        for index, item in enumerate(items):
            correct = rng.random() < 0.65
            score += item["points"] if correct else 0
            attempt_id += 1
            exam_attempts.append({"id": attempt_id, "user_id": user_id, "delivery_id": None, "paper_id": p + 1,
                                  "item_index": index, "course_id": course.id, "question_id": item["question_id"],
                                  "question_version": versions[item["question_id"]], "response": "A",
                                  "correct": correct, "score": float(correct), "max_score": 1.0, "seconds": 60.0,
                                  "mode": "exam", "created_at": started + timedelta(minutes=40)})
            exam_answers.append({"paper_id": p + 1, "item_index": index, "response": "A", "flagged": False,
                                 "updated_at": started})
        total = float(blueprint.total_points)
        papers.append({"id": p + 1, "user_id": user_id, "course_id": course.id, "blueprint_id": blueprint.id,
                       "title": blueprint.title, "items": items, "pass_percent": blueprint.pass_percent,
                       "started_at": started, "deadline": started + timedelta(minutes=45),
                       "submitted_at": started + timedelta(minutes=40), "score": score, "max_score": total,
                       "passed": score >= total * blueprint.pass_percent / 100})
    _bulk(ExamPaper, papers)
    _bulk(ExamAnswer, exam_answers)
    _bulk(Attempt, exam_attempts)

    # The benchmark student's practice sets: single-choice questions, laid out, unanswered.
    singles = [q for q in course.questions if q.type == "single"]
    sets, deliveries = [], []
    first_delivery = 1
    for s in range(bench_sets):
        chosen = rng.sample(singles, 10)
        sets.append({"id": s + 1, "user_id": bench_id, "course_id": course.id, "scope_kind": "all", "scope_id": "",
                     "mode": "random", "question_ids": [q.id for q in chosen], "start_index": None,
                     "created_at": NOW})
        deliveries += [{"id": s * 10 + i + 1, "set_id": s + 1, "user_id": bench_id, "position": i,
                        "question_id": q.id, "layout": list(range(len(q.options))), "presented_at": NOW}
                       for i, q in enumerate(chosen)]
    _bulk(PracticeSet, sets)
    _bulk(Delivery, deliveries)
    _fix_sequences()
    # Fresh statistics, as autovacuum (PostgreSQL) or a routine ANALYZE (SQLite) would leave
    # them on a database that has been running: the planner picks its indexes from them.
    db.session.execute(db.text("ANALYZE"))
    db.session.commit()
    return {"bench_user": "bench", "teacher": "teacher", "first_delivery": first_delivery,
            "deliveries": len(deliveries), "answers": len(attempts), "students": students}


def _fix_sequences() -> None:
    """Explicit ids were inserted: move PostgreSQL's sequences past them."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in ("users", "attempts", "exam_papers", "exam_answers", "practice_sets", "deliveries",
                  "student_questions", "review_cards"):
        db.session.execute(db.text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT max(id) FROM {table}), 1))"))
    db.session.commit()
