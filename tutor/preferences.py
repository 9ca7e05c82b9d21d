"""A user's 设置 (tutor.models.UserSettings) as the pages read them: shared by the settings
page, the base template (font size), the practice pages (one-tap, auto-next) and the home page
(goals), so that no blueprint reads another's internals."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Sequence

from flask import g
from flask_login import current_user
from sqlalchemy import select

from tutor.extensions import db
from tutor.goals import DEFAULT_DAILY_GOAL
from tutor.models import UserSettings

FONT_CLASSES = {"standard": "", "large": "font-large", "xlarge": "font-xlarge"}


@dataclass(frozen=True)
class Preferences:
    one_tap: str = "auto"
    auto_next: bool = False
    font_size: str = "standard"
    daily_goal: int = DEFAULT_DAILY_GOAL
    exam_date: date | None = None

    @property
    def font_class(self) -> str:
        """The class on <html> that scales every rem on the page (theme.css)."""
        return FONT_CLASSES.get(self.font_size, "")


DEFAULTS = Preferences()


def row_of(user_id: int) -> UserSettings | None:
    return db.session.scalar(select(UserSettings).where(UserSettings.user_id == user_id))


TABLE = UserSettings.__table__
# The columns the signed-in user's query (tutor.web.load_user) joins in, so that a page reads
# the preferences with the account instead of in a second query.
COLUMNS = (TABLE.c.id.label("settings_id"), TABLE.c.one_tap, TABLE.c.auto_next, TABLE.c.font_size,
           TABLE.c.daily_goal, TABLE.c.exam_date)


def from_columns(values: Sequence[Any]) -> Preferences:
    """The preferences from COLUMNS' values as an outer join gives them (NULLs: no row, defaults)."""
    settings_id, one_tap, auto_next, font_size, daily_goal, exam_date = values
    if settings_id is None:
        return DEFAULTS
    return Preferences(one_tap, bool(auto_next), font_size, daily_goal, exam_date)


def of_user(user_id: int) -> Preferences:
    row = row_of(user_id)
    if row is None:
        return DEFAULTS
    return Preferences(row.one_tap, row.auto_next, row.font_size, row.daily_goal, row.exam_date)


def current() -> Preferences:
    """The signed-in user's preferences (the defaults for a visitor), read once a request: the
    base template asks on every page."""
    if "preferences" not in g:
        if not current_user.is_authenticated:
            g.preferences = DEFAULTS
        else:
            # Loaded with the account on every signed-in request; queried only for a user object
            # made otherwise (the log-in request's own).
            loaded = getattr(current_user, "preferences", None)
            g.preferences = loaded if isinstance(loaded, Preferences) else of_user(current_user.id)
    prefs: Preferences = g.preferences
    return prefs


def template_values() -> dict[str, Any]:
    return {"prefs": current()}


def save(user_id: int, values: Preferences, moment: datetime) -> UserSettings:
    """Write the user's row, made on the first save. The caller commits."""
    row = row_of(user_id)
    if row is None:
        row = UserSettings(user_id=user_id)
        db.session.add(row)
    row.one_tap, row.auto_next, row.font_size = values.one_tap, values.auto_next, values.font_size
    row.daily_goal, row.exam_date = values.daily_goal, values.exam_date
    row.updated_at = moment
    g.preferences = values
    return row
