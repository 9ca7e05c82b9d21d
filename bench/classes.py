"""Classes at scale: the class pages of one 1,000-student class on a server of 50 such classes.

    python bench/classes.py                   # PostgreSQL (TUTOR_BENCH_PG, database tutor_bench_classes)
    python bench/classes.py --sqlite          # PostgreSQL, then the same on SQLite
    python bench/classes.py --no-postgres --classes 2 --students 20 --requests 3   # the smoke test

It seeds 50 classes × 1,000 students (50,000 accounts, 学号 as username and a 姓名), each with
30-80 answers over the chapter's real questions (their `student_questions` summaries and review
cards kept as tutor/learning.py keeps them), a mock exam for one student in twenty, and, in the
measured class, 5 practice assignments (作业) of 20 questions with tries by ~80% of its students
(practice sets, deliveries, answers, submissions; some late). Big tables go in with COPY on
PostgreSQL and multi-row Core inserts on SQLite.

Then it starts the app under gunicorn (one worker, TUTOR_REPORT_CACHE_SECONDS=0 so every report is
made afresh), logs in as the class's teacher and times each page ~20 times, one request at a time:
the class overview, the heatmap, the item analysis, the class roster (page 1 and a search) and
the assignment report, if that route exists yet. Prints a table (p50/p95/max in ms).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import urllib.parse
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterable, Sequence

from sqlalchemy import JSON

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import perf  # noqa: E402
import seed as seeding  # noqa: E402

PG = os.environ.get("TUTOR_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/tutor_bench") + "_classes"
NOW = seeding.NOW
TARGET_MS = 300          # the class overview and the assignment report, made afresh
TARGETS = {"class overview": TARGET_MS, "assignment report": TARGET_MS}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力梅鑫宇浩凯佳欣怡雪琳晨阳博轩子涵思雨梓萱一诺"


# --- writing rows fast ------------------------------------------------------------------------

class Writer:
    """Rows into a table: COPY on PostgreSQL (the fastest way in), multi-row inserts elsewhere."""

    def __init__(self, db: Any) -> None:
        self.db = db
        self.postgres = db.engine.dialect.name == "postgresql"
        self.rows: dict[str, int] = {}

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        self.rows[table] = self.rows.get(table, 0) + len(rows)
        if not rows:
            return
        model = self.db.metadata.tables[table]
        if self.postgres:
            # COPY takes JSON columns as their text; the ORM's inserts serialise them themselves.
            encoded = [i for i, name in enumerate(columns) if isinstance(model.c[name].type, JSON)]
            if encoded:
                rows = [tuple(js(v) if i in encoded else v for i, v in enumerate(row)) for row in rows]
            connection = self.db.session.connection().connection.driver_connection
            with connection.cursor() as cursor:
                # A bulk load, as pg_restore does it: no foreign-key triggers (the rows are made
                # consistent here), no wait for the WAL on each commit.
                cursor.execute("SET session_replication_role = replica")
                cursor.execute("SET synchronous_commit = off")
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            for start in range(0, len(rows), 5_000):
                self.db.session.execute(model.insert(), [dict(zip(columns, row)) for row in rows[start:start + 5_000]])
        self.db.session.commit()

    def without_indexes(self, tables: Sequence[str]) -> list[Any]:
        """Drop the secondary indexes of the big tables for the load (one sort per index at the
        end is several times cheaper than keeping them up to date row by row); returns them
        for `recreate`, made from the models, so the same definitions come back."""
        dropped = [index for table in tables for index in self.db.metadata.tables[table].indexes]
        with self.db.engine.begin() as connection:
            for index in dropped:
                index.drop(connection)
        return dropped

    def recreate(self, indexes: list[Any]) -> None:
        self.db.session.commit()
        with self.db.engine.begin() as connection:
            if self.postgres:
                connection.exec_driver_sql("SET maintenance_work_mem = '256MB'")
            for index in indexes:
                index.create(connection)


BIG_TABLES = ("attempts", "student_questions", "review_cards", "class_members", "submissions")


def js(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


# --- seeding ----------------------------------------------------------------------------------

def response_for(q: Any, kind: Any, correct: bool) -> Any:
    """A stored response of the question's own form: its key when right, a wrong option when not."""
    key = kind.correct_response(q)
    if correct:
        return key
    if q.type == "single":
        return next(letter for letter in "ABCDEFGH"[:len(q.options)] if letter != key)
    if q.type == "truefalse":
        return not key
    if q.type == "multiple":
        return [next(letter for letter in "ABCDEFGH"[:len(q.options)] if letter not in key)]
    return None


def seed_classes(db: Any, course: Any, classes: int, students: int, assignments: int, rng: random.Random) -> dict[str, Any]:
    """Fill an empty database (inside an app context). Class 1 (teacher00) is the measured one."""
    from tutor import passwords
    from tutor.models import username_key
    from tutor.questions import question_type
    w = Writer(db)
    indexes = w.without_indexes(BIG_TABLES)
    password_hash = passwords.hash_password(seeding.PASSWORD)
    questions = list(course.questions)
    kinds = {q.id: question_type(q) for q in questions}
    versions = course.versions
    blueprint = course.manifest.exams[0]
    by_type: dict[str, list[Any]] = {}
    for q in questions:
        by_type.setdefault(q.type, []).append(q)
    user_cols = ("id", "username", "username_key", "password_hash", "role", "created_at", "active", "session_token",
                 "must_change_password", "display_name")
    w.write("users", user_cols, [(c + 1, f"teacher{c:02d}", f"teacher{c:02d}", password_hash, "instructor",
                                  NOW - timedelta(days=200), True, f"tokt{c}", False, f"老师{c:02d}")
                                 for c in range(classes)])
    w.write("classes", ("id", "name", "course_id", "join_code", "created_by", "created_at", "archived_at"),
            [(c + 1, f"外贸{2026}级{c + 1}班", course.id, f"BENCH{c:04d}", c + 1, NOW - timedelta(days=150), None)
             for c in range(classes)])
    assignment_rows, measured_sets = [], []
    for a in range(assignments):
        opens = NOW - timedelta(days=30 - a * 5)
        ids = [q.id for q in rng.sample(questions, 20)]
        assignment_rows.append((a + 1, 1, course.id, f"第 {a + 1} 次作业", "practice", ids, None, opens,
                                opens + timedelta(days=4), 1, "each", "accept", 1, opens))
        measured_sets.append((a + 1, opens, ids))
    w.write("assignments", ("id", "class_id", "course_id", "title", "kind", "question_ids", "blueprint_id", "opens_at",
                            "due_at", "attempts_allowed", "show_answers", "late_policy", "created_by", "created_at"),
            assignment_rows)

    attempt_id = paper_id = set_id = delivery_id = submission_id = 0
    member_id = 0
    user_id = classes
    for c in range(classes):
        users, members, papers, sets, deliveries, attempts, summaries, cards, submissions = ([] for _ in range(9))
        member_id += 1
        members.append((member_id, c + 1, c + 1, "teacher", NOW - timedelta(days=150)))
        for n in range(students):
            user_id += 1
            number = f"2026{c + 1:02d}{n + 1:04d}"      # 学号
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
            users.append((user_id, number, username_key(number), password_hash, "student", NOW - timedelta(days=120),
                          True, f"tok{user_id}", False, name))
            member_id += 1
            members.append((member_id, c + 1, user_id, "student", NOW - timedelta(days=rng.uniform(90, 120))))
            ability = rng.uniform(0.35, 0.95)
            # (when, question id, correct, delivery id, paper id, item index, mode)
            events: list[tuple[datetime, str, bool, int | None, int | None, int | None, str]] = []
            for _ in range(rng.randint(30, 80)):
                when = NOW - timedelta(days=rng.uniform(0, 60))
                events.append((when, rng.choice(questions).id, rng.random() < ability, None, None, None, "random"))
            if rng.random() < 0.05:          # one student in twenty sat a mock exam
                paper_id += 1
                started = NOW - timedelta(days=rng.uniform(1, 30))
                items = [{"question_id": q.id, "type": q.type, "points": part.points,
                          "layout": list(range(len(q.options))) if hasattr(q, "options") else []}
                         for part in blueprint.parts for q in rng.sample(by_type[part.type], part.count)]
                score = 0.0
                for index, item in enumerate(items):
                    right = rng.random() < ability
                    score += item["points"] if right else 0
                    events.append((started + timedelta(minutes=40), item["question_id"], right, None, paper_id, index,
                                   "exam"))
                total = float(blueprint.total_points)
                papers.append((paper_id, user_id, course.id, blueprint.id, blueprint.title, items,
                               blueprint.pass_percent, started, started + timedelta(minutes=45),
                               started + timedelta(minutes=40), score, total, score >= total * blueprint.pass_percent / 100))
            if c == 0:                       # the measured class's assignments: ~80% try each
                for a, opens, ids in measured_sets:
                    if rng.random() >= 0.8:
                        continue
                    set_id += 1
                    started = opens + timedelta(hours=rng.uniform(1, 110))
                    late = rng.random() < 0.1
                    done = opens + timedelta(days=4, hours=rng.uniform(1, 30)) if late else started + timedelta(minutes=25)
                    sets.append((set_id, user_id, course.id, "assignment", str(a), "assignment", ids, None, done, started))
                    score = 0.0
                    for position, qid in enumerate(ids):
                        delivery_id += 1
                        q = course.by_id[qid]
                        deliveries.append((delivery_id, set_id, user_id, position, qid, kinds[qid].layout(q, rng),
                                           started))
                        right = rng.random() < ability
                        score += float(right)
                        events.append((started + timedelta(minutes=position + 1), qid, right, delivery_id, None, None,
                                       "assignment"))
                    submission_id += 1
                    submissions.append((submission_id, a, user_id, 1, set_id, None, started, done, score, 20.0, late))
            events.sort(key=lambda e: e[0])
            summary: dict[str, list[Any]] = {}
            for when, qid, right, delivery, paper, index, mode in events:
                attempt_id += 1
                q = course.by_id[qid]
                attempts.append((attempt_id, user_id, delivery, paper, index, course.id, qid, versions[qid],
                                 response_for(q, kinds[qid], right), right, float(right), 1.0, 30.0, mode, when))
                row = summary.get(qid)
                if row is None:
                    summary[qid] = [1, int(right), right, when, attempt_id, float(right)]
                else:
                    row[0] += 1
                    row[1] += int(right)
                    row[2], row[3] = right, when
            for qid, (count, right_count, last_right, last_at, first_id, first_fraction) in summary.items():
                summaries.append((user_id, course.id, qid, count, right_count, last_right, last_at, first_id,
                                  first_fraction))
                due = NOW + timedelta(days=rng.uniform(-10, 30))
                card = {"card_id": rng.randrange(10**12), "state": 2, "step": None, "stability": 8.0, "difficulty": 5.0,
                        "due": due.isoformat() + "+00:00", "last_review": last_at.isoformat() + "+00:00"}
                cards.append((user_id, course.id, qid, card, 2, due, last_at, count))
        w.write("users", user_cols, users)
        w.write("class_members", ("id", "class_id", "user_id", "role", "added_at"), members)
        w.write("exam_papers", ("id", "user_id", "course_id", "blueprint_id", "title", "items", "pass_percent",
                                "started_at", "deadline", "submitted_at", "score", "max_score", "passed"), papers)
        w.write("practice_sets", ("id", "user_id", "course_id", "scope_kind", "scope_id", "mode", "question_ids",
                                  "start_index", "last_answered_at", "created_at"), sets)
        w.write("deliveries", ("id", "set_id", "user_id", "position", "question_id", "layout", "presented_at"),
                deliveries)
        w.write("attempts", ("id", "user_id", "delivery_id", "paper_id", "item_index", "course_id", "question_id",
                             "question_version", "response", "correct", "score", "max_score", "seconds", "mode",
                             "created_at"), attempts)
        w.write("student_questions", ("user_id", "course_id", "question_id", "attempts", "correct", "last_correct",
                                      "last_at", "first_attempt_id", "first_fraction"), summaries)
        w.write("review_cards", ("user_id", "course_id", "question_id", "card", "state", "due", "last_review",
                                 "reviews"), cards)
        w.write("submissions", ("id", "assignment_id", "user_id", "number", "set_id", "paper_id", "started_at",
                                "submitted_at", "score", "max_score", "late"), submissions)
    w.recreate(indexes)
    if w.postgres:
        seeding._fix_sequences()
        for table in ("classes", "class_members", "assignments", "submissions"):
            db.session.execute(db.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                       f"COALESCE((SELECT max(id) FROM {table}), 1))"))
    db.session.commit()
    # As autovacuum leaves a running server's tables: fresh statistics, and (PostgreSQL) the
    # visibility map set, without which no index-only scan is planned on freshly loaded rows.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE" if w.postgres else "ANALYZE")
    return {"rows": w.rows, "teacher": "teacher00", "class_id": 1,
            "search": users_of_first_class_name(db), "assignment_id": 1 if assignments else None}


def users_of_first_class_name(db: Any) -> str:
    """A surname to search the measured class for: one that many of its students share."""
    from sqlalchemy import func, select
    from tutor.models import ClassMember, User
    first = func.substr(User.display_name, 1, 1)
    return db.session.execute(select(first, func.count()).join(ClassMember, ClassMember.user_id == User.id)
                              .where(ClassMember.class_id == 1, ClassMember.role == "student")
                              .group_by(first).order_by(func.count().desc(), first)).first()[0]


def build(database: str, classes: int, students: int, assignments: int,
          reuse: bool = False) -> tuple[dict[str, Any], bool]:
    """A fresh database, seeded (or, `reuse`, the one a previous run seeded); whether the app
    has the assignment report route."""
    from tutor import create_app
    from tutor.extensions import db
    if not reuse:
        perf.reset(database)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": "bench-secret"})
    has_report = "assignments.report" in {rule.endpoint for rule in app.url_map.iter_rules()}
    if reuse:
        with app.app_context():
            rows = {t: db.session.scalar(db.text(f"SELECT count(*) FROM {t}")) for t in
                    ("users", "class_members", "attempts", "student_questions", "review_cards", "assignments",
                     "submissions", "exam_papers")}
            info = {"rows": rows, "teacher": "teacher00", "class_id": 1, "search": users_of_first_class_name(db),
                    "assignment_id": 1, "seed_seconds": None}
            db.engine.dispose()
        return info, has_report
    started = time.perf_counter()
    with app.app_context():
        info = seed_classes(db, app.extensions["tutor_content"].catalog.course("chapter8"), classes, students,
                            assignments, random.Random(18))
        db.engine.dispose()
    info["seed_seconds"] = round(time.perf_counter() - started, 1)
    return info, has_report


# --- measuring --------------------------------------------------------------------------------

def measure(kind: str, database: str, classes: int, students: int, requests: int, log: Path,
            reuse: bool = False) -> dict[str, Any]:
    info, has_report = build(database, classes, students, assignments=5, reuse=reuse)
    rows = info["rows"]
    print(f"  {'reused' if reuse else 'seeded'} {kind} in {info['seed_seconds']} s: {rows['users']:,} users, {rows['attempts']:,} answers, "
          f"{rows['student_questions']:,} per-question summaries, {rows['submissions']:,} submissions", flush=True)
    env = {**perf.app_env(database), "TUTOR_REPORT_CACHE_SECONDS": "0"}
    process, base = perf.gunicorn("tutor:create_app()", env, 1, ROOT, log)
    pages: list[dict[str, Any]] = []
    try:
        cookie, _ = perf.login(base, info["teacher"])
        cid = info["class_id"]
        search = urllib.parse.quote(info["search"])
        scenarios = [("class overview", f"/instructor/?class={cid}"),
                     ("heatmap", f"/instructor/heatmap?class={cid}"),
                     ("item analysis", f"/instructor/items?class={cid}"),
                     ("class roster, page 1", f"/classes/{cid}"),
                     ("class roster, search (a surname)", f"/classes/{cid}?q={search}"),
                     ("class overview, search (a surname)", f"/instructor/?class={cid}&q={search}")]
        if has_report and info["assignment_id"]:
            scenarios.append(("assignment report", f"/assignments/{info['assignment_id']}/report"))
        else:
            print("  assignment report: route not built yet", flush=True)
        for name, path in scenarios:
            url = perf.signed_in_page(base + path, cookie)
            figures = perf.timed_gets(url, cookie, requests)
            target = TARGETS.get(name)
            pages.append({"db": kind, "page": name, **figures, "target_ms": target,
                          "ok": None if target is None else figures["p95_ms"] < target})
    finally:
        perf.stop(process)
    if not has_report:
        pages.append({"db": kind, "page": "assignment report", "missing": "route not built yet"})
    return {"db": kind, "seed_seconds": info["seed_seconds"], "rows": rows, "pages": pages}


def table(results: list[dict[str, Any]]) -> str:
    lines = [f"{'db':<11}{'page':<34}{'n':>4}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  target"]
    for result in results:
        for p in result["pages"]:
            if "missing" in p:
                lines.append(f"{p['db']:<11}{p['page']:<34}  {p['missing']}")
                continue
            verdict = "" if p["target_ms"] is None else f"p95 < {p['target_ms']} {'PASS' if p['ok'] else 'FAIL'}"
            lines.append(f"{p['db']:<11}{p['page']:<34}{p['requests']:>4}{p['p50_ms']:>9.1f}{p['p95_ms']:>9.1f}"
                         f"{p['max_ms']:>9.1f}  {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--classes", type=int, default=50)
    parser.add_argument("--students", type=int, default=1000, help="per class")
    parser.add_argument("--requests", type=int, default=20, help="per page")
    parser.add_argument("--sqlite", action="store_true", help="measure on SQLite as well")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--out", type=Path, help="also write the figures here as JSON")
    parser.add_argument("--reuse", action="store_true",
                        help="measure the PostgreSQL database a previous run seeded (no seeding)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="tutor-bench-classes-"))
    log = work / "servers.log"
    targets = ([] if args.no_postgres else [("postgresql", PG)]) + \
        ([("sqlite", f"sqlite:///{work / 'classes.sqlite'}")] if args.sqlite or args.no_postgres else [])
    results = []
    for kind, database in targets:
        print(f"== {kind}: {args.classes} classes × {args.students} students", flush=True)
        results.append(measure(kind, database, args.classes, args.students, args.requests, log,
                               reuse=args.reuse and kind == "postgresql"))
    print()
    print(table(results))
    if args.out:
        args.out.write_text(json.dumps({"machine": {"cores": os.cpu_count()}, "classes": args.classes,
                                        "students": args.students, "results": results}, indent=2,
                                       ensure_ascii=False, default=str), encoding="utf-8")
    return results


if __name__ == "__main__":
    main()
