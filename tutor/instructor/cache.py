"""Class reports kept once for every worker and node, refreshed before they expire.

A report (the class overview, item analysis) scans every student's per-question rows: up to a
second with 1,000 students. It is kept for TUTOR_REPORT_CACHE_SECONDS (60) in the shared store
TUTOR_REPORT_CACHE_URI names (Redis, or the `report_cache` table; report_store), as JSON
(report_codec), so that a report one worker made is served by the others, and never served
older than that. Each worker also keeps the reports it last made or read, and serves that copy
without asking the store while it is younger than half the age.

One worker at a time computes a report (a lease in the store). A report past half its age is
still served at once while a background thread makes its successor; the first request after a
quiet minute computes in line, and a request arriving meanwhile waits for that computation
(at most WAIT_SECONDS) rather than computing it too.

A report is kept under its course's content fingerprint: content reloaded without a restart
gets new reports. Ages are read from the app's clock, the same clock that stamps each report's
"数据截至". A store that cannot be reached is skipped for RETRY_SECONDS, with a warning, and
each worker computes and keeps its reports alone meanwhile: the pages never fail for it.
"""
from __future__ import annotations

import threading
import time
from datetime import datetime
from typing import Any, Callable, TypeVar

from flask import Flask, current_app

from tutor.content.course import Course
from tutor.extensions import db
from tutor.instructor import report_codec, report_store

T = TypeVar("T")
Key = tuple[str, str, str]
WAIT_SECONDS = 10.0       # the longest a request waits for another worker's computation
POLL_SECONDS = 0.05
RETRY_SECONDS = 5.0       # an unreachable store is tried again after this long
STALE_FACTOR = 2          # a report is kept for twice its age, served late only while being remade
_UNAVAILABLE = object()


class ReportCache:
    def __init__(self, app: Flask) -> None:
        self._app = app
        self._lock = threading.Lock()
        # (report name, course id, scope) -> (content fingerprint, made at, the report); the
        # scope names whose answers it covers ("class:<id>", or "all" students).
        self._reports: dict[Key, tuple[str, datetime, Any]] = {}
        self._refreshing: dict[Key, threading.Thread] = {}
        self._store = report_store.open_store(str(app.config["TUTOR_REPORT_CACHE_URI"]))
        self._skip_store_until = 0.0

    def get(self, name: str, course: Course, compute: Callable[[], T], scope: str = "all") -> T:
        """Report `name` of `course` over the students `scope` names, fresh enough. `compute`
        needs only an app context."""
        ttl = float(self._app.config["TUTOR_REPORT_CACHE_SECONDS"])
        if ttl <= 0:
            return compute()
        key = (name, course.id, scope)
        fingerprint = report_codec.content_fingerprint(course)
        started = self._now()
        shared = self._shared_key(key, fingerprint)
        with self._lock:
            mine = self._reports.get(key)
        hit = (mine[1], mine[2]) if mine is not None and mine[0] == fingerprint else None
        if hit is not None and 0 <= (started - hit[0]).total_seconds() < ttl / 2:
            return hit[1]  # type: ignore[no-any-return]
        if shared is not None:
            found = self._read(shared, name, course)
            if found is not None and (hit is None or found[0] > hit[0]):
                hit = found
                self._keep_here(key, fingerprint, *found)
        if hit is not None:
            age = (started - hit[0]).total_seconds()
            if 0 <= age < ttl:
                if age >= ttl / 2:
                    self._refresh(key, fingerprint, shared, course, compute)
                return hit[1]  # type: ignore[no-any-return]
        stale = hit[1] if hit is not None and 0 <= (started - hit[0]).total_seconds() < STALE_FACTOR * ttl else None
        return self._make(key, fingerprint, shared, name, course, compute, started, stale)

    def forget_all(self) -> None:
        """Drop every report this worker and the shared store keep: an account was closed, and
        reports show names. Other workers' own copies age out within half the age limit."""
        with self._lock:
            self._reports.clear()
        if self._store is not None:
            self._call(self._store.forget_all)

    def wait(self, timeout: float = 30) -> None:
        """Wait for the refreshes under way (tests; a worker never needs to)."""
        with self._lock:
            threads = list(self._refreshing.values())
        for thread in threads:
            thread.join(timeout)

    def _now(self) -> datetime:
        return self._app.extensions["tutor_clock"]()  # type: ignore[no-any-return]

    def _shared_key(self, key: Key, fingerprint: str) -> str | None:
        if self._store is None or key[0] not in report_codec.CODECS:
            return None
        return f"tutor:report:{key[0]}:{key[1]}:{key[2]}:{fingerprint}"

    def _make(self, key: Key, fingerprint: str, shared: str | None, name: str, course: Course,
              compute: Callable[[], T], started: datetime, stale: Any) -> T:
        """Compute the report under the lease, or let the worker that holds it do so: serve the
        expired report meanwhile if there is one, else wait for the new one."""
        deadline = time.monotonic() + WAIT_SECONDS
        store = self._store
        while True:
            if shared is None or store is None:
                return self._compute_and_keep(key, fingerprint, shared, compute, started, None)
            lease = self._call(lambda: store.lease(shared))
            if lease is not None:
                # Made by the worker whose lease this one follows, after this request last looked?
                made = self._fresh(shared, name, course, 1.0) if lease is not _UNAVAILABLE else None
                if made is not None:
                    self._release(lease)
                    self._keep_here(key, fingerprint, *made)
                    return made[1]  # type: ignore[no-any-return]
                return self._compute_and_keep(key, fingerprint, shared, compute, started, lease)
            if stale is not None:
                return stale  # type: ignore[no-any-return]
            if time.monotonic() >= deadline:
                self._app.logger.warning("class report %r: waited %.0f s for another worker, computing it here",
                                         key, WAIT_SECONDS)
                return self._compute_and_keep(key, fingerprint, shared, compute, started, None)
            time.sleep(POLL_SECONDS)
            found = self._fresh(shared, name, course, 1.0)
            if found is not None:
                self._keep_here(key, fingerprint, *found)
                return found[1]  # type: ignore[no-any-return]

    def _fresh(self, shared: str, name: str, course: Course, share_of_age: float) -> tuple[datetime, Any] | None:
        """The shared report if it is younger than `share_of_age` of TUTOR_REPORT_CACHE_SECONDS."""
        found = self._read(shared, name, course)
        ttl = float(self._app.config["TUTOR_REPORT_CACHE_SECONDS"])
        if found is not None and 0 <= (self._now() - found[0]).total_seconds() < share_of_age * ttl:
            return found
        return None

    def _release(self, lease: Any) -> None:
        store = self._store
        if lease is not None and lease is not _UNAVAILABLE and store is not None:
            self._call(lambda: store.release(lease))

    def _compute_and_keep(self, key: Key, fingerprint: str, shared: str | None, compute: Callable[[], T],
                          started: datetime, lease: Any) -> T:
        try:
            value = compute()
            self._keep_here(key, fingerprint, started, value)
            if shared is not None:
                self._write(shared, key[0], started, value)
            return value
        finally:
            self._release(lease)

    def _keep_here(self, key: Key, fingerprint: str, made_at: datetime, value: Any) -> None:
        """Keep the report in this worker unless one made later, from the same content, is kept."""
        with self._lock:
            current = self._reports.get(key)
            if current is None or current[0] != fingerprint or current[1] <= made_at:
                self._reports[key] = (fingerprint, made_at, value)

    def _read(self, shared: str, name: str, course: Course) -> tuple[datetime, Any] | None:
        store = self._store
        found = self._call(lambda: store.read(shared)) if store is not None else None
        if found is None or found is _UNAVAILABLE:
            return None
        made_at, payload = found
        try:
            return made_at, report_codec.loads(name, payload, course)
        except (ValueError, KeyError, TypeError, IndexError):    # another release's format: made anew
            self._app.logger.warning("class report %s could not be read back; computing it", shared)
            return None

    def _write(self, shared: str, name: str, made_at: datetime, value: Any) -> None:
        store = self._store
        if store is None:
            return
        try:
            payload = report_codec.dumps(name, value)
        except (ValueError, TypeError):
            self._app.logger.exception("class report %s could not be written as JSON; kept in this worker", shared)
            return
        keep = STALE_FACTOR * float(self._app.config["TUTOR_REPORT_CACHE_SECONDS"])
        self._call(lambda: store.write(shared, made_at, payload, keep))

    def _call(self, action: Callable[[], Any]) -> Any:
        """The store's answer, or _UNAVAILABLE (this worker then goes on alone for a while)."""
        if time.monotonic() < self._skip_store_until:
            return _UNAVAILABLE
        try:
            return action()
        except report_store.Unavailable as error:
            self._skip_store_until = time.monotonic() + RETRY_SECONDS
            self._app.logger.warning("report cache %s unavailable, computing class reports in this worker "
                                     "for %.0f s: %s", self._app.config["TUTOR_REPORT_CACHE_URI"] or "table",
                                     RETRY_SECONDS, str(error)[:300])
            return _UNAVAILABLE

    def _refresh(self, key: Key, fingerprint: str, shared: str | None, course: Course,
                 compute: Callable[[], Any]) -> None:
        with self._lock:
            if key in self._refreshing:
                return
            thread = threading.Thread(target=self._recompute, args=(key, fingerprint, shared, course, compute),
                                      daemon=True,
                                      name=f"report-refresh-{key[0]}-{key[1]}-{key[2]}")
            self._refreshing[key] = thread
        thread.start()

    def _recompute(self, key: Key, fingerprint: str, shared: str | None, course: Course,
                   compute: Callable[[], Any]) -> None:
        try:
            with self._app.app_context():
                lease = None
                if shared is not None and self._store is not None:
                    store = self._store
                    lease = self._call(lambda: store.lease(shared))
                    if lease is None:       # another worker is making it already
                        return
                    made = self._fresh(shared, key[0], course, 0.5) if lease is not _UNAVAILABLE else None
                    if made is not None:    # another worker has just made it
                        self._release(lease)
                        self._keep_here(key, fingerprint, *made)
                        return
                try:
                    self._compute_and_keep(key, fingerprint, shared, compute, self._now(), lease)
                finally:
                    db.session.remove()
        except Exception:   # the stale report expires on time and the next request recomputes it
            self._app.logger.exception("refreshing class report %r failed", key)
        finally:
            with self._lock:
                self._refreshing.pop(key, None)


def report_cache() -> ReportCache:
    return current_app.extensions["tutor_reports"]  # type: ignore[no-any-return]


def init_app(app: Flask) -> None:
    app.extensions["tutor_reports"] = ReportCache(app)
