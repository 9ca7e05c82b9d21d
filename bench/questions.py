"""Practice questions completed per second, in the requests inplace.js makes (docs/one-request.md):
a set's first question card, then one request per question, the answer, answered with the
feedback card and the next question's card.

    python bench/questions.py                 # SQLite (2 workers) and PostgreSQL (4), 10 s each
    python bench/questions.py --quick         # tiny data, 2 s runs (the smoke test)
    python bench/questions.py --browser       # also Chromium on loopback: click-to-feedback, 下一题

The app under gunicorn is driven by wrk (bench/wrk_questions.lua) against the bare Flask app of
bench/baseline_app.py doing the same cycle (one template render and one insert per question),
with the same workers and database, in the same run; the target is a ratio of at least 0.5.
Servers, seeding, log-in and wrk are bench/perf.py's. `figures()` is the function for the
performance suite; `browser_timings()` the in-browser half.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import perf  # noqa: E402
import seed as seeding  # noqa: E402

PG = os.environ.get("TUTOR_BENCH_QUESTIONS_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/tutor_bench_h2")
CHROMIUM = os.environ.get("TUTOR_TEST_CHROMIUM", "/usr/bin/chromium")


# The app's cycle (wrk_questions.lua): a set of ten is its first card and ten answers, each
# answered with its feedback and the next card; the bare app's is two requests a question.
APP_QUESTIONS_PER_REQUEST = 10 / 11


def scale(quick: bool) -> dict[str, int]:
    # Enough waiting deliveries for every answer of a run (ten to a set), and learner history
    # so that the answer's lookups (review card, notebook, summaries) read real indexes.
    return (dict(students=5, answers=20, exams=0, bench_sets=200) if quick
            else dict(students=300, answers=300, exams=0, bench_sets=3000))


def cycle(kind: str, database: str, workers: int, seconds: int, quick: bool, log: Path) -> dict[str, Any]:
    """Questions per second for the app and the bare app on one database, and their ratio."""
    info = perf.build(database, **scale(quick))
    ours, base = perf.gunicorn("tutor:create_app()", perf.app_env(database), workers, perf.ROOT, log)
    bare, bare_base = perf.gunicorn("baseline_app:create()", {"DATABASE_URL": database}, workers, BENCH, log)
    try:
        cookie, csrf = perf.login(base, "bench")
        perf.signed_in_page(f"{base}/practice/1", cookie)
        app = perf.wrk(base + "/", "wrk_questions.lua", seconds, env={
            "WRK_COOKIE": cookie, "WRK_CSRF": csrf, "WRK_FIRST_ID": "1",
            "WRK_PER_THREAD": str((info["deliveries"] - 10) // 20 * 10)})     # whole sets
        baseline = perf.wrk(bare_base + "/", "wrk_questions.lua", seconds, env={"WRK_BARE": "1"})
    finally:
        perf.stop(ours)
        perf.stop(bare)
    row = {"db": kind, "workers": workers, "seconds": seconds,
           "app_questions_per_s": round(app["rps"] * APP_QUESTIONS_PER_REQUEST, 1),
           "bare_questions_per_s": round(baseline["rps"] / 2, 1),
           "app_p50_ms": app["p50_ms"], "app_p95_ms": app["p95_ms"], "bare_p50_ms": baseline["p50_ms"],
           "refused": app["non2xx3xx"] + app["errors"] + baseline["non2xx3xx"] + baseline["errors"]}
    row["ratio"] = round(row["app_questions_per_s"] / max(row["bare_questions_per_s"], 0.1), 2)
    return row


def browser_timings(database: str, questions: int, log: Path) -> dict[str, Any]:
    """In Chromium on loopback (the app under gunicorn, 2 workers): from the answer's submit to
    the feedback card in place, and from 下一题 to the question in place, by inplace.js's
    performance marks (practice:answer → practice:feedback, practice:next → practice:question)."""
    from playwright.sync_api import sync_playwright
    perf.build(database, students=2, answers=5, exams=0, bench_sets=max(2, questions // 10 + 2))
    server, base = perf.gunicorn("tutor:create_app()", perf.app_env(database), 2, perf.ROOT, log)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
            page.goto(base + "/auth/login")
            page.get_by_label("用户名").fill("bench")
            page.get_by_label("密码", exact=True).fill(seeding.PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.goto(base + "/practice/1")
            page.wait_for_load_state("load")
            done, marks = 0, []
            read_marks = "() => performance.getEntriesByType('mark').map(m => [m.name, m.startTime])"
            while done < questions:
                set_id = page.url.rsplit("/", 1)[-1]
                number, total = page.locator(".counter").inner_text().split(" / ")
                page.locator("form[data-answer-form] label.option").first.click()
                if number == total:                  # the set's last: no question to fetch ahead
                    page.get_by_role("button", name="提交答案").click()
                    page.locator(".verdict").wait_for()
                    marks += page.evaluate(read_marks)     # a page load starts them afresh
                    page.goto(f"{base}/practice/{int(set_id) + 1}")
                    done += 1
                    continue
                with page.expect_response(lambda r: r.url.endswith(f"/practice/{set_id}/answer")):
                    page.get_by_role("button", name="提交答案").click()
                page.locator(".verdict").wait_for()      # the next card came with it
                done += 1
                page.wait_for_timeout(50)                              # the card is parsed
                page.locator("a[data-next]").click()
                page.get_by_role("button", name="提交答案").wait_for()
            marks += page.evaluate(read_marks)
            browser.close()
    finally:
        perf.stop(server)
    return {"questions": questions, **_spans(marks)}


def _spans(marks: list[list[Any]]) -> dict[str, Any]:
    """Median milliseconds between each start mark and the end mark after it."""
    out: dict[str, Any] = {}
    for name, start, end in (("answer_to_feedback", "practice:answer", "practice:feedback"),
                             ("next_to_question", "practice:next", "practice:question")):
        spans, began = [], None
        for mark, at in marks:
            if mark == start:
                began = at
            elif mark == end and began is not None:
                spans.append(at - began)
                began = None
        out[f"{name}_median_ms"] = round(statistics.median(spans), 2) if spans else None
        out[f"{name}_count"] = len(spans)
    return out


def figures(quick: bool = False, postgres: bool = True, browser: bool = False,
            seconds: int | None = None) -> dict[str, Any]:
    """The whole benchmark; what the performance suite calls."""
    seconds = seconds or (2 if quick else 10)
    work = Path(tempfile.mkdtemp(prefix="tutor-questions-"))
    log = work / "servers.log"
    targets = [("sqlite", f"sqlite:///{work / 'questions.sqlite'}", 2)] + ([("postgresql", PG, 4)] if postgres else [])
    rows = []
    for kind, database, workers in targets:
        print(f"== {kind}, {workers} workers", flush=True)
        rows.append(cycle(kind, database, workers, seconds, quick, log))
    result: dict[str, Any] = {"quick": quick, "load": os.getloadavg(), "cycles": rows, "log": str(log)}
    if browser:
        print("== Chromium", flush=True)
        result["browser"] = browser_timings(f"sqlite:///{work / 'browser.sqlite'}", 6 if quick else 30, log)
    return result


def report(result: dict[str, Any]) -> str:
    lines = [f"{'db':<11}{'w':>2}  {'app q/s':>8}  {'bare q/s':>8}  {'ratio':>5}  {'app p50 ms':>10}  "
             f"{'app p95 ms':>10}  refused  target"]
    for r in result["cycles"]:
        lines.append(f"{r['db']:<11}{r['workers']:>2}  {r['app_questions_per_s']:>8.1f}  {r['bare_questions_per_s']:>8.1f}  "
                     f"{r['ratio']:>5.2f}  {r['app_p50_ms']:>10.1f}  {r['app_p95_ms']:>10.1f}  {r['refused']:>7}  "
                     f">= 0.5 {'PASS' if r['ratio'] >= 0.5 else 'FAIL'}")
    if "browser" in result:
        b = result["browser"]
        lines.append(f"Chromium: answer → feedback median {b['answer_to_feedback_median_ms']} ms "
                     f"({b['answer_to_feedback_count']} answers); 下一题 → question median "
                     f"{b['next_to_question_median_ms']} ms ({b['next_to_question_count']}; target < 30 ms)")
    lines.append("load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.2f}" for x in result["load"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny data and 2 s runs (the smoke test)")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--browser", action="store_true", help="also time the in-place flow in Chromium")
    parser.add_argument("--seconds", type=int, help="each wrk run's length")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = figures(args.quick, not args.no_postgres, args.browser, args.seconds)
    result["load"] = os.getloadavg()
    print()
    print(report(result))
    print(f"({time.perf_counter() - started:.0f} s)")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
