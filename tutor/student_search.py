"""The student search box of the class pages: a case-insensitive substring of the 学号
(username) or the 姓名 (display name), the same in SQL (the roster, paged in the database) and in
Python (the class overview, paged from its cached report).

What a teacher types is matched literally: `%`, `_` and `\\` are escaped for LIKE, and the text
is cut to MAX_CHARS, control characters dropped (no 学号 or 姓名 is longer than 64, so a longer text could match nothing
anyway; the cut only keeps a pasted page from travelling into every query).
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, or_

from tutor.models import User, username_key

MAX_CHARS = 100
ESCAPE = "\\"
# Control characters are in no 学号 or 姓名, and PostgreSQL refuses a NUL in any text parameter.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def cleaned(text: str | None) -> str:
    """The search text as kept in the page's URL and box: trimmed and cut to MAX_CHARS."""
    return _CONTROL.sub("", text or "").strip()[:MAX_CHARS]


def _like(text: str) -> str:
    escaped = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def sql_match(text: str) -> ColumnElement[bool]:
    """A WHERE clause for users whose 学号 or 姓名 contains `text` (already `cleaned`, not empty).
    The 学号 is compared through `username_key` (NFKC, lower case: `ＡＢ` finds `ab`), which
    every account keeps; ILIKE (lower() LIKE lower() on SQLite) does the 姓名."""
    return or_(User.username_key.like(_like(username_key(text)), escape=ESCAPE),
               User.display_name.ilike(_like(text), escape=ESCAPE))


def matches(user: Any, text: str) -> bool:
    """The same test in Python, for rows already in memory."""
    name = (user.display_name or "").casefold()
    key = getattr(user, "username_key", None) or username_key(user.username)
    return username_key(text) in key or text.casefold() in name
