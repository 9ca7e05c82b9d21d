"""Two app servers behind nginx, one PostgreSQL, one Redis: the two-node drill.

    python bench/cluster.py                 # 50 students, a 60 s exam window, node B killed mid-run
    python bench/cluster.py --quick         # 6 students, seconds (the smoke test)

Two gunicorn masters (nodes A and B, 2 workers each, on their own loopback ports) share the
PostgreSQL database (TUTOR_BENCH_PG, tutor_bench_h3 here), Redis (db 6) for the rate limits,
the secret key and a copy of content/ (TUTOR_CONTENT_DIR). nginx (the distribution's binary,
unprivileged, in the foreground, its config, logs and temp files in a temp folder) balances
them round-robin. Then, in order:

1. content: a lesson's title is edited in the shared copy; both nodes, asked directly, must
   show the new title within a few seconds (each worker polls TUTOR_CONTENT_POLL_SECONDS);
2. log-in limits: TUTOR_LOGIN_LIMIT_USER is 5 per minute; 8 wrong log-ins for one account go
   through nginx, alternating between the nodes: the first 5 get the form back, the 6th and
   later 429, because both nodes count in Redis;
3. the storm (bench/storm_locustfile.py) through nginx, and node B's master and workers
   SIGKILLed (its process group) in the middle of the exam window. Afterwards: every answer
   acknowledged (a 302 to the next question) is in the database; every student went on
   answering after the kill without logging in again (the session cookie, signed with the
   shared key, is as good on node A); no request failed, because nginx passes a request that
   failed on B (refused connection, or connection cut before the response) to A.

nginx retries POSTs too (`proxy_next_upstream ... non_idempotent`): the app's writes are
idempotent (an exam answer is saved by paper and item, starting an exam resumes the open
paper, a hand-in is claimed once, a practice answer is kept once per question delivery), so
a POST that B may have committed before it died is safe to send again to A; without it, the
students whose answer was in flight at the kill would see nginx's 502 page.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import perf  # noqa: E402
import seed as seeding  # noqa: E402
import storm  # noqa: E402
from concurrency import free_port  # noqa: E402

REDIS = os.environ.get("TUTOR_BENCH_REDIS", "redis://127.0.0.1:6379/6")
LESSON = ("overview", "title: 进出口贸易客户管理概述", "进出口贸易客户管理概述")
EDITED = "进出口贸易客户管理概述（两节点改）"
USER_LIMIT = 5

NGINX_CONF = """\
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log {dir}/access.log;
  client_body_temp_path {dir}/client_body;
  proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi;
  uwsgi_temp_path {dir}/uwsgi;
  scgi_temp_path {dir}/scgi;
  upstream tutor {{
    # One failure takes a node out for 10 s; then one request tries it again.
    server 127.0.0.1:{a} max_fails=1 fail_timeout=10s;
    server 127.0.0.1:{b} max_fails=1 fail_timeout=10s;
    keepalive 32;
  }}
  server {{
    listen 127.0.0.1:{port};
    client_max_body_size 12m;          # the question-bank import takes 10 MB
    location / {{
      proxy_pass http://tutor;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
      # A refused connection, or one cut before the response, goes to the other node, POSTs too:
      # the app's writes are idempotent (see bench/cluster.py).
      proxy_next_upstream error timeout non_idempotent;
      proxy_next_upstream_tries 2;
      proxy_next_upstream_timeout 10s;
      add_header X-Upstream $upstream_addr always;
    }}
  }}
}}
"""


# --- the parts ------------------------------------------------------------------------------

def start_nginx(a: int, b: int) -> tuple[subprocess.Popen, str, Path]:
    """nginx in the foreground with a generated config; as `nobody` when we are root."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    folder = Path(tempfile.mkdtemp(prefix="tutor-nginx-"))
    port = free_port()
    (folder / "nginx.conf").write_text(NGINX_CONF.format(dir=folder, a=a, b=b, port=port))
    drop = None
    if os.geteuid() == 0:
        nobody = pwd.getpwnam("nobody")
        os.chmod(folder, 0o755)
        for path in [folder, *folder.iterdir()]:
            os.chown(path, nobody.pw_uid, nobody.pw_gid)

        def drop() -> None:
            os.setgroups([])
            os.setgid(nobody.pw_gid)
            os.setuid(nobody.pw_uid)
    process = subprocess.Popen([binary, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e",
                                str(folder / "error.log"), "-g", "daemon off;"], preexec_fn=drop,
                               start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/auth/login", timeout=2)
            return process, base, folder
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("nginx did not start: " + process.stderr.read().decode()[-2000:]) from None
            time.sleep(0.1)
    raise RuntimeError("nginx did not answer")


def node_env(database: str, content: Path) -> dict[str, str]:
    return {"DATABASE_URL": database, "TUTOR_SECRET_KEY": storm.SECRET, "TUTOR_RATELIMIT_STORAGE_URI": REDIS,
            "TUTOR_PROXY_FIX": "1", "TUTOR_CONTENT_DIR": str(content), "TUTOR_CONTENT_POLL_SECONDS": "1",
            "TUTOR_LOGIN_LIMIT_USER": f"{USER_LIMIT} per minute",
            # The per-address limits would refuse the 6th wrong log-in on their own (all of it
            # comes from 127.0.0.1): loosened, so the check is of the per-account count alone.
            "TUTOR_LOGIN_LIMIT_USER_ADDRESS": "1000 per minute", "TUTOR_LOGIN_LIMIT_IP": "1000 per minute"}


class Browser:
    """One cookie jar; redirects are not followed; the response's status, text and headers."""

    def __init__(self) -> None:
        class Keep(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  Keep())

    def open(self, url: str, form: dict[str, str] | None = None) -> tuple[int, str, Any]:
        body = urllib.parse.urlencode(form).encode() if form is not None else None
        try:
            with self.opener.open(url, body, timeout=30) as response:
                return response.status, response.read().decode(), response.headers
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), error.headers


# --- the checks -----------------------------------------------------------------------------

def content_edit(content: Path, nodes: dict[str, str], timeout: float = 15) -> dict[str, Any]:
    """Edit a lesson's title in the shared content; seconds until each node, asked directly,
    shows it in four requests running (each worker polls for itself)."""
    lesson_id, line, old = LESSON
    path = f"/courses/chapter8/lessons/{lesson_id}"
    before = {name: old in Browser().open(base + path)[1] for name, base in nodes.items()}
    source = content / "chapter8" / "lessons" / f"{lesson_id}.yaml"
    source.write_text(source.read_text(encoding="utf-8").replace(line, f"title: {EDITED}", 1), encoding="utf-8")
    edited = time.monotonic()
    seen: dict[str, float | None] = {}
    for name, base in nodes.items():
        seen[name] = None
        while time.monotonic() - edited < timeout:
            if all(EDITED in Browser().open(base + path)[1] for _ in range(4)):
                seen[name] = round(time.monotonic() - edited, 2)
                break
            time.sleep(0.2)
    return {"old_title_before": before, "seconds_to_new_title": seen,
            "ok": all(before.values()) and all(s is not None for s in seen.values())}


def login_limit(base: str, username: str, nodes: dict[str, str], attempts: int = 8) -> dict[str, Any]:
    """Wrong log-ins for one account through nginx: statuses and the node that answered each."""
    browser = Browser()
    _, page, _ = browser.open(base + "/auth/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    by_port = {urllib.parse.urlsplit(b).port: name for name, b in nodes.items()}
    statuses, served = [], []
    for _ in range(attempts):
        status, _, headers = browser.open(base + "/auth/login", {"csrf_token": token, "username": username,
                                                                 "password": "wrong password 1"})
        statuses.append(status)
        upstream = (headers.get("X-Upstream") or "").split(",")[-1].strip()
        served.append(by_port.get(int(upstream.rsplit(":", 1)[1])) if upstream else None)
    allowed = [200] * USER_LIMIT + [429] * (attempts - USER_LIMIT)
    return {"statuses": statuses, "nodes": served, "expected": allowed,
            "ok": statuses == allowed and set(served[:USER_LIMIT + 1]) == set(nodes)}


def after_the_kill(record: dict[str, Any], killed_at: float, students: int, nodes: dict[str, str],
                   dead: str) -> dict[str, Any]:
    requests = record["requests"]
    later = [r for r in requests if r["t"] > killed_at]
    ports = {str(urllib.parse.urlsplit(b).port): name for name, b in nodes.items()}

    def node_of(upstream: str) -> str:
        return ports.get(upstream.split(",")[-1].strip().rsplit(":", 1)[-1], "?")
    answering = {a["user"] for a in record["acknowledged"] if a["t"] > killed_at}
    served = sorted({node_of(r["upstream"]) for r in later if r["t"] > killed_at + 1 and r["upstream"]})
    return {"requests_after_kill": len(later),
            "failed_after_kill": sum(not r["ok"] for r in later),
            "retried_by_nginx": sum("," in r["upstream"] for r in requests),
            "served_after_kill_by": served,
            "students_answering_after_kill": len(answering),
            "log_in_posts": sum(r["name"] == "log-in POST" for r in requests),
            "ok": (sum(not r["ok"] for r in requests) == 0 and len(answering) == students
                   and dead not in served and sum(r["name"] == "log-in POST" for r in requests) == students + 1)}


# --- the drill ------------------------------------------------------------------------------

def run(database: str, students: int, window: float, ramp: float, think: tuple[float, float],
        workdir: Path | None = None, workers: int = 2) -> dict[str, Any]:
    import redis
    workdir = workdir or Path(tempfile.mkdtemp(prefix="tutor-cluster-"))
    content = workdir / "content"
    shutil.rmtree(content, ignore_errors=True)
    shutil.copytree(ROOT / "content", content)
    storm.seed_class(database, students)
    redis.Redis.from_url(REDIS).flushdb()      # our own db: last run's counts must not carry over
    env = node_env(database, content)
    processes: dict[str, subprocess.Popen] = {}
    nodes: dict[str, str] = {}
    nginx = None
    result: dict[str, Any] = {"students": students, "window_s": window, "workers_per_node": workers}
    try:
        for name in ("A", "B"):    # one after the other: the first master migrates, the second finds it done
            processes[name], nodes[name] = perf.gunicorn("tutor:create_app()", env, workers, ROOT,
                                                         workdir / f"node-{name}.log")
        nginx, base, nginx_dir = start_nginx(*(urllib.parse.urlsplit(nodes[n]).port for n in ("A", "B")))
        result["nginx"] = base
        result["content_edit"] = content_edit(content, nodes)
        result["login_limit"] = login_limit(base, f"student{students:04d}", nodes)
        killed_at: list[float] = []

        def kill_b() -> None:
            time.sleep(ramp + window / 2)
            os.killpg(processes["B"].pid, signal.SIGKILL)
            killed_at.append(time.time())
        killer = threading.Thread(target=kill_b, daemon=True)
        killer.start()
        record = storm.crowd(base, students, window, ramp, think, workdir / "record.json", 1, workdir / "locust.log")
        killer.join()
        processes["B"].wait(timeout=10)
        rows = storm.figures(record["requests"])
        result["rows"] = rows
        result["storm_problems"] = [p for p in storm.verdict(rows, students, record) if "p95" not in p]
        result["sessions"] = after_the_kill(record, killed_at[0], students, nodes, "B")
        missing = storm.missing_answers(database, record["acknowledged"])
        result["answers"] = {"acknowledged": len(record["acknowledged"]), "missing": len(missing),
                             "examples_missing": missing[:5], "ok": not missing and bool(record["acknowledged"])}
        errors = (nginx_dir / "error.log").read_text(errors="replace")
        # Refused: a new connection to the dead node. Cut: a request B had when it died.
        result["nginx_passed_on"] = {"refused": errors.count("Connection refused"),
                                     "cut": errors.count("prematurely closed") + errors.count("reset by peer")}
        result["nginx_error_log"] = errors[-1500:]
    finally:
        if nginx is not None:
            nginx.terminate()
            nginx.wait(timeout=10)
        for process in processes.values():
            if process.poll() is None:
                perf.stop(process)
    result["ok"] = all(result[k]["ok"] for k in ("content_edit", "login_limit", "sessions", "answers")) \
        and not result["storm_problems"]
    return result


def report(result: dict[str, Any]) -> str:
    c, l, s, a = (result[k] for k in ("content_edit", "login_limit", "sessions", "answers"))
    lines = [
        f"content edit seen directly on each node after (s): {c['seconds_to_new_title']}  {'OK' if c['ok'] else 'FAIL'}",
        f"wrong log-ins via nginx: statuses {l['statuses']}, nodes {l['nodes']}  {'OK' if l['ok'] else 'FAIL'}",
        f"node B SIGKILLed mid-run: {s['requests_after_kill']} requests after, {s['failed_after_kill']} failed, "
        f"served after by {s['served_after_kill_by']}, {s['retried_by_nginx']} passed on by nginx "
        f"{result['nginx_passed_on']}, "
        f"{s['students_answering_after_kill']}/{result['students']} students answered after the kill, "
        f"{s['log_in_posts']} log-ins in all  {'OK' if s['ok'] else 'FAIL'}",
        f"acknowledged answers: {a['acknowledged']}, missing from the database: {a['missing']}  "
        f"{'OK' if a['ok'] else 'FAIL'}",
    ]
    if result["storm_problems"]:
        lines.append("storm: " + "; ".join(result["storm_problems"]))
    lines.append(f"  {'request':<16}{'count':>7}{'fail':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, row in result["rows"].items():
        lines.append(f"  {name:<16}{row['count']:>7}{row['failures']:>6}{row['p50_ms']:>9.1f}"
                     f"{row['p95_ms']:>9.1f}{row['p99_ms']:>9.1f}{row['max_ms']:>9.1f}")
    lines.append("OK: two nodes, one killed, nothing lost" if result["ok"] else "FAILED")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default=storm.PG, help="PostgreSQL URL (emptied and seeded)")
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--window", type=float, default=60, help="seconds each student answers")
    parser.add_argument("--quick", action="store_true", help="6 students, seconds (the smoke test)")
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "tutor-cluster.json")
    args = parser.parse_args(argv)
    from tutor.config import database_url
    if args.quick:
        result = run(database_url(args.database), 6, 5, 2, (0.5, 1.0), args.workdir)
    else:
        result = run(database_url(args.database), args.students, args.window, 30, (10, 20), args.workdir)
    print(report(result))
    args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    print(f"wrote {args.out}")
    return result


if __name__ == "__main__":
    sys.exit(0 if main()["ok"] else 1)
