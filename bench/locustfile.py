"""Simulated students for bench/perf.py: log in, practise, answer, look at their progress."""
from __future__ import annotations

import itertools
import os
import random
import re
import sys
from pathlib import Path

from locust import HttpUser, between, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from concurrency import answer_form  # noqa: E402
from seed import PASSWORD  # noqa: E402

_numbers = itertools.count()
USERS = int(os.environ.get("TUTOR_BENCH_USERS", "200"))


class Student(HttpUser):
    wait_time = between(1, 3)      # reading the question, thinking

    def on_start(self) -> None:
        name = f"student{next(_numbers) % USERS:04d}"
        page = self.client.get("/auth/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        self.client.post("/auth/login", {"csrf_token": token, "username": name, "password": PASSWORD})
        self.set_path = None

    def _token(self, page: str) -> str:
        return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)

    @task(6)
    def answer(self) -> None:
        if self.set_path is None:
            home = self.client.get("/").text
            kp = random.choice(["survey.methods", "churn.causes", "overview.process", "segmentation.standards"])
            response = self.client.post("/practice/start", {"csrf_token": self._token(home), "course": "chapter8",
                                                            "mode": "random", "scope": "kp", "id": kp},
                                        allow_redirects=False)
            self.set_path = response.headers.get("Location")
            if not self.set_path:
                return
        page = self.client.get(self.set_path, name="/practice/[set]")
        if "data-answer-form" not in page.text:
            self.set_path = None
            return
        self.client.post(self.set_path + "/answer", answer_form(page.text), name="/practice/[set]/answer")

    @task(1)
    def progress(self) -> None:
        self.client.get("/progress/")

    @task(1)
    def home(self) -> None:
        self.client.get("/")
