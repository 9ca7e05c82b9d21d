"""Where a question page's time goes, in-process (no server, no network): the page whole, the
bare-framework baselines, a signed-in route that only renders the bare template (floor_app.py),
and each part of the page measured alone.

    python bench/breakdown.py                     # SQLite, seeded small in a temporary folder
    python bench/breakdown.py --database URL      # emptied and seeded here (PostgreSQL: made anew)
    python bench/breakdown.py --profile           # also the page's own time per package (cProfile)

perf.py gives the throughput ratios under gunicorn; this says which part of the stack a page's
time is spent in. Milliseconds per request: whole requests the best of three batches, parts
the median of single timings.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

import perf  # noqa: E402
import seed as seeding  # noqa: E402


def best_ms(work: Callable[[], Any], count: int) -> float:
    work()
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(count):
            work()
        best = min(best, (time.perf_counter() - started) / count * 1000)
    return best


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="emptied and seeded (default: a new SQLite file in a temporary folder)")
    parser.add_argument("--requests", type=int, default=1000, help="per measurement (default 1000)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)
    database = args.database or f"sqlite:///{Path(tempfile.mkdtemp(prefix='tutor-breakdown-')) / 'small.sqlite'}"
    info = perf.build(database, students=20, answers=50, exams=2, bench_sets=300)
    set_id = 300    # the benchmark student's last practice set, none of it answered
    os.environ["DATABASE_URL"] = database

    import baseline_app
    import floor_app
    from flask import template_rendered
    from flask_wtf.csrf import generate_csrf
    from werkzeug.test import EnvironBuilder

    from tutor import create_app
    from tutor.extensions import db
    from tutor.practice import rows

    bare = baseline_app.create()
    app = floor_app.add_floor(create_app({"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": "bench-secret"}))
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = perf.USER_AGENT
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/auth/login", data={"csrf_token": token, "username": info["bench_user"],
                                     "password": seeding.PASSWORD})
    client.get("/")      # the session as a browser holds it after its first page
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    cookie = f"{cookie_name}={client.get_cookie(cookie_name).value}"
    question = f"/practice/{set_id}"

    def environ(path: str, signed_in: bool = True) -> dict[str, Any]:
        headers = {"Cookie": cookie} if signed_in else {}
        return EnvironBuilder(path=path, environ_base=dict(client.environ_base), headers=headers).get_environ()

    def request(target: Any, path: str, signed_in: bool = True) -> Callable[[], None]:
        env = environ(path, signed_in)
        statuses: list[str] = []

        def run() -> None:
            statuses.clear()
            b"".join(target(dict(env), lambda status, headers, exc=None: statuses.append(status)))
            assert statuses[0].startswith("200"), (path, statuses)
        return run

    env = environ(question)
    hooks = app.before_request_funcs[None]

    def after_hooks(part: Callable[[], Any], hook: Callable[[], Any] | None = None) -> float:
        """Median ms of `part` in a fresh request context, after the before-request hooks that
        precede it (all of them when it is not itself a hook)."""
        times = []
        for _ in range(args.requests):
            with app.request_context(dict(env)):
                for earlier in hooks[:hooks.index(hook)] if hook else hooks:
                    earlier()
                started = time.perf_counter()
                part()
                times.append(time.perf_counter() - started)
        return sorted(times)[len(times) // 2] * 1000

    def teardown_ms() -> float:
        times = []
        for _ in range(args.requests):
            context = app.request_context(dict(env))
            context.push()
            app.preprocess_request()
            rows.state(set_id)
            started = time.perf_counter()
            context.pop()
            times.append(time.perf_counter() - started)
        return sorted(times)[len(times) // 2] * 1000

    # The page's template and context, caught as the page renders, to render them again alone.
    rendered: list[tuple[Any, dict[str, Any]]] = []
    with template_rendered.connected_to(lambda _app, template, context: rendered.append((template, context)), app):
        request(app, question)()
    template, context = rendered[0]
    with app.request_context(dict(env)):
        app.preprocess_request()
        generate_csrf()
        render_ms = best_ms(lambda: template.render(context), args.requests)

    def push_and_pop() -> None:
        context = app.request_context(dict(env))
        context.push()
        context.pop()

    n = args.requests
    figures: dict[str, float] = {
        "bare: short string": best_ms(request(bare, "/plain", False), n),
        "bare: template, 20 items": best_ms(request(bare, "/template", False), n),
        "signed-in route, bare template (the floor)": best_ms(request(app, "/bench/floor"), n),
        "question page, whole": best_ms(request(app, question), n),
        "request context pushed and popped (cookie read)": best_ms(push_and_pop, n),
    }
    for hook in hooks:
        figures[f"before_request: {getattr(hook, '__name__', repr(hook))}"] = after_hooks(hook, hook)
    figures["its set query (rows.state)"] = after_hooks(lambda: rows.state(set_id))
    figures["its CSRF token (signed once a request)"] = after_hooks(generate_csrf)
    figures["its template, rendered alone"] = render_ms
    figures["after_request hooks, session save"] = after_hooks(lambda: app.process_response(app.make_response("")))
    figures["teardown with the database connection open"] = teardown_ms()
    # Approximate: the parts were timed one at a time, and the two context figures overlap a little.
    figures["the rest: routing, view code, response"] = figures["question page, whole"] - sum(
        ms for name, ms in figures.items() if not name.startswith(("bare", "signed-in route", "question page")))

    width = max(map(len, figures))
    for name, ms in figures.items():
        print(f"{name:<{width}}  {ms:7.3f} ms")
    if args.profile:
        profiler = cProfile.Profile()
        run = request(app, question)
        profiler.enable()
        for _ in range(n):
            run()
        profiler.disable()
        print("\nthe page's own time (cProfile, which slows small calls most) by package:")
        by_package = own_time_by_package(pstats.Stats(profiler))
        total = sum(by_package.values())
        for package, seconds in sorted(by_package.items(), key=lambda item: -item[1])[:14]:
            print(f"  {package:<24} {100 * seconds / total:5.1f} %")
    with app.app_context():
        db.engine.dispose()
    return figures


def own_time_by_package(stats: pstats.Stats) -> dict[str, float]:
    """Each function's own time (not its callees'), summed per installed package; the app's
    templates and code count as "tutor (templates)" and "tutor"."""
    totals: dict[str, float] = {}
    entries = stats.stats.items()  # type: ignore[attr-defined]
    for (filename, _line, function), (_calls, _primitive, own, _cumulative, _callers) in entries:
        if "site-packages/" in filename:
            package = filename.split("site-packages/")[1].split("/")[0].removesuffix(".py")
        elif "/templates/" in filename:
            package = "tutor (templates)"
        elif "/tutor/" in filename:
            package = "tutor"
        elif filename == "~":
            package = "database driver (C)" if ("sqlite3" in function or "psycopg" in function) else "C built-ins"
        else:
            package = "python stdlib"
        totals[package] = totals.get(package, 0.0) + own
    return totals


if __name__ == "__main__":
    main()
