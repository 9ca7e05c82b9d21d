"""An outage drill: gunicorn on PostgreSQL loses its database, in every way we know, and must
come back by itself with nothing acknowledged lost.

The app reaches PostgreSQL through a TCP gate (bench/tcpgate.py). One student answers
questions throughout. Phases:
  refuse   the database refuses connections; a worker is SIGKILLed while it is away
  stall    the database's packets are dropped (needs root and iptables); a worker is SIGKILLed
  cold     the whole server is restarted while the database refuses
Each phase checks that pages answer 503 within a few seconds (static files stay 200) and that
the server answers 200 within 10 s of the database's return. At the end every answer the
server acknowledged must be in the database.

    python bench/outage.py [--database postgresql://postgres@127.0.0.1:5432/test] [--no-stall]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from concurrency import PASSWORD, ROOT, Student, answer_form, free_port, stored_answers, worker_pids  # noqa: E402
from tcpgate import Gate, can_stall  # noqa: E402

RECOVERY_LIMIT = 10.0     # seconds from the database's return to a 200
FAILURE_LIMIT = 8.0       # seconds a page may take to give up on a missing database


class Drill:
    def __init__(self, database: str, log: Path) -> None:
        from sqlalchemy.engine import make_url
        url = make_url(database)
        self.database = url.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
        self.gate = Gate(url.port or 5432, url.host or "127.0.0.1")
        self.gated = url.set(drivername="postgresql+psycopg", host="127.0.0.1",
                             port=self.gate.port).render_as_string(hide_password=False)
        self.log = log
        self.port = free_port()
        self.server: subprocess.Popen | None = None
        self.student = Student(f"http://127.0.0.1:{self.port}", f"drill{os.getpid()}")
        self.set_path = ""
        self.acknowledged: list[int] = []
        self.phases: dict[str, dict[str, object]] = {}

    # --- the server ---------------------------------------------------------------------------
    def start(self, wait_for_database: bool = True) -> None:
        env = {**os.environ, "DATABASE_URL": self.gated, "TUTOR_SECRET_KEY": "drill-secret",
               "TUTOR_CONTENT_POLL_SECONDS": "5", "TUTOR_REGISTER_LIMIT": "1000 per hour"}
        env.pop("TUTOR_AUTO_MIGRATE", None)
        # gunicorn reads gunicorn.conf.py from ROOT: the master migrates, the workers do not.
        self.server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{self.port}", "--timeout", "30",
             "--graceful-timeout", "3", "tutor:create_app()"], cwd=ROOT, env=env,
            stdout=open(self.log, "a"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            status = self.status("/static/style.css")
            if status == 200 and (not wait_for_database or self.status("/auth/login") == 200):
                return
            if self.server.poll() is not None:
                break
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not start: " + self.log.read_text()[-2000:])

    def stop(self) -> None:
        if self.server and self.server.poll() is None:
            os.killpg(self.server.pid, signal.SIGTERM)
            try:
                self.server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.server.pid, signal.SIGKILL)
                self.server.wait()

    def status(self, path: str) -> int:
        return self.student.request(path)[0]

    def timed(self, path: str) -> tuple[int, float]:
        started = time.monotonic()
        status = self.status(path)
        return status, round(time.monotonic() - started, 2)

    def kill_a_worker(self) -> dict[str, object]:
        assert self.server is not None
        before = worker_pids(self.server.pid)
        os.kill(before[0], signal.SIGKILL)
        deadline = time.time() + 30
        while time.time() < deadline:
            now = worker_pids(self.server.pid)
            if len(now) == len(before) and before[0] not in now:
                break
            time.sleep(0.2)
        time.sleep(1.0)    # the new worker has booted (or failed to) by now
        return {"killed": before[0], "master_alive": self.server.poll() is None,
                "workers_after": len(worker_pids(self.server.pid))}

    # --- the student --------------------------------------------------------------------------
    def sign_up(self) -> None:
        _, page, _ = self.student.request("/auth/register")
        self.student.request("/auth/register", {"csrf_token": Student.token(page) or "",
                                                "username": self.student.name,
                                                "password": PASSWORD, "confirm": PASSWORD})
        self.new_set()

    def new_set(self) -> None:
        _, page, _ = self.student.request("/")
        _, _, location = self.student.request("/practice/start", {
            "csrf_token": Student.token(page) or "", "course": "chapter8", "mode": "random", "scope": "all",
            "id": ""})
        self.set_path = urllib.parse.urlsplit(location).path

    def answer(self) -> int:
        """Answer the set's current question; the status of the answer (0: nothing to answer)."""
        status, page, _ = self.student.request(self.set_path)
        if status != 200:
            return status
        if "data-answer-form" not in page:
            self.new_set()
            status, page, _ = self.student.request(self.set_path)
            if status != 200 or "data-answer-form" not in page:
                return status or 0
        form = answer_form(page)
        status, _, location = self.student.request(self.set_path + "/answer", form)
        if status == 302 and re.search(r"/practice/\d+/\d+$", location):
            self.acknowledged.append(int(form["delivery"]))
        return status

    # --- the phases ---------------------------------------------------------------------------
    def outage(self, name: str, cut, kill: bool = True) -> None:
        result: dict[str, object] = {}
        cut()
        result["page_during"] = self.timed("/progress/")
        result["static_during"] = self.timed("/static/style.css")
        result["answer_during"] = self.answer()
        if kill:
            result["worker"] = self.kill_a_worker()
            result["page_after_kill"] = self.timed("/progress/")
        self.recover(result)
        self.phases[name] = result

    def recover(self, result: dict[str, object]) -> None:
        self.gate.restore()
        back = time.monotonic()
        status = 0
        while time.monotonic() - back < 30:
            status = self.status("/progress/")
            if status == 200:
                break
            time.sleep(0.2)
        result["recovered_status"] = status
        result["recovered_after_s"] = round(time.monotonic() - back, 2)
        result["answers_after"] = [self.answer() for _ in range(3)]

    def cold_start(self) -> None:
        self.stop()
        self.gate.refuse()
        result: dict[str, object] = {}
        started = time.monotonic()
        self.start(wait_for_database=False)
        result["booted_after_s"] = round(time.monotonic() - started, 2)
        result["page_during"] = self.timed("/progress/")
        self.recover(result)
        self.phases["cold"] = result


def run(database: str, stall: bool = True, log: Path | None = None) -> dict[str, object]:
    log = log or Path(tempfile.mkdtemp()) / "gunicorn.log"
    drill = Drill(database, log)
    stall = stall and can_stall()
    try:
        drill.start()
        drill.sign_up()
        warm = [drill.answer() for _ in range(3)]
        drill.outage("refuse", drill.gate.refuse)
        if stall:
            drill.outage("stall", drill.gate.stall)
        drill.cold_start()
    finally:
        drill.stop()
        drill.gate.close()
    stored = stored_answers(drill.database)
    return {
        "warm_up_answers": warm,
        "phases": drill.phases,
        "stall_tested": stall,
        "answers_acknowledged": len(set(drill.acknowledged)),
        "acknowledged_but_missing": sorted(d for d in set(drill.acknowledged) if stored[d] == 0),
        "worker_failed_to_boot_in_log": log.read_text(errors="replace").count("Worker failed to boot"),
    }


def failures(result: dict[str, object]) -> list[str]:
    """What the drill's result breaks of the targets, in words; empty when it passed."""
    problems = []
    for name, phase in result["phases"].items():  # type: ignore[union-attr]
        for key in ("page_during", "page_after_kill"):
            if key in phase:
                status, seconds = phase[key]
                if status != 503 or seconds > FAILURE_LIMIT:
                    problems.append(f"{name}: {key} gave {status} after {seconds} s (want 503 within {FAILURE_LIMIT} s)")
        if "static_during" in phase and phase["static_during"][0] != 200:
            problems.append(f"{name}: static file gave {phase['static_during']}")
        if phase.get("answer_during") in (200, 302):
            problems.append(f"{name}: an answer was acknowledged while the database was away")
        worker = phase.get("worker")
        if worker and not (worker["master_alive"] and worker["workers_after"] == 2):
            problems.append(f"{name}: after killing a worker: {worker}")
        if phase["recovered_status"] != 200 or phase["recovered_after_s"] > RECOVERY_LIMIT:
            problems.append(f"{name}: {phase['recovered_status']} {phase['recovered_after_s']} s after the return")
        if any(status != 302 for status in phase["answers_after"]):
            problems.append(f"{name}: answers after the return: {phase['answers_after']}")
    if result["acknowledged_but_missing"]:
        problems.append(f"acknowledged and missing: {result['acknowledged_but_missing']}")
    if result["worker_failed_to_boot_in_log"]:
        problems.append("gunicorn logged 'Worker failed to boot'")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-stall", action="store_true", help="skip the dropped-packets phase")
    args = parser.parse_args()
    from tutor.config import database_url
    result = run(database_url(args.database), stall=not args.no_stall)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    problems = failures(result)
    print("\n".join(problems) if problems else "OK: every outage recovered, nothing acknowledged lost")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
