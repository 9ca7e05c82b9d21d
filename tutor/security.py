"""Security plumbing shared by every page: headers, session lifetimes, the security log."""
from __future__ import annotations

import logging
import re
import time
from typing import Any

from flask import Flask, Response, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user, user_logged_in, user_loaded_from_cookie
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response as BaseResponse

log = logging.getLogger("tutor.security")
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")

SESSION_REFRESH_SECONDS = 60
# Endpoints that set their own Cache-Control: static files, and content pictures (tutor/media.py).
CACHEABLE = frozenset({"static", "media.picture"})

# worker-src and manifest-src would fall back to script-src and default-src; named outright, so
# that the service worker and the manifest (tutor/pwa.py) survive a stricter default-src.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'; "
       "worker-src 'self'; manifest-src 'self'")


def clean(value: Any, limit: int = 200) -> str:
    """User-supplied text made safe for one log line: control characters escaped, length capped."""
    text = str(value)[:limit]
    return _UNSAFE.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), text)


def event(name: str, **fields: Any) -> None:
    """One security event, with the user and path it concerns; never given a password."""
    user = current_user.get_id().split(":")[0] if current_user and current_user.is_authenticated else "-"
    details = " ".join(f"{key}={clean(value)}" for key, value in fields.items())
    log.warning("security %s user=%s ip=%s path=%s %s", name, user, clean(request.remote_addr),
                clean(request.path), details)


class TrustedProxyFix:
    """Werkzeug's ProxyFix, for requests that come from a trusted proxy only. A client that
    reaches the app's port directly and sends its own X-Forwarded-For keeps its real address,
    and with it the per-address log-in limits."""

    def __init__(self, app: Any, hops: int, trusted: str | list[str]) -> None:
        self.direct = app
        self.through_proxy = ProxyFix(app, x_for=hops, x_proto=hops, x_host=hops)
        items = trusted.split(",") if isinstance(trusted, str) else trusted
        self.trusted = frozenset(item.strip() for item in items if item.strip())

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("REMOTE_ADDR") in self.trusted:
            return self.through_proxy(environ, start_response)
        return self.direct(environ, start_response)


def init_app(app: Flask) -> None:
    @app.after_request
    def headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        if request.is_secure or app.config["TUTOR_HTTPS"]:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint not in CACHEABLE:
            response.headers["Cache-Control"] = "no-store"   # pages carry one student's data
        return response

    @app.before_request
    def absolute_lifetime() -> BaseResponse | None:
        """End a login older than TUTOR_SESSION_ABSOLUTE_HOURS, however active it has been."""
        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        started = session.get("auth_time")
        limit = float(current_app.config["TUTOR_SESSION_ABSOLUTE_HOURS"]) * 3600
        if started is None or time.time() - started > limit:
            event("session_expired")
            logout_user()
            session.clear()
            flash("登录已过期，请重新登录。", "info")
            return redirect(url_for("auth.login"))
        if not session.permanent:
            session.permanent = True
        # The idle lifetime runs from the cookie's last re-issue. Re-issuing it at most once a
        # minute, not on every request, keeps the idle limit to the minute and spares signing
        # and sending a new cookie with every page.
        if time.time() - session.get("seen", 0) > SESSION_REFRESH_SECONDS:
            session["seen"] = time.time()
        return None

    def stamp(_app: Flask, user: Any) -> None:
        session["auth_time"] = time.time()

    user_logged_in.connect(stamp, app, weak=False)
    user_loaded_from_cookie.connect(stamp, app, weak=False)
