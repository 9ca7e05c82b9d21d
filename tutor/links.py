"""`url_for` for templates, with the links that take no value built once.

Every page links the same static files and navigation (base.html alone: about twenty), and
building a URL is a walk of the URL map, some 15–25 µs each. Those links depend only on the
endpoint, the static file's name and where the app is mounted (the request's script root), so
they are built once per script root and kept. Anything else (a URL with values, a
blueprint-relative endpoint, `_external` and the other options) goes to Flask's `url_for` every
time.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, has_request_context, request

# Endpoints without values and static file names are a fixed, small set; the cap only guards
# against a template that builds a static URL from a value.
MAX_KEPT = 1000


def init_app(app: Flask) -> None:
    build = app.url_for
    kept: dict[tuple[str, str, str | None], str] = {}

    def url_for(endpoint: str, **values: Any) -> str:
        fixed = not values or (endpoint == "static" and values.keys() == {"filename"})
        if not fixed or endpoint.startswith(".") or not has_request_context():
            return build(endpoint, **values)
        key = (request.script_root, endpoint, values.get("filename"))
        url = kept.get(key)
        if url is None:
            url = build(endpoint, **values)
            if len(kept) < MAX_KEPT:
                kept[key] = url
        return url

    app.jinja_env.globals["url_for"] = url_for
