"""Previewed imports kept on the server until the instructor publishes them.

The 发布到题库 form names a preview by an unguessable token; what is published is the result
the server itself made from the upload (kept here as the isolated worker's JSON), never text
posted back by the browser. A kept preview belongs to the instructor who made it and is
forgotten after a day.
"""
from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from tutor.content.publish import write_atomic
from tutor.content.transfer.common import ImportResult
from tutor.content.transfer.isolated import result_from_json, result_to_json

MAX_AGE_SECONDS = 24 * 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


@dataclass(frozen=True)
class Pending:
    course_id: str
    filename: str
    result: ImportResult


def keep(folder: Path, user_id: int, course_id: str, filename: str, result: ImportResult) -> str:
    """Keep a previewed import; the token the publish form sends back for it."""
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old(folder)
    token = secrets.token_urlsafe(24)
    record = {"user_id": user_id, "course_id": course_id, "filename": filename, "result": result_to_json(result)}
    write_atomic(folder / f"{token}.json", json.dumps(record, ensure_ascii=False).encode("utf-8"))
    return token


def take(folder: Path, token: str, user_id: int) -> Pending | None:
    """The import kept under `token` for this instructor, or None (unknown, expired, another's)."""
    if not _TOKEN.fullmatch(token):
        return None
    path = folder / f"{token}.json"
    try:
        if time.time() - path.stat().st_mtime > MAX_AGE_SECONDS:
            return None
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("user_id") != user_id:
        return None
    return Pending(str(record["course_id"]), str(record["filename"]), result_from_json(record["result"]))


def discard(folder: Path, token: str) -> None:
    if _TOKEN.fullmatch(token):
        (folder / f"{token}.json").unlink(missing_ok=True)


def _forget_old(folder: Path) -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in folder.glob("*.json"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue
