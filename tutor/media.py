"""Pictures of the loaded courses: only the checked files their texts name, nothing else.

`/media/<course>/images/...` serves a file only when the loaded course names it and it passed
tutor/content/media.py's checks (inside images/, png/jpeg/gif/webp by its bytes, at most 2 MiB),
and only while it is still the file that was checked. Anything else is a 404. A picture a lesson
names is open to everyone, as lesson pages are; the others need a login, like the questions.
"""
from __future__ import annotations

import os

from flask import Blueprint, abort, send_from_directory
from flask_login import current_user
from werkzeug.security import safe_join
from werkzeug.wrappers import Response

from tutor.extensions import login_manager
from tutor.web import catalog

bp = Blueprint("media", __name__)

# Students' phones keep a picture for five minutes, then ask again with its ETag (a 304 when
# unchanged): a picture an instructor replaces shows within minutes, without a new URL.
MAX_AGE_SECONDS = 300


@bp.route("/media/<course_id>/<path:name>")
def picture(course_id: str, name: str) -> Response:
    course = catalog().course(course_id)
    found = course.pictures.by_name.get(name) if course is not None else None
    if (found is None or not found.public) and not current_user.is_authenticated:
        return login_manager.unauthorized()
    if course is None or found is None or course.pictures.folder is None:
        abort(404)
    folder = str(course.pictures.folder)
    path = safe_join(folder, name)
    try:
        stat = os.stat(path) if path is not None else None
    except OSError:
        stat = None
    # Replaced or removed since the last check: the next content refresh checks it again.
    if stat is None or (stat.st_mtime_ns, stat.st_size) != (found.mtime_ns, found.size):
        abort(404)
    response = send_from_directory(folder, name, mimetype=found.mime, conditional=True, etag=True,
                                   max_age=MAX_AGE_SECONDS)
    response.cache_control.public = False
    response.cache_control.private = True      # it may be a question only signed-in students see
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
