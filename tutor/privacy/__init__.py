"""Personal-data rights under PIPL (个人信息保护法): what is stored about a user (data.py, for
download as JSON or CSV files in a ZIP, archive.py), account closure with its cooling-off
period (closure.py), and the retention limit on inactive students' answers (retention.py).

Plain functions over a SQLAlchemy session: the account blueprint and the CLI call them and
commit. See docs/privacy.md.
"""
from __future__ import annotations

from typing import Any


def forget_kept_reports(extensions: dict[str, Any]) -> None:
    """Drop the class reports kept for teachers (tutor/instructor/cache.py), after an account is
    closed: they show students' names. Given the app's `extensions`, so that no blueprint has to
    import the instructors' one."""
    cache = extensions.get("tutor_reports")
    if cache is not None:
        cache.forget_all()
