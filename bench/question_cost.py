"""Where a practice question's time goes, in-process: the request inplace.js makes for one
question (the answer, answered with the feedback card and the next question's card; a set's
first card is one more request in ten), its SQL statements, CPU per question, and with
--profile the functions of the app that take it.

    python bench/question_cost.py                   # SQLite in a temporary folder
    python bench/question_cost.py --database URL    # emptied and seeded here
    python bench/question_cost.py --profile

It times bench/baseline_app.py's cycle (a template, an insert) the same way, on the same
database. bench/questions.py gives the throughput ratio under gunicorn; this says what a
question costs.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import perf  # noqa: E402
import seed as seeding  # noqa: E402

FRAGMENT = {"X-Fragment": "1"}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="emptied and seeded (default: a new SQLite file)")
    parser.add_argument("--questions", type=int, default=150)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    database = args.database or f"sqlite:///{Path(tempfile.mkdtemp(prefix='tutor-qcost-')) / 'q.sqlite'}"
    needed = 3 * args.questions + 10
    perf.build(database, students=20, answers=50, exams=0, bench_sets=needed // 10 + 1)

    from sqlalchemy import event

    from tutor import create_app
    from tutor.extensions import db
    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": "bench-secret"})
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = perf.USER_AGENT
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/auth/login", data={"csrf_token": token, "username": "bench", "password": seeding.PASSWORD})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").get_data(as_text=True)).group(1)
    deliveries = iter(range(1, needed + 1))

    def one_question() -> None:
        """A set's first card is asked for; after it, each answer comes back with the next card."""
        delivery = next(deliveries)
        set_id = (delivery - 1) // 10 + 1
        if (delivery - 1) % 10 == 0:
            assert client.get(f"/practice/{set_id}", headers=FRAGMENT).status_code == 200
        answered = client.post(f"/practice/{set_id}/answer", headers=FRAGMENT,
                               data={"csrf_token": csrf, "delivery": delivery, "choice": 0})
        assert answered.status_code == 200, answered.status_code

    statements: list[str] = []

    def listener(_c: Any, _cur: Any, sql: str, *_: Any) -> None:
        statements.append(" ".join(sql.split()[:6]))
    one_question()
    one_question()
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", listener)
        one_question()          # the second of its set's answers: one request
        event.remove(db.engine, "before_cursor_execute", listener)
    counted = len(statements)
    print(f"SQL statements per question: {counted}")
    for sql, count in Counter(statements).most_common():
        print(f"  {count} × {sql} …")
    bare = _bare_cycle(database)
    bare()
    sets = max(args.questions // 10, 1)
    ours, theirs = _timed(one_question, sets), _timed(bare, sets)
    figures = {"statements": counted, **ours, **{f"bare_{k}": v for k, v in theirs.items()}}
    print("per question (the answer, with its feedback and the next card; a set's first card once in ten): "
          f"{ours['wall_ms']} ms, {ours['cpu_ms']} ms of CPU; the best set of ten {ours['best_wall_ms']} ms")
    print(f"the bare app's cycle (GET /template, POST /insert), the same way: {theirs['wall_ms']} ms, "
          f"{theirs['cpu_ms']} ms of CPU; the best set of ten {theirs['best_wall_ms']} ms "
          f"(bare / app, best sets: {theirs['best_wall_ms'] / ours['best_wall_ms']:.2f})")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.questions):
            one_question()
        profiler.disable()
        print("\nthe app's functions and templates by cumulative time (cProfile slows small calls most):")
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(r"(/tutor/|/templates/)", 30)
    return figures


def _timed(cycle: Any, sets: int) -> dict[str, float]:
    """Mean wall and CPU milliseconds per question, in sets of ten, and the best set: on a shared
    machine the mean moves by a third from run to run, the best set much less."""
    batches: list[tuple[float, float]] = []
    for _ in range(sets):
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(10):
            cycle()
        batches.append(((time.perf_counter() - started) / 10 * 1000, (time.process_time() - cpu) / 10 * 1000))
    return {"wall_ms": round(statistics.mean(w for w, _ in batches), 2),
            "cpu_ms": round(statistics.mean(c for _, c in batches), 2),
            "best_wall_ms": round(min(w for w, _ in batches), 2)}


def _bare_cycle(database: str) -> Any:
    """bench/baseline_app.py's question in-process on the same database: a template, an insert."""
    import os

    import baseline_app
    os.environ["DATABASE_URL"] = database
    client = baseline_app.create().test_client()

    def cycle() -> None:
        assert client.get("/template").status_code == 200
        assert client.post("/insert", data={"text": "benchmark"}).status_code == 302
    return cycle


if __name__ == "__main__":
    main()
