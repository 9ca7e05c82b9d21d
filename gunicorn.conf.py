"""gunicorn's settings, read when it is started from this folder (its default `-c`).

Migrations run once, here in the master, before the first worker is forked; the workers then
start without them and so without the database. A worker restarted while the database is
away (a crash, `--max-requests`, an OOM kill) boots and serves 503 pages until the database
is back, where a worker that had to migrate would fail to boot and take the master down with
it ("Worker failed to boot").
"""
from __future__ import annotations

import os
from typing import Any


def on_starting(server: Any) -> None:
    from tutor import create_app

    create_app()    # migrates, if TUTOR_AUTO_MIGRATE (the default) says so, and logs an outage
    # Inherited by every worker: none of them migrates at boot.
    os.environ["TUTOR_AUTO_MIGRATE"] = "false"


def post_worker_init(worker: Any) -> None:
    import gc

    # Every page template compiled now (110 of them: about half a second and 1.6 MB), not by the
    # first request that shows each one: a worker's first class report page otherwise took
    # 70-190 ms more than the next, with the report itself already kept.
    jinja = getattr(getattr(worker, "wsgi", None), "jinja_env", None)
    if jinja is not None:
        for name in jinja.list_templates(extensions=["html"]):
            jinja.get_template(name)
    # The loaded app (the content, the templates, jieba's dictionary once searched) lives as long
    # as the worker: out of the collector's way, so that a full collection during a request scans
    # only that request's objects. A class report of 1,000 students made 120 ms slower by
    # collections otherwise (docs/performance.md).
    gc.freeze()
