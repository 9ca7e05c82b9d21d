"""Class reports as JSON, for the cache every worker shares (report_store).

JSON, never pickle: whoever can write to a shared store must not be able to run code in the
workers that read it. The formats are compact, because a 1,000-student overview is decoded on
each request that finds it in the shared store: each row is a list, and the mastery cells (a
few hundred distinct ones among 13,000) are written once and referred to by index. A question
is written as its id and found again in the course the report was made from: the cache key
holds that course's fingerprint (content_fingerprint), so every id is there.
"""
from __future__ import annotations

import hashlib
import json
import threading
import weakref
from dataclasses import astuple
from datetime import datetime
from typing import Any, Callable

from tutor.content.course import Course
from tutor.instructor.reports import Account, ClassOverview, ItemStats, StudentRow
from tutor.standing.mastery import Mastery

FORMAT = 1      # bumped when a format below changes: older entries are then never read

_fingerprints: dict[int, tuple[weakref.ref[Course], str]] = {}
_fingerprints_lock = threading.Lock()


def content_fingerprint(course: Course) -> str:
    """A digest of everything in a course a report depends on (the manifest: knowledge points,
    exams, settings; each question as written, in order). Content reloaded without a restart is
    a new Course with, if anything changed, a new fingerprint; every worker computes the same one
    from the same files. Kept per Course object, as hashing the questions costs a few ms."""
    with _fingerprints_lock:
        known = _fingerprints.get(id(course))
        if known is not None and known[0]() is course:
            return known[1]
    digest = hashlib.sha256(f"{FORMAT}\n".encode())
    digest.update(course.manifest.model_dump_json().encode())
    for question in course.questions:
        digest.update(f"\n{question.id}={course.versions.get(question.id, '')}".encode())
    fingerprint = digest.hexdigest()[:20]
    with _fingerprints_lock:
        for key in [k for k, (ref, _) in _fingerprints.items() if ref() is None]:
            del _fingerprints[key]
        _fingerprints[id(course)] = (weakref.ref(course), fingerprint)
    return fingerprint


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def encode_overview(overview: ClassOverview) -> Any:
    cells: dict[Mastery, int] = {}
    points: list[str] = list(overview.rows[0].mastery) if overview.rows else []
    rows = []
    for row in overview.rows:
        if list(row.mastery) != points:
            raise ValueError("every row of an overview has the same knowledge points")
        mastery = [cells.setdefault(cell, len(cells)) for cell in row.mastery.values()]
        rows.append([row.user.id, row.user.username, row.user.display_name, _time(row.user.created_at),
                     row.answered, row.correct, _time(row.last_active), row.last_exam, row.best_exam, row.exams,
                     mastery])
    return {"computed_at": _time(overview.computed_at), "pass_percent": overview.pass_percent,
            "points": points, "cells": [astuple(cell) for cell in cells], "rows": rows}


def decode_overview(data: Any, course: Course) -> ClassOverview:
    cells = [Mastery(*cell) for cell in data["cells"]]
    points = data["points"]
    parse = _parse_time
    rows = [StudentRow(Account(user_id, username, display_name, parse(created_at)), answered, correct,
                       parse(last_active), dict(zip(points, [cells[i] for i in mastery])), last_exam, best_exam,
                       exams)
            for (user_id, username, display_name, created_at, answered, correct, last_active, last_exam, best_exam,
                 exams, mastery) in data["rows"]]
    return ClassOverview(rows, datetime.fromisoformat(data["computed_at"]), int(data["pass_percent"]))


def encode_items(report: tuple[list[ItemStats], datetime]) -> Any:
    rows, computed_at = report
    return {"computed_at": _time(computed_at),
            "rows": [[r.question.id, r.attempts, r.facility, r.discrimination, r.papers, r.option_counts,
                      r.key_options, r.flags, r.calibrated] for r in rows]}


def decode_items(data: Any, course: Course) -> tuple[list[ItemStats], datetime]:
    rows = [ItemStats(course.by_id[qid], attempts, facility, discrimination, papers, option_counts, key_options,
                      flags, calibrated)
            for qid, attempts, facility, discrimination, papers, option_counts, key_options, flags, calibrated
            in data["rows"]]
    return rows, datetime.fromisoformat(data["computed_at"])


Codec = tuple[Callable[[Any], Any], Callable[[Any, Course], Any]]
# The reports that may be shared, by the name the views cache them under; any other is kept by
# its worker only.
CODECS: dict[str, Codec] = {"overview": (encode_overview, decode_overview), "items": (encode_items, decode_items)}


def dumps(name: str, report: Any) -> bytes:
    return json.dumps(CODECS[name][0](report), ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode()


def loads(name: str, data: bytes | str, course: Course) -> Any:
    return CODECS[name][1](json.loads(data), course)
