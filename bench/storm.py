"""The class-start storm: N students log in within 30 s, each sits the mock exam, hands in; then
the teacher opens the class overview and the item analysis.

    python bench/storm.py                                  # N = 50, 100, 200 on SQLite and PostgreSQL
    python bench/storm.py --students 50 --database sqlite --window 120
    python bench/storm.py --quick                          # N = 3, seconds (the smoke test)

The exam is the real one (chapter 8's 40-question blueprint, its real pages and grading), but
a student answers only for a fixed window (--window, 120 s by default) and then hands in, as
the clock would make them: a full paper at 10-20 s a question is 10 minutes a run. What loads
the server is the rate of arrivals, N/30 log-ins a second, and then N/15 answers (and as many
question pages) a second while the class is writing, and the hand-in wave, spread over 30 s
as the log-ins were; the window keeps all three and cuts only the minutes of steady answering
in between. Each page, answer and hand-in costs what it costs with the full paper (the answer
sheet of 40, the grading of 40 items).

Each N gets a fresh database: N students (with 30 earlier answers each) in one class of one
teacher, seeded with bench/seed.py. The app runs under gunicorn with its production settings
(production password hashing, rate limits, report cache): SQLite with 2 workers, PostgreSQL with
4. The crowd is locust (bench/storm_locustfile.py). Prints p50/p95/p99 per request type and
the failures, finds the largest N with every p95 < 300 ms (log-in POST < 1 s) and no failure,
and writes JSON.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import perf  # noqa: E402
import seed as seeding  # noqa: E402
from concurrency import worker_pids  # noqa: E402

PG = os.environ.get("TUTOR_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/tutor_bench_h3")
WORKERS = {"sqlite": 2, "postgresql": 4}
ORDER = ("log-in page", "log-in POST", "exam list", "exam start", "exam question", "answer", "hand-in",
         "result page", "overview", "item analysis")
P95_MS = 300.0
LOGIN_P95_MS = 1000.0
SECRET = "storm-secret"


# --- the database ---------------------------------------------------------------------------

def reset(database: str) -> None:
    """An empty database: SQLite's files removed; on PostgreSQL every table in it dropped, as
    found there (a migration may make tables no model declares), not the database itself: a test
    may hold the shared test database open."""
    if database.startswith("sqlite"):
        path = database.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(path + suffix).unlink(missing_ok=True)
        return
    from sqlalchemy import MetaData, create_engine, text
    from sqlalchemy.engine import make_url
    url = make_url(database)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:          # a new machine has none yet
        if connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                              {"name": url.database}).first() is None:
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()
    engine = create_engine(database)
    with engine.begin() as connection:
        found = MetaData()
        found.reflect(connection)
        found.drop_all(connection)
    engine.dispose()


def seed_class(database: str, students: int, history: int = 30) -> dict[str, Any]:
    """Migrate, then seed `students` students (student0000...), the teacher `teacher` and one
    class of them all; plus one spare student (student<N>) no crowd member logs in as."""
    from sqlalchemy import insert

    from tutor import create_app
    from tutor.extensions import db
    from tutor.models import MEMBER_STUDENT, OWNER, ClassMember, SchoolClass
    from tutor.teaching import new_join_code
    reset(database)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": SECRET})
    started = time.perf_counter()
    with app.app_context():
        course = app.extensions["tutor_content"].catalog.course("chapter8")
        info = seeding.seed(course, students + 1, history, 0, 0, random.Random(8))
        teacher = students + 3       # seed.seed numbers the users: the students, bench, teacher
        school_class = SchoolClass(name="外贸1班", course_id="chapter8", join_code=new_join_code(),
                                   created_by=teacher)
        db.session.add(school_class)
        db.session.flush()
        members = [{"class_id": school_class.id, "user_id": teacher, "role": OWNER}]
        members += [{"class_id": school_class.id, "user_id": i + 1, "role": MEMBER_STUDENT} for i in range(students)]
        db.session.execute(insert(ClassMember), members)
        db.session.commit()
        # A server in service has planner statistics for the answers it holds (autovacuum); a
        # database seeded a moment ago has none, and its plans are made for empty tables.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")
        db.engine.dispose()
    info["seed_seconds"] = round(time.perf_counter() - started, 1)
    return info


def missing_answers(database: str, acknowledged: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The acknowledged answers (user, paper, item) that the database does not hold."""
    from sqlalchemy import create_engine, text
    engine = create_engine(database)
    with engine.connect() as connection:
        stored = {tuple(row) for row in connection.execute(text(
            "SELECT u.username, a.paper_id, a.item_index FROM exam_answers a JOIN exam_papers p ON p.id = a.paper_id "
            "JOIN users u ON u.id = p.user_id WHERE a.response IS NOT NULL"))}
    engine.dispose()
    return [a for a in acknowledged if (a["user"], a["paper"], a["item"]) not in stored]


# --- one run --------------------------------------------------------------------------------

def server_cpu_seconds(master: int) -> float:
    """User + system CPU seconds of the master's live workers (from /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in worker_pids(master):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def crowd(base: str, students: int, window: float, ramp: float, think: tuple[float, float], record: Path,
          teacher_rounds: int = 3, log: Path | None = None) -> dict[str, Any]:
    """The storm's locust crowd against `base`; returns the record the locustfile wrote."""
    rate = students / ramp
    limit = int(ramp + window + think[1] + 120)
    env = {**os.environ, "STORM_USERS": str(students), "STORM_WINDOW": str(window),
           "STORM_THINK_MIN": str(think[0]), "STORM_THINK_MAX": str(think[1]), "STORM_RECORD": str(record),
           "STORM_TEACHER_ROUNDS": str(teacher_rounds), "STORM_TEACHER_WAIT": str(limit - 10)}
    # The teacher (a fixed-count user) is one of the `students + 1` users locust spawns.
    out = subprocess.run([sys.executable, "-m", "locust", "-f", str(BENCH / "storm_locustfile.py"), "--headless",
                          "-u", str(students + 1), "-r", f"{rate:.3f}", "-t", f"{limit}s", "--host", base,
                          "--only-summary", "--loglevel", "WARNING"],
                         cwd=BENCH, capture_output=True, text=True, timeout=limit + 120, env=env)
    if log is not None:
        with open(log, "a") as handle:
            handle.write(out.stdout[-5000:] + out.stderr[-5000:])
    if not record.exists():
        raise RuntimeError("locust wrote no record:\n" + out.stderr[-3000:])
    return json.loads(record.read_text(encoding="utf-8"))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def figures(requests: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per request type: count, failures, p50/p95/p99/max in ms."""
    rows: dict[str, dict[str, Any]] = {}
    names = [n for n in ORDER if any(r["name"] == n for r in requests)]
    names += sorted({r["name"] for r in requests} - set(names))
    for name in names:
        mine = [r for r in requests if r["name"] == name]
        times = [r["ms"] for r in mine]
        rows[name] = {"count": len(mine), "failures": sum(not r["ok"] for r in mine),
                      "p50_ms": round(percentile(times, 50), 1), "p95_ms": round(percentile(times, 95), 1),
                      "p99_ms": round(percentile(times, 99), 1), "max_ms": round(max(times), 1)}
    return rows


def verdict(rows: dict[str, dict[str, Any]], students: int, record: dict[str, Any]) -> list[str]:
    """What misses the targets, in words: empty when the run passed."""
    problems = [f"{name}: p95 {row['p95_ms']} ms (target < {LOGIN_P95_MS if name == 'log-in POST' else P95_MS:.0f})"
                for name, row in rows.items()
                if row["p95_ms"] >= (LOGIN_P95_MS if name == "log-in POST" else P95_MS)]
    problems += [f"{name}: {row['failures']} failures" for name, row in rows.items() if row["failures"]]
    hand_ins = rows.get("hand-in", {}).get("count", 0) - rows.get("hand-in", {}).get("failures", 0)
    if hand_ins != students:
        problems.append(f"{hand_ins} of {students} students handed in")
    return problems


def run_one(kind: str, database: str, students: int, window: float, ramp: float, think: tuple[float, float],
            workdir: Path, teacher_rounds: int = 3) -> dict[str, Any]:
    workers = WORKERS[kind]
    info = seed_class(database, students)
    log = workdir / "servers.log"
    process, base = perf.gunicorn("tutor:create_app()", {"DATABASE_URL": database, "TUTOR_SECRET_KEY": SECRET},
                                  workers, ROOT, log)
    load_before = os.getloadavg()
    try:
        cpu_before = server_cpu_seconds(process.pid)
        started = time.monotonic()
        record = crowd(base, students, window, ramp, think, workdir / f"record-{kind}-{students}.json",
                       teacher_rounds, log)
        wall = time.monotonic() - started
        cpu = server_cpu_seconds(process.pid) - cpu_before
    finally:
        perf.stop(process)
    rows = figures(record["requests"])
    problems = verdict(rows, students, record)
    missing = missing_answers(database, record["acknowledged"])
    if missing:
        problems.append(f"{len(missing)} acknowledged answers not stored")
    return {"db": kind, "workers": workers, "students": students, "window_s": window, "ramp_s": ramp,
            "think_s": list(think), "seconds": round(wall, 1), "server_cpu_s": round(cpu, 1),
            "requests": len(record["requests"]), "answers_acknowledged": len(record["acknowledged"]),
            "acknowledged_but_missing": len(missing),
            "failures": sum(r["failures"] for r in rows.values()), "rows": rows, "ok": not problems,
            "problems": problems, "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in os.getloadavg()], "seed_seconds": info["seed_seconds"]}


def run_storm(students: list[int] | tuple[int, ...] = (50, 100, 200), databases: tuple[str, ...] = ("sqlite", "postgresql"),
              window: float = 120, ramp: float = 30, think: tuple[float, float] = (10, 20), pg: str = PG,
              workdir: Path | None = None, teacher_rounds: int = 3) -> list[dict[str, Any]]:
    """One result per (database, N), in that order; see `run_one` for its keys."""
    workdir = workdir or Path(tempfile.mkdtemp(prefix="tutor-storm-"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = []
    for kind in databases:
        database = f"sqlite:///{workdir / 'storm.sqlite'}" if kind == "sqlite" else pg
        for n in students:
            print(f"== {kind}, {WORKERS[kind]} workers, {n} students (load {os.getloadavg()[0]:.2f})", flush=True)
            results.append(run_one(kind, database, n, window, ramp, think, workdir, teacher_rounds))
            print(f"   {'ok' if results[-1]['ok'] else 'MISSED: ' + '; '.join(results[-1]['problems'])}", flush=True)
    return results


def largest_passing(results: list[dict[str, Any]]) -> dict[str, int | None]:
    """Per database, the largest N that passed, every smaller N measured having passed too."""
    best: dict[str, int | None] = {}
    for kind in dict.fromkeys(r["db"] for r in results):
        best[kind] = None
        for r in sorted((r for r in results if r["db"] == kind), key=lambda r: r["students"]):
            if not r["ok"]:
                break
            best[kind] = r["students"]
    return best


def table(results: list[dict[str, Any]]) -> str:
    lines = []
    for r in results:
        lines.append(f"\n{r['db']}, {r['workers']} workers, N = {r['students']}: {r['requests']} requests in "
                     f"{r['seconds']} s, server CPU {r['server_cpu_s']} s, load {r['load_before'][0]} -> "
                     f"{r['load_after'][0]}  {'PASS' if r['ok'] else 'FAIL'}")
        lines.append(f"  {'request':<16}{'count':>7}{'fail':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
        for name, row in r["rows"].items():
            lines.append(f"  {name:<16}{row['count']:>7}{row['failures']:>6}{row['p50_ms']:>9.1f}"
                         f"{row['p95_ms']:>9.1f}{row['p99_ms']:>9.1f}{row['max_ms']:>9.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, nargs="+", default=[50, 100, 200], help="the N to run")
    parser.add_argument("--database", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--pg", default=PG, help="the PostgreSQL database (emptied and seeded)")
    parser.add_argument("--window", type=float, default=120, help="seconds each student answers before handing in")
    parser.add_argument("--ramp", type=float, default=30, help="seconds over which the log-ins are spread")
    parser.add_argument("--quick", action="store_true", help="N = 3, a few seconds each (the smoke test)")
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "tutor-storm.json")
    parser.add_argument("--workdir", type=Path, help="where the SQLite database, records and server log go")
    args = parser.parse_args(argv)
    databases = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    think: tuple[float, float] = (10, 20)
    students, window, ramp, rounds = args.students, args.window, args.ramp, 3
    if args.quick:
        students, window, ramp, think, rounds = [3], 3, 1, (0.5, 1.0), 1
    results = run_storm(students, databases, window, ramp, think, args.pg, args.workdir, rounds)
    print(table(results))
    best = largest_passing(results)
    for kind, n in best.items():
        print(f"{kind}: largest N with every p95 < {P95_MS:.0f} ms (log-in < {LOGIN_P95_MS:.0f} ms) and no "
              f"failure: {n if n is not None else 'none of those run'}")
    args.out.write_text(json.dumps({"results": results, "largest_passing": best, "cores": os.cpu_count()},
                                   indent=2, ensure_ascii=False), encoding="utf-8")
    print(f"wrote {args.out}")
    return results


if __name__ == "__main__":
    main()
