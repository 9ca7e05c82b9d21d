"""Many students answering at once against gunicorn: nothing lost, nothing counted twice.

    python bench/concurrency.py                      # 50 students, SQLite, 4 workers
    python bench/concurrency.py --database postgresql+psycopg://postgres@127.0.0.1/test
    python bench/concurrency.py --kill-worker        # SIGKILL a worker half-way through

Every student registers, starts a practice set and answers it; one answer in five is sent
twice (a double click). Afterwards the database is checked: each delivery has at most one
answer, every answer the server acknowledged is stored, and no response was a 5xx.
"""
from __future__ import annotations

import argparse
import html.parser
import http.cookiejar
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "并发 测试 密码 2026"


class FormParser(html.parser.HTMLParser):
    """The fields of the answer form, enough to fill it in the way a student would."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}
        self.kinds: dict[str, str] = {}
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name:
            self.fields.setdefault(name, []).append(a.get("value") or "")
            self.kinds[name] = a.get("type") or "text"
        elif tag == "select" and name:
            self.select = name
            self.fields[name] = []
            self.kinds[name] = "select"
        elif tag == "option" and self.select and a.get("value"):
            self.fields[self.select].append(a["value"] or "")
        elif tag == "textarea" and name:
            self.fields[name] = []
            self.kinds[name] = "textarea"

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None


def answer_form(page: str) -> dict[str, str]:
    parser = FormParser()
    parser.feed(page.split('data-answer-form', 1)[1].split("</form>", 1)[0] if "data-answer-form" in page else page)
    form: dict[str, str] = {}
    ranks = [n for n in parser.fields if re.search(r"rank-\d+$", n)]
    for name, values in parser.fields.items():
        kind = parser.kinds[name]
        if kind in ("hidden",):
            form[name] = values[0]
        elif kind in ("radio", "checkbox"):
            form[name] = random.choice(values)
        elif name in ranks:
            prefix = name.rsplit("-", 1)[0]
            group = sorted(n for n in ranks if n.rsplit("-", 1)[0] == prefix)
            form[name] = str(group.index(name) + 1)
        elif kind == "select":
            form[name] = values[0] if values else ""
        elif kind in ("text", "textarea"):
            form[name] = "双赢"
    return form


class Student:
    def __init__(self, base: str, name: str) -> None:
        self.base = base
        self.name = name
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
        self.statuses: Counter[int] = Counter()
        self.acknowledged: list[int] = []     # delivery ids the server answered with a redirect to feedback

    def request(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=60) as response:
                status, text, location = response.status, response.read().decode(), response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            status, text, location = error.code, error.read().decode(errors="replace"), error.headers.get("Location", "")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            status, text, location = 0, "", ""     # the connection died (a killed worker): no answer
        self.statuses[status] += 1
        return status, text, location

    @staticmethod
    def token(page: str) -> str | None:
        found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page)
        return found.group(1) if found else None

    def run(self, answers: int) -> None:
        """Register, start a set and answer it; stop quietly where a killed worker cut us off."""
        _, page, _ = self.request("/auth/register")
        if not (token := self.token(page)):
            return
        self.request("/auth/register", {"csrf_token": token, "username": self.name,
                                        "password": PASSWORD, "confirm": PASSWORD})
        _, page, _ = self.request("/")
        if not (token := self.token(page)):
            return
        status, _, location = self.request("/practice/start", {"csrf_token": token, "course": "chapter8",
                                                               "mode": "random", "scope": "all", "id": ""})
        set_path = urllib.parse.urlsplit(location).path
        for _ in range(answers):
            status, page, location = self.request(set_path)
            if status != 200:
                break
            if "data-answer-form" not in page:
                break
            form = answer_form(page)
            delivery = int(form["delivery"])
            sends = 2 if random.random() < 0.2 else 1          # a double click
            for _ in range(sends):
                status, _, location = self.request(set_path + "/answer", form)
                if status == 302 and re.search(r"/practice/\d+/\d+$", location):
                    self.acknowledged.append(delivery)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):   # keep 302s visible: they are the acknowledgements
        return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database: str, workers: int, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database, "TUTOR_REGISTER_LIMIT": "100000 per hour",
           "TUTOR_LOGIN_LIMIT_IP": "100000 per minute", "TUTOR_SECRET_KEY": "bench-secret",
           "TUTOR_CONTENT_POLL_SECONDS": "5"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "60",
         "--graceful-timeout", "5", "tutor:create_app()"], cwd=ROOT, env=env,
        stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/auth/login", timeout=2)
            return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("gunicorn did not start: " + log.read_text()[-2000:])


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def stored_answers(database: str) -> Counter[int]:
    """delivery id -> stored answers, read straight from the database."""
    from sqlalchemy import create_engine, text
    engine = create_engine(database)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT delivery_id, count(*) FROM attempts "
                                       "WHERE delivery_id IS NOT NULL GROUP BY delivery_id")).all()
    engine.dispose()
    return Counter({d: n for d, n in rows})


def run(database: str, students: int = 50, answers: int = 5, workers: int = 4,
        kill_worker: bool = False, log: Path | None = None) -> dict[str, object]:
    log = log or Path(tempfile.mkdtemp()) / "gunicorn.log"
    port = free_port()
    server = start_server(database, workers, port, log)
    prefix = f"s{random.randrange(10**6)}"
    crowd = [Student(f"http://127.0.0.1:{port}", f"{prefix}-{i}") for i in range(students)]
    threads = [threading.Thread(target=s.run, args=(answers,)) for s in crowd]
    started = time.time()
    killed = None
    try:
        for t in threads:
            t.start()
        if kill_worker:
            time.sleep(1.0)
            pids = worker_pids(server.pid)
            if pids:
                killed = pids[0]
                os.kill(killed, signal.SIGKILL)
        for t in threads:
            t.join(timeout=300)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    elapsed = time.time() - started
    statuses: Counter[int] = sum((s.statuses for s in crowd), Counter())
    acknowledged = [d for s in crowd for d in s.acknowledged]
    stored = stored_answers(database)
    text_log = log.read_text(errors="replace")
    return {
        "students": students, "workers": workers, "seconds": round(elapsed, 1),
        "requests": sum(statuses.values()), "status_counts": dict(sorted(statuses.items())),
        "server_errors": sum(n for code, n in statuses.items() if code >= 500),
        "connections_cut": statuses.get(0, 0),
        "answers_acknowledged": len(set(acknowledged)),
        "acknowledged_but_missing": len({d for d in acknowledged if stored[d] == 0}),
        "deliveries_with_two_answers": sum(1 for n in stored.values() if n > 1),
        "database_is_locked_in_log": text_log.count("database is locked"),
        "worker_killed": killed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", help="SQLAlchemy URL (default: a fresh SQLite file)")
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--answers", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--kill-worker", action="store_true")
    args = parser.parse_args()
    database = args.database or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    result = run(database, args.students, args.answers, args.workers, args.kill_worker)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    ok = (result["server_errors"] == 0 and result["acknowledged_but_missing"] == 0
          and result["deliveries_with_two_answers"] == 0 and result["database_is_locked_in_log"] == 0)
    print("OK: nothing lost, nothing twice" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
