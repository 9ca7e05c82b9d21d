"""注销: a user asks, may cancel during the cooling-off period, and afterwards the account is
anonymised. Answers, exam papers and submissions stay, attached to the anonymised row, so that
class reports and item statistics still add up (anonymised data is not personal information,
PIPL art. 73(4)); everything kept only for the person (notebook, favourites, review cards,
where sequential practice resumes, private notes on questions) and the teachers' comments on
their work are deleted.

Reports of problems in questions (纠错) stay, attached to the anonymised row: they are about the
content, an open one still needs fixing and a handled one records why a question changed. Their
text and the instructors' replies may name the student, so the username and 姓名 are replaced
by 已注销 wherever they appear in them (docs/notes-and-reports.md).
"""
from __future__ import annotations

import re
import secrets
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update

from tutor.models import (ADMIN, Favourite, NotebookEntry, QuestionNote, QuestionReport, ReviewCard, SequenceCursor,
                          Submission, User, UserSettings)
from tutor.privacy.data import DbSession

# A closed account's username: a character registration and roster import refuse ('#') keeps
# anyone from choosing a name that would show as 已注销.
CLOSED_PREFIX = "已注销#"
CLOSED_LABEL = "已注销"
# No password hashes to this: Werkzeug refuses a hash without its method and salt.
UNUSABLE_PASSWORD = "!closed"
PERSONAL_COLLECTIONS = (NotebookEntry, Favourite, ReviewCard, SequenceCursor, QuestionNote, UserSettings)
# A name shorter than this is not looked for in report texts: replacing one character (a 姓名
# like 王, a username like "a") would mangle every text it occurs in and hide nobody.
SHORTEST_SCRUBBED_NAME = 2


def shown_name(username: str | None) -> str:
    """What teachers' pages show for a username: 已注销 for a closed account's replacement."""
    if username is None:
        return ""
    return CLOSED_LABEL if username.startswith(CLOSED_PREFIX) else username


def is_closed(user: User) -> bool:
    return user.closed_at is not None


def may_close_self(user: User) -> bool:
    """An admin is closed by another admin (or the operator), so that no school is left without one."""
    return user.role != ADMIN and not is_closed(user)


def closes_at(user: User, cooling_days: float) -> datetime | None:
    if user.closure_requested_at is None or is_closed(user):
        return None
    return user.closure_requested_at + timedelta(days=cooling_days)


def is_due(user: User, now: datetime, cooling_days: float) -> bool:
    when = closes_at(user, cooling_days)
    return when is not None and now >= when


def request_closure(user: User, now: datetime) -> None:
    if user.closure_requested_at is None:
        user.closure_requested_at = now


def cancel_closure(user: User) -> bool:
    """Whether there was a pending closure to cancel."""
    if user.closure_requested_at is None or is_closed(user):
        return False
    user.closure_requested_at = None
    return True


def close_account(session: DbSession, user: User, now: datetime) -> Counter[str]:
    """Anonymise the account now and delete what was kept only for its owner; what was deleted,
    by table. The caller commits."""
    deleted: Counter[str] = Counter()
    if is_closed(user):
        return deleted
    for model in PERSONAL_COLLECTIONS:
        result = session.execute(delete(model).where(model.user_id == user.id))
        deleted[model.__tablename__] += result.rowcount or 0     # type: ignore[attr-defined]
    # A teacher's 评语 may well name the student.
    result = session.execute(update(Submission).where(Submission.user_id == user.id, Submission.comment.is_not(None))
                             .values(comment=None, comment_by=None, comment_at=None))
    deleted["submission comments"] += result.rowcount or 0        # type: ignore[attr-defined]
    deleted["question report texts"] += scrub_reports(session, user)
    user.username = CLOSED_PREFIX + secrets.token_hex(12)        # sets username_key too
    user.display_name = None
    user.password_hash = UNUSABLE_PASSWORD
    user.must_change_password = False
    user.rotate_session()                                         # every open session ends
    user.active = False
    user.closure_requested_at = user.closure_requested_at or now
    user.closed_at = now
    session.flush()
    return +deleted


def scrub_reports(session: DbSession, user: User) -> int:
    """Replace the user's username and 姓名 by 已注销 in the texts of their reports and the
    replies to them; how many reports changed. Names are matched ignoring case, as usernames
    are at log-in. Only these two names: other details a text may give are not recognised."""
    names = sorted({n for n in (user.username, user.display_name) if n and len(n) >= SHORTEST_SCRUBBED_NAME},
                   key=len, reverse=True)    # the longer first: 张三丰 before a username inside it
    if not names:
        return 0
    pattern = re.compile("|".join(re.escape(n) for n in names), re.IGNORECASE)
    changed = 0
    for report in session.scalars(select(QuestionReport).where(QuestionReport.user_id == user.id)):
        text = pattern.sub(CLOSED_LABEL, report.text)
        reply = pattern.sub(CLOSED_LABEL, report.reply) if report.reply else report.reply
        if (text, reply) != (report.text, report.reply):
            report.text, report.reply = text, reply
            changed += 1
    return changed


def due_accounts(session: DbSession, now: datetime, cooling_days: float) -> list[User]:
    """Accounts whose cooling-off period has ended and that are not closed yet."""
    cutoff = now - timedelta(days=cooling_days)
    return list(session.scalars(select(User).where(User.closure_requested_at.is_not(None),
                                                   User.closed_at.is_(None),
                                                   User.closure_requested_at <= cutoff).order_by(User.id)))
