"""Installable app (PWA): the web app manifest, the service worker and its offline page.

What the worker keeps and what it never keeps is in docs/offline.md. It is rendered from
templates/pwa/sw.js with a version, a hash of every static file and of the offline page's
templates: a deploy that changes any of them changes the worker's bytes, so browsers install
the new worker, which stores the new app shell and drops the old one.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app, render_template, url_for
from werkzeug.wrappers import Response

bp = Blueprint("pwa", __name__)

NAME = "外贸业务员考试辅导"
SHORT_NAME = "外贸辅导"
THEME_COLOUR = "#1d6fb8"        # --brand in style.css: the status bar and the title bar
BACKGROUND_COLOUR = "#f6f7f9"   # --bg in style.css: the splash screen while the app starts
# Lessons read online, kept for reading offline. Its name outlives deploys (pages refer to
# static files by stable names), so a new worker keeps what the student has opened.
LESSON_CACHE = "lessons-v1"
# The offline page's templates: their text is part of the version, like the static files.
OFFLINE_TEMPLATES = ("pwa/offline.html", "base.html")
# Icons in tutor/static/ (made by tools/make_icons.py): file, sizes, type, purpose.
ICONS = (("favicon.svg", "any", "image/svg+xml", "any"),
         ("icon-192.png", "192x192", "image/png", "any"),
         ("icon-512.png", "512x512", "image/png", "any"),
         ("icon-maskable-512.png", "512x512", "image/png", "maskable"))


@bp.route("/manifest.webmanifest")
def manifest() -> Response:
    body = {
        "name": NAME, "short_name": SHORT_NAME, "description": "外贸业务员考试：课文、练习与模拟考试",
        "lang": "zh-CN", "dir": "ltr", "id": "/", "start_url": url_for("study.home"), "scope": "/",
        "display": "standalone", "orientation": "any",
        "theme_color": THEME_COLOUR, "background_color": BACKGROUND_COLOUR,
        "icons": [{"src": url_for("static", filename=name), "sizes": sizes, "type": kind, "purpose": purpose}
                  for name, sizes, kind, purpose in ICONS],
    }
    return Response(json.dumps(body, ensure_ascii=False, indent=1), mimetype="application/manifest+json")


@bp.route("/sw.js")
def worker() -> Response:
    static = _static_files(current_app)
    precache = [url_for("static", filename=name) for name in static] + [url_for("pwa.offline")]
    script = render_template("pwa/sw.js", version=version(current_app), precache=precache,
                             offline_url=url_for("pwa.offline"), lesson_cache=LESSON_CACHE,
                             static_prefix=(current_app.static_url_path or "/static").rstrip("/") + "/")
    response = Response(script, mimetype="text/javascript")
    # Served from the root, so its scope is the whole site; said outright for proxies that
    # might move it under a prefix.
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.route("/offline")
def offline() -> str:
    """The page the worker shows for a page it cannot fetch. Fetched by the worker without
    cookies and the same for everyone: it names no one and holds no CSRF token."""
    return render_template("pwa/offline.html", lesson_cache=LESSON_CACHE)


def _static_files(app: Flask) -> list[str]:
    """Every file under the static folder, as names for url_for, in a stable order."""
    root = Path(app.static_folder or "")
    return sorted(path.relative_to(root).as_posix() for path in root.rglob("*")
                  if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts))


def _template_files(app: Flask) -> list[tuple[str, str | None]]:
    env = app.jinja_env
    assert env.loader is not None
    return [(name, env.loader.get_source(env, name)[1]) for name in OFFLINE_TEMPLATES]


def version(app: Flask) -> str:
    """A hash of the static files and the offline page's templates, worked out again only when
    one of them has changed (a stat of each file per request, not a read)."""
    root = Path(app.static_folder or "")
    files = [root / name for name in _static_files(app)]
    files += [Path(filename) for _, filename in _template_files(app) if filename]
    signature = tuple((str(path), stat.st_mtime_ns, stat.st_size) for path, stat in
                      ((path, os.stat(path)) for path in files))
    memo: dict[str, Any] = app.extensions.setdefault("tutor_pwa", {})
    if memo.get("signature") != signature:
        digest = hashlib.sha256()
        for path in files:
            digest.update(str(path.relative_to(root) if path.is_relative_to(root) else path.name).encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
        memo.update(signature=signature, version=digest.hexdigest()[:16])
    return str(memo["version"])
