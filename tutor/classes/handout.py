"""The one-time passwords of a roster import, kept for one CSV download by the teacher who made
them: the file is deleted when it is downloaded, and any left are forgotten after an hour."""
from __future__ import annotations

import json
import os
import re
import secrets
import time
from pathlib import Path
from typing import Any


MAX_AGE_SECONDS = 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def keep(folder: Path, user_id: int, class_id: int, rows: list[list[str]]) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - MAX_AGE_SECONDS
    for old in folder.glob("*.json"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            continue
    token = secrets.token_urlsafe(24)
    record = {"user_id": user_id, "class_id": class_id, "rows": rows}
    # readable by the server's user only: it holds passwords until it is downloaded
    handle = os.open(folder / f"{token}.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "wb") as out:
        out.write(json.dumps(record, ensure_ascii=False).encode("utf-8"))
    return token


def take(folder: Path, token: str, user_id: int, class_id: int) -> list[list[str]] | None:
    """The rows kept under `token` for this teacher and class, deleted as they are read."""
    if not _TOKEN.fullmatch(token or ""):
        return None
    path = folder / f"{token}.json"
    try:
        if time.time() - path.stat().st_mtime > MAX_AGE_SECONDS:
            path.unlink(missing_ok=True)
            return None
        record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("user_id") != user_id or record.get("class_id") != class_id:
        return None
    path.unlink(missing_ok=True)
    return [list(map(str, row)) for row in record["rows"]]
