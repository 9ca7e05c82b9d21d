"""Class reports kept by each worker, refreshed before they expire.

A report (the class overview, item analysis) scans every student's per-question rows: about a
second with 1,000 students. A worker keeps each report for TUTOR_REPORT_CACHE_SECONDS (60) and
never serves one older than that. Once a report is past half that age, the next request still
gets it at once while a background thread computes its successor, so an instructor moving
between the pages rarely waits; only the first request after a quiet minute computes in line.
Ages are read from the app's clock, the same clock that stamps each report's "数据截至".
"""
from __future__ import annotations

import threading
from datetime import datetime
from typing import Any, Callable, TypeVar

from flask import Flask, current_app

from tutor.content.course import Course
from tutor.extensions import db

T = TypeVar("T")
Key = tuple[str, str, str]


class ReportCache:
    def __init__(self, app: Flask) -> None:
        self._app = app
        self._lock = threading.Lock()
        # (report name, course id, scope) -> (made at, the Course it was made from, the report);
        # the scope names whose answers it covers ("class:<id>", or "all" students).
        self._reports: dict[Key, tuple[datetime, Course, Any]] = {}
        self._refreshing: dict[Key, threading.Thread] = {}

    def get(self, name: str, course: Course, compute: Callable[[], T], scope: str = "all") -> T:
        """Report `name` of `course` over the students `scope` names, fresh enough. `compute`
        needs only an app context. New content (another Course object) makes a new report."""
        ttl = float(self._app.config["TUTOR_REPORT_CACHE_SECONDS"])
        key = (name, course.id, scope)
        started = self._app.extensions["tutor_clock"]()
        with self._lock:
            hit = self._reports.get(key)
        if hit is not None and hit[1] is course:
            age = (started - hit[0]).total_seconds()
            if 0 <= age < ttl:
                if age >= ttl / 2:
                    self._refresh(key, course, compute)
                return hit[2]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            self._reports[key] = (started, course, value)
        return value

    def wait(self, timeout: float = 30) -> None:
        """Wait for the refreshes under way (tests; a worker never needs to)."""
        with self._lock:
            threads = list(self._refreshing.values())
        for thread in threads:
            thread.join(timeout)

    def _store(self, key: Key, started: datetime, course: Course, value: Any) -> None:
        """Keep the report unless one made later, or from newer content, is already kept."""
        with self._lock:
            current = self._reports.get(key)
            if current is None or (current[1] is course and current[0] <= started):
                self._reports[key] = (started, course, value)

    def _refresh(self, key: Key, course: Course, compute: Callable[[], Any]) -> None:
        with self._lock:
            if key in self._refreshing:
                return
            thread = threading.Thread(target=self._recompute, args=(key, course, compute), daemon=True,
                                      name=f"report-refresh-{key[0]}-{key[1]}-{key[2]}")
            self._refreshing[key] = thread
        thread.start()

    def _recompute(self, key: Key, course: Course, compute: Callable[[], Any]) -> None:
        try:
            with self._app.app_context():
                started = self._app.extensions["tutor_clock"]()
                try:
                    value = compute()
                finally:
                    db.session.remove()
            self._store(key, started, course, value)
        except Exception:   # the stale report expires on time and the next request recomputes it
            self._app.logger.exception("refreshing class report %r failed", key)
        finally:
            with self._lock:
                self._refreshing.pop(key, None)


def report_cache() -> ReportCache:
    return current_app.extensions["tutor_reports"]  # type: ignore[no-any-return]


def init_app(app: Flask) -> None:
    app.extensions["tutor_reports"] = ReportCache(app)
