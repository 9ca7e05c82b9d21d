"""Glue shared by the blueprints: the current course, access rules, template helpers."""
from __future__ import annotations

import calendar
import random
import secrets
from datetime import datetime
from functools import wraps
from typing import Any, Callable, TypeVar
from urllib.parse import urlsplit

from flask import Flask, abort, before_render_template, current_app, g, render_template, request, url_for
from flask_login import UserMixin, current_user
from markupsafe import Markup
from werkzeug.routing import IntegerConverter, ValidationError

from sqlalchemy import bindparam, select
from sqlalchemy.exc import OperationalError

from tutor import links, localtime, markdown, preferences, security, teaching, transactions
from tutor.formatting import points_text
from tutor.content.course import Course
from tutor.content.loader import Catalog
from tutor.extensions import db, login_manager
from tutor.models import ADMIN, TEACHING_ROLES, User, utcnow
from tutor.questions import REGISTRY, question_type
from tutor.questions.base import LETTERS

F = TypeVar("F", bound=Callable[..., Any])


def catalog() -> Catalog:
    return g.catalog


def course_or_404(course_id: str) -> Course:
    course = catalog().course(course_id)
    if course is None:
        abort(404)
    return course


# The largest id or count any column holds: INTEGER is 32-bit on PostgreSQL (SQLite's 64-bit
# integers are wider), so a number past this is one the database could only refuse with an error.
DB_INT_MAX = 2**31 - 1


def strict_int(text: str | None, upper: int = DB_INT_MAX) -> int | None:
    """A non-negative integer written in ASCII digits, at most `upper`; None for anything else.
    Every number taken from a form, a query string or a cookie goes through here: `str.isdigit()`
    accepts `²` (which `int()` refuses) and 5,000 digits (which the database refuses)."""
    if not text or len(text) > len(str(DB_INT_MAX)) or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if value <= upper else None


class BoundedIntConverter(IntegerConverter):
    """Flask's `int` URL converter, ASCII digits only and bounded by DB_INT_MAX, so that
    `/exams/99999999999999999999` is a 404 rather than the database's overflow error."""

    regex = r"[0-9]+"

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", DB_INT_MAX)
        super().__init__(map, *args, **kwargs)

    def to_python(self, value: str) -> Any:
        if len(value) > len(str(DB_INT_MAX)):   # int() would read 5,000 digits before refusing
            raise ValidationError()
        return super().to_python(value)


SIGNED_IN_AT_MAX = 10**10 - 1     # epoch seconds: ten digits last until the year 2286


def epoch_seconds(moment: datetime) -> int:
    """Seconds since 1970 of a naive UTC datetime (datetime.timestamp() would read it as local)."""
    return calendar.timegm(moment.timetuple())


def signed_in_identity(user: Any) -> str:
    """The id Flask-Login keeps in the session and the remember-me cookie: the user's id and
    session token, and when this log-in happened (see load_user)."""
    return f"{user.get_id()}:{epoch_seconds(now())}"


# Every rate-limited view outside the auth blueprint: auth's request filter lets only these and
# its own views reach Flask-Limiter's check, and tests/test_security.py holds the list and the
# declared limits together.
LIMITED_STUDENT_WRITES = frozenset({"practice.start", "exam.start", "collections.toggle_favourite",
                                    "classes.join"})


def student_write_key() -> str:
    """Student writes are counted per account, whichever address or tab they come from. (The
    check runs before login_required turns an anonymous request away: those count per address.)"""
    if current_user.is_authenticated:
        return f"student-write:{current_user.id}"
    return f"student-write-anonymous:{request.remote_addr}"


def now() -> datetime:
    """The current time, naive UTC; tests replace the app's clock to travel in time."""
    return current_app.extensions["tutor_clock"]()


def rng() -> random.Random:
    """The app's random source for practice sets, option shuffles and exam papers; tests seed it."""
    return current_app.extensions["tutor_random"]


def writes_after_reading(view: F) -> F:
    """Mark a POST view that reads first and calls begin_writing() before it writes. On SQLite
    the write lock is then held only for the writes. On PostgreSQL the view runs in autocommit,
    so each write commits by itself: its one essential write must be a single statement (an
    answer's is, see learning.store), and anything after it an extra that may be lost alone."""
    view.writes_after_reading = True  # type: ignore[attr-defined]
    return view


def writes_database(view: F) -> F:
    """Mark a GET view that writes, so that on SQLite it takes the write lock up front like a POST."""
    view.writes_database = True  # type: ignore[attr-defined]
    return view


def instructor_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_instructor:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def admin_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: no scheme, no host, no protocol-relative `//evil`."""
    if not target:
        return None
    target = target.strip().replace("\\", "/")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


class SignedInUser(UserMixin):
    """The signed-in user as each request sees it: the columns of one indexed Core query, not an
    ORM object (loading one costs several times as much on every page). Views that change the
    account load the `User` row (`account()`)."""

    __slots__ = ("id", "username", "role", "session_token", "must_change_password", "preferences")

    def __init__(self, id: int, username: str, role: str, session_token: str,
                 must_change_password: bool = False, prefs: preferences.Preferences = preferences.DEFAULTS) -> None:
        self.id, self.username, self.role, self.session_token = id, username, role, session_token
        self.must_change_password = bool(must_change_password)
        self.preferences = prefs

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_instructor(self) -> bool:
        return self.role in TEACHING_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN


_users = User.__table__
_SIGNED_IN = (select(_users.c.id, _users.c.username, _users.c.role, _users.c.session_token,
                     _users.c.must_change_password, *preferences.COLUMNS)
              .select_from(_users.outerjoin(preferences.TABLE, preferences.TABLE.c.user_id == _users.c.id))
              .where(_users.c.id == bindparam("id"), _users.c.active.is_(True)))


@login_manager.user_loader
def load_user(user_id: str) -> SignedInUser | None:
    """The user whose id *and* current session token the cookie carries, if still active."""
    number, token, signed_in = (user_id.split(":") + ["", ""])[:3]
    user_number, signed_in_at = strict_int(number), strict_int(signed_in, upper=SIGNED_IN_AT_MAX)
    if user_number is None or not token or signed_in_at is None:
        return None
    # The remember-me cookie replays this id for as long as the browser keeps it: the server
    # ends it TUTOR_REMEMBER_DAYS after the log-in that made it, however often it is replayed.
    if epoch_seconds(now()) - signed_in_at > float(current_app.config["TUTOR_REMEMBER_DAYS"]) * 86400:
        return None
    row = db.session.connection().execute(_SIGNED_IN, {"id": user_number}).first()
    if row is None or not secrets.compare_digest(row.session_token, token):
        return None
    return SignedInUser(*row[:5], prefs=preferences.from_columns(row[5:]))


def account() -> User:
    """The signed-in user's `User` row, for the views that change the account."""
    user = db.session.get(User, current_user.id)
    if user is None:
        abort(404)
    return user


def init_app(app: Flask) -> None:
    """Called before the blueprints are registered: their rules take the bounded `int`."""
    app.url_map.converters["int"] = BoundedIntConverter
    app.extensions.setdefault("tutor_clock", utcnow)
    app.extensions.setdefault("tutor_random", random.SystemRandom())
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录。"
    login_manager.login_message_category = "info"
    links.init_app(app)     # templates' url_for keeps the links that take no value

    # Safe to mark: markdown.render* output has been through nh3's allow-list sanitiser, and
    # markdown.pictures escapes the text around the <img> tags it makes.
    app.jinja_env.filters["markdown"] = lambda text: Markup(markdown.render(text or "", picture_prefix()))  # nosec B704
    app.jinja_env.filters["markdown_inline"] = lambda text: Markup(  # nosec B704
        markdown.render_inline(text or "", picture_prefix()))
    app.jinja_env.filters["pictures"] = lambda text: Markup(markdown.pictures(text or "", picture_prefix()))  # nosec B704
    before_render_template.connect(_remember_course, app, weak=False)
    app.jinja_env.filters["points"] = points_text          # '10' when whole, '7.5' otherwise
    app.jinja_env.filters["percent"] = lambda value: "—" if value is None else f"{value * 100:.0f}%"
    app.jinja_env.globals["LETTERS"] = LETTERS
    # Times are stored naive UTC and shown in the course's timezone: '12月2日 22:02'.
    app.jinja_env.filters["local_time"] = lambda moment: localtime.short(
        moment, current_app.config["TUTOR_TIMEZONE"], now())
    app.jinja_env.filters["local_time_seconds"] = lambda moment: localtime.short(
        moment, current_app.config["TUTOR_TIMEZONE"], now(), seconds=True)
    app.jinja_env.filters["local_day"] = lambda moment: localtime.day(moment, current_app.config["TUTOR_TIMEZONE"])
    app.jinja_env.globals["zone_name"] = lambda: localtime.zone_name(current_app.config["TUTOR_TIMEZONE"])
    # Pages ask the question's type for everything type-specific: its partials, its stem.
    app.jinja_env.globals["question_type"] = question_type
    app.jinja_env.globals["render_stem"] = lambda q: Markup(  # nosec B704: escaped, pictures as <img>
        markdown.pictures(question_type(q).render_stem(q), picture_prefix()))
    # One-line summaries (lists, truncated): pictures as 〔图〕, plain text the page escapes.
    app.jinja_env.globals["stem_text"] = lambda q: markdown.without_pictures(question_type(q).render_stem(q))
    app.jinja_env.globals["type_label"] = lambda name: REGISTRY[name].label if name in REGISTRY else name

    for code, title in ((403, "没有权限"), (404, "页面不存在"), (409, "操作已失效"), (413, "提交的内容太大"),
                        (429, "操作太频繁"), (500, "服务器出错了"), (503, "服务暂时不可用")):
        app.register_error_handler(code, _error_page(code, title))

    @app.errorhandler(OperationalError)
    def database_unavailable(error: Exception) -> Any:
        db.session.rollback()
        try:
            retried = transactions.retry_after_disconnect(error)
        except OperationalError as again:
            db.session.rollback()
            error = again
        else:
            if retried is not None:
                return retried
        current_app.logger.error("database unavailable: %s", security.clean(getattr(error, "orig", error)))
        # Rendered without Flask's context processors: Flask-Login's would look up the user again.
        return current_app.jinja_env.get_template("unavailable.html").render(), 503

    @app.errorhandler(400)
    def bad_request(error: Any) -> Any:
        return render_template("error.html", code=400, title="请求无效",
                               message="表单已过期或无效，请返回上一页刷新后重试。"), 400


def _remember_course(sender: Flask, template: Any, context: dict[str, Any], **extra: Any) -> None:
    """The course a page is about names where its pictures are served (tutor/media.py); every
    page that shows a course's text is rendered with `course`, and macros see it through `g`."""
    course = context.get("course")
    if isinstance(course, Course):
        g.picture_prefix = url_for("media.picture", course_id=course.id, name="x")[:-1]


def picture_prefix() -> str | None:
    return g.get("picture_prefix")


def _error_page(code: int, title: str) -> Callable[[Any], Any]:
    messages = {403: "你没有权限查看这个页面。", 404: "你要找的页面不存在，可能已被移除。",
                409: "这份试卷已经结束，答案没有被记录。", 413: "提交的内容超过了大小限制。",
                429: "操作太频繁了，请稍等一会儿再试。", 500: "服务器出了点问题，请稍后再试。",
                503: "服务暂时不可用，请稍后刷新重试。"}

    def handler(error: Any) -> Any:
        if code == 403:
            security.event("access_denied")
        elif code == 429:
            security.event("rate_limited")
        if code >= 500:
            db.session.rollback()
        return render_template("error.html", code=code, title=title, message=messages[code]), code

    return handler


def class_scope() -> teaching.ReportScope:
    """The students a teacher page covers, from `?class=`: a class the user teaches (any other id,
    or one that is not a number, is a 404, as if it did not exist), or an admin's 全部班级
    (`class=all`). Kept in `g` for the class selector of the teacher tabs."""
    requested = request.args.get("class")
    named = requested not in (None, "", "all")
    scope = teaching.report_scope(current_user, strict_int(requested) if named else None,
                                  requested_all=requested == "all")
    if scope is None or (named and strict_int(requested) is None):
        abort(404)
    g.report_scope = scope
    return scope
