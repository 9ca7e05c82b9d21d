"""The class-start storm for bench/storm.py and bench/cluster.py: a class logs in, sits a mock
exam, hands in; then the teacher opens the class overview and the item analysis.

Each student (spawned at the rate storm.py gives locust, so the log-ins spread over the ramp)
opens the log-in page, logs in, opens the exam list and starts the mock exam, then answers one
question after another, thinking STORM_THINK_MIN..MAX seconds over each, until STORM_WINDOW
seconds after the start (or the last question), and hands in. The teacher logs in at the start,
waits for every student's hand-in and opens the two class reports STORM_TEACHER_ROUNDS times.

Every request is written to STORM_RECORD (JSON) when locust quits: its name, milliseconds,
whether it did what it should, when, and which upstream answered (nginx's X-Upstream header, in
the cluster drill); and every answer the server acknowledged: user, paper, item, time.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

from locust import HttpUser, constant, events, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent))
from concurrency import answer_form  # noqa: E402
from seed import PASSWORD  # noqa: E402

USERS = int(os.environ.get("STORM_USERS", "50"))
WINDOW = float(os.environ.get("STORM_WINDOW", "120"))
THINK = (float(os.environ.get("STORM_THINK_MIN", "10")), float(os.environ.get("STORM_THINK_MAX", "20")))
TEACHER_ROUNDS = int(os.environ.get("STORM_TEACHER_ROUNDS", "3"))
TEACHER_WAIT = float(os.environ.get("STORM_TEACHER_WAIT", "600"))   # give up waiting for hand-ins
RECORD = os.environ.get("STORM_RECORD", "")

_numbers = itertools.count()
requests: list[dict[str, Any]] = []
acknowledged: list[dict[str, Any]] = []
finished = {"students": 0}
TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


@events.request.add_listener
def _record(request_type: str, name: str, response_time: float, response: Any = None,
            exception: Any = None, start_time: float | None = None, **_: Any) -> None:
    headers = getattr(response, "headers", None) or {}
    requests.append({"name": name, "ms": round(response_time, 2), "ok": exception is None,
                     "error": None if exception is None else str(exception)[:200],
                     "status": getattr(response, "status_code", 0), "t": start_time or time.time(),
                     "upstream": headers.get("X-Upstream", "")})


@events.quitting.add_listener
def _write(**_: Any) -> None:
    if RECORD:
        Path(RECORD).write_text(json.dumps({"requests": requests, "acknowledged": acknowledged,
                                            "finished": finished["students"]}), encoding="utf-8")


class Visitor(HttpUser):
    abstract = True

    def fetch(self, name: str, path: str, want: str = "") -> str | None:
        """GET a page that must answer 200 (and contain `want`): its text, or None (a failure)."""
        with self.client.get(path, name=name, allow_redirects=False, catch_response=True) as response:
            if response.status_code != 200 or want not in response.text:
                response.failure(f"{response.status_code} {response.headers.get('Location', '')}")
                return None
            return response.text

    def send(self, name: str, path: str, form: dict[str, Any], location: str) -> str | None:
        """POST a form that must redirect to a URL matching `location`: that URL, or None."""
        with self.client.post(path, form, name=name, allow_redirects=False, catch_response=True) as response:
            target = response.headers.get("Location", "")
            if response.status_code != 302 or not re.search(location, target):
                response.failure(f"{response.status_code} to {target or 'no redirect'}")
                return None
            return target

    def log_in(self, username: str) -> bool:
        page = self.fetch("log-in page", "/auth/login", "csrf_token")
        if page is None:
            return False
        form = {"csrf_token": TOKEN.search(page).group(1), "username": username, "password": PASSWORD}
        return self.send("log-in POST", "/auth/login", form, r"^(?!.*/auth/login)") is not None


class Student(Visitor):
    wait_time = constant(0)

    @task
    def sit_the_exam(self) -> None:
        username = f"student{next(_numbers) % USERS:04d}"
        try:
            self.exam(username)
        finally:
            finished["students"] += 1
        raise StopUser()

    def exam(self, username: str) -> None:
        if not self.log_in(username):
            return
        listing = self.fetch("exam list", "/exams/", 'name="blueprint"')
        if listing is None:
            return
        blueprint = re.search(r'name="blueprint" value="([^"]+)"', listing).group(1)
        started = time.time()
        target = self.send("exam start", "/exams/start", {"csrf_token": TOKEN.search(listing).group(1),
                                                          "course": "chapter8", "blueprint": blueprint},
                           r"/exams/\d+$")
        if target is None:
            return
        paper = int(re.search(r"/exams/(\d+)$", target).group(1))
        path, index = f"/exams/{paper}", 0
        token = ""
        while True:
            page = self.fetch("exam question", f"{path}?i={index}", "data-answer-form")
            if page is None:
                break
            form = answer_form(page)
            form.pop("flag", None)      # the 标记本题 checkbox: left unticked
            token = form.get("csrf_token", token)
            total = int(re.search(r"第 \d+ / (\d+) 题", page).group(1))
            time.sleep(random.uniform(*THINK))          # reading and thinking (gevent's sleep)
            after = r"/submit$" if index + 1 == total else rf"/exams/{paper}\?i={index + 1}$"
            if self.send("answer", path + "/answer", form, after) is not None:
                acknowledged.append({"user": username, "paper": paper, "item": index, "t": time.time()})
                index += 1
            if index == total or time.time() - started >= WINDOW:
                break
        if self.send("hand-in", path + "/submit", {"csrf_token": token}, rf"/exams/{paper}/result$"):
            self.fetch("result page", path + "/result", "")


class Teacher(Visitor):
    fixed_count = 1
    wait_time = constant(0)

    @task
    def look_at_the_class(self) -> None:
        self.log_in("teacher")
        deadline = time.time() + TEACHER_WAIT
        while finished["students"] < USERS and time.time() < deadline:
            time.sleep(0.5)
        for _ in range(TEACHER_ROUNDS):
            self.fetch("overview", "/instructor/", "<table")
            self.fetch("item analysis", "/instructor/items", "<table")
            time.sleep(1)
        self.environment.runner.quit()
        raise StopUser()
