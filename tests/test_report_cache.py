"""Class reports kept once for every worker (tutor/instructor/cache.py, report_store, report_codec).

Two app instances on one database stand for two gunicorn workers (or two nodes): each has its
own memory, and they share the database and, where configured, Redis (db 5 here, flushed at
the start of each Redis test). Computations are counted by wrapping reports.class_overview and
reports.item_analysis, which stay real.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select

from tutor.content.course import Course
from tutor.extensions import db
from tutor.instructor import report_codec, reports
from tutor.instructor.report_store import ReportCacheEntry
from tutor.standing.mastery import from_counts

from conftest import CONTENT, ROOT, Clock, login, make_app, make_instructor, make_user, reset_database

REDIS = os.environ.get("TUTOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
NOW = datetime(2026, 11, 29, 2, 0, 0)          # 10:00 in Shanghai
STAMP = re.compile(r"数据截至 [^<]*（北京时间）")


def redis_or_skip() -> str:
    client = redis.Redis.from_url(REDIS, socket_connect_timeout=1)
    try:
        client.flushdb()            # this test database only
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS}")
    return REDIS


@pytest.fixture(params=["database", "redis"])
def store(request) -> str:
    return redis_or_skip() if request.param == "redis" else "database"


@pytest.fixture
def computed(monkeypatch) -> dict[str, int]:
    """How many times each report was really computed, in any app of the test."""
    counts = {"overview": 0, "items": 0}
    real_overview, real_items = reports.class_overview, reports.item_analysis

    def overview(*args, **kwargs):
        counts["overview"] += 1
        time.sleep(counts.get("delay", 0))        # widens the window in which others arrive
        return real_overview(*args, **kwargs)

    def items(*args, **kwargs):
        counts["items"] += 1
        return real_items(*args, **kwargs)

    monkeypatch.setattr(reports, "class_overview", overview)
    monkeypatch.setattr(reports, "item_analysis", items)
    return counts


def workers(tmp_path: Path, uri: str, count: int = 2, **overrides):
    """`count` apps on one database and store, each with a teacher signed in, on one clock."""
    clock = Clock(NOW)
    settings = {"TUTOR_REPORT_CACHE_SECONDS": 60, "TUTOR_REPORT_CACHE_URI": uri, **overrides}
    apps = [make_app(tmp_path, **settings) for _ in range(count)]
    make_instructor(apps[0])
    make_user(apps[0], "alice", "student")
    clients = []
    for app in apps:
        app.extensions["tutor_clock"] = clock
        client = app.test_client()
        assert login(client, "teacher").status_code == 302
        clients.append(client)
    return apps, clients, clock


def page(client, path: str = "/instructor/") -> str:
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def stamp(text: str) -> str:
    return STAMP.search(text).group(0)


def finish(apps) -> None:
    for app in apps:
        app.extensions["tutor_reports"].wait()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_a_report_one_worker_made_is_served_by_the_other(tmp_path, store, computed) -> None:
    apps, (first, second), clock = workers(tmp_path, store)
    made = page(first)
    assert computed["overview"] == 1 and "alice" in made
    served = page(second)
    assert computed["overview"] == 1 and "alice" in served and stamp(served) == stamp(made)
    page(first, "/instructor/items")
    assert "题目" in page(second, "/instructor/items") and computed["items"] == 1
    make_user(apps[0], "latecomer", "student")
    clock.advance(seconds=61)                              # expired everywhere
    fresh = page(second)
    assert computed["overview"] == 2 and "latecomer" in fresh and "10:01:01" in stamp(fresh)
    assert stamp(page(first)) == stamp(fresh) and computed["overview"] == 2
    finish(apps)


def test_an_ageing_report_is_remade_once_in_the_background(tmp_path, store, computed) -> None:
    apps, (first, second), clock = workers(tmp_path, store)
    page(first)
    make_user(apps[0], "latecomer", "student")
    clock.advance(seconds=40)                              # past half its age: served, and remade behind
    assert "latecomer" not in page(first)
    apps[0].extensions["tutor_reports"].wait()
    assert computed["overview"] == 2
    again = page(second)                                   # the other worker gets the successor
    assert "latecomer" in again and "10:00:40" in stamp(again) and computed["overview"] == 2
    finish(apps)


def test_requests_arriving_together_compute_once(tmp_path, store, computed) -> None:
    apps, clients, _ = workers(tmp_path, store, count=2)
    extra = [app.test_client() for app in apps for _ in range(2)]
    for client in extra:
        login(client, "teacher")
    everyone = clients + extra
    computed["delay"] = 0.5
    start = threading.Barrier(len(everyone))
    pages: list[str] = []

    def request(client) -> None:
        start.wait()
        pages.append(page(client))

    threads = [threading.Thread(target=request, args=(client,)) for client in everyone]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(pages) == len(everyone) and computed["overview"] == 1
    assert len({stamp(p) for p in pages}) == 1
    finish(apps)


def test_while_another_worker_remakes_an_expired_report_it_is_served(tmp_path, store, computed) -> None:
    apps, (first, second), clock = workers(tmp_path, store)
    made = page(first)
    clock.advance(seconds=61)                              # expired
    cache = apps[1].extensions["tutor_reports"]
    course = apps[1].extensions["tutor_content"].catalog.course("chapter8")
    key = f"tutor:report:overview:chapter8:all:{report_codec.content_fingerprint(course)}"
    with apps[1].app_context():
        lease = cache._store.lease(key)                    # another worker is remaking it
        assert lease is not None and cache._store.lease(key) is None
    served = page(second)
    assert stamp(served) == stamp(made) and computed["overview"] == 1
    with apps[1].app_context():
        cache._store.release(lease)
    fresh = page(second)
    assert "10:01:01" in stamp(fresh) and computed["overview"] == 2
    finish(apps)


def test_new_content_gets_a_new_report(tmp_path, store, computed) -> None:
    copy = tmp_path / "content"
    shutil.copytree(CONTENT, copy)
    apps, (first, second), clock = workers(tmp_path, store, TUTOR_CONTENT_DIR=str(copy))
    page(first)
    page(second)
    assert computed["overview"] == 1
    course = apps[0].extensions["tutor_content"].catalog.course("chapter8")
    question = course.questions[0]
    written_in = copy.parent / course.sources[question.id].file
    text = written_in.read_text(encoding="utf-8")
    line = question.stem.splitlines()[0]
    before = written_in.stat().st_mtime_ns
    written_in.write_text(text.replace(line, line + "（已修订）", 1), encoding="utf-8")
    os.utime(written_in, ns=(before + 1_000_000_000, before + 1_000_000_000))
    page(second)                                          # reloads the content: a new fingerprint
    assert computed["overview"] == 2
    page(first)
    assert computed["overview"] == 2
    reloaded = [app.extensions["tutor_content"].catalog.course("chapter8") for app in apps]
    assert reloaded[0] is not reloaded[1] and report_codec.content_fingerprint(reloaded[0]) == \
        report_codec.content_fingerprint(reloaded[1]) != report_codec.content_fingerprint(course)
    finish(apps)


def test_the_table_keeps_one_row_per_report(tmp_path, computed) -> None:
    apps, (first, second), clock = workers(tmp_path, "database")
    page(first)
    page(second, "/instructor/items")
    with apps[0].app_context():
        rows = db.session.execute(select(ReportCacheEntry.key, ReportCacheEntry.lease_token)).all()
    assert sorted(key.split(":")[2] for key, _ in rows) == ["items", "overview"]
    assert all(token is None for _, token in rows)           # every lease given back
    clock.advance(seconds=200)                               # long past: dropped at the next write
    page(first)
    with apps[0].app_context():
        assert [key.split(":")[2] for key in db.session.scalars(select(ReportCacheEntry.key))] == ["overview"]
    finish(apps)


def test_an_unreachable_redis_falls_back_to_computing(tmp_path, computed, caplog) -> None:
    apps, (first, second), _ = workers(tmp_path, "redis://127.0.0.1:1/0")
    assert "alice" in page(first) and "alice" in page(second)
    assert computed["overview"] == 2                          # each worker alone
    assert "report cache redis://127.0.0.1:1/0 unavailable" in caplog.text
    page(first)
    assert computed["overview"] == 2                          # still kept by the worker itself
    finish(apps)


def test_no_store_is_used_when_reports_are_not_kept(tmp_path, computed) -> None:
    apps, (first,), _ = workers(tmp_path, "database", count=1, TUTOR_REPORT_CACHE_SECONDS=0)
    page(first)
    page(first)
    assert computed["overview"] == 2
    with apps[0].app_context():
        assert db.session.scalar(select(func.count()).select_from(ReportCacheEntry)) == 0
    finish(apps)


# --- JSON ------------------------------------------------------------------------------------

def course() -> Course:
    from tutor.content.store import ContentStore
    return ContentStore(CONTENT, 0).catalog.course("chapter8")


def test_a_class_of_a_thousand_goes_through_json_unchanged() -> None:
    chapter = course()
    points = list(chapter.knowledge_points)
    rows = []
    for n in range(1000):
        user = reports.Account(n + 1, f"student{n:04d}", "张三" if n % 3 else None,
                               datetime(2026, 9, 1, 8, n % 60, 0, n))
        mastery = {kp: from_counts(10, (n + i) % 11, (n * i) % 7 % (((n + i) % 11) + 1), n % 3)
                   for i, kp in enumerate(points)}
        rows.append(reports.StudentRow(user, n * 3, n * 2, datetime(2026, 11, 28, n % 24) if n % 5 else None,
                                       mastery, 61.5 if n % 2 else None, 88.25 if n % 2 else None, n % 4))
    overview = reports.ClassOverview(rows, NOW, 60)
    back = report_codec.loads("overview", report_codec.dumps("overview", overview), chapter)
    assert back == overview and len(points) >= 10


def test_item_analysis_goes_through_json_unchanged() -> None:
    chapter = course()
    rows = [reports.ItemStats(q, attempts=i, facility=i / 100 if i % 2 else None, discrimination=-0.25 if i % 3 else None,
                              papers=i % 4, option_counts=[i, 1, 0, 2][: i % 5], key_options=[0] if i % 2 else [],
                              flags=["miskey"] if i % 7 == 0 else [], calibrated=i % 5 or None)
            for i, q in enumerate(chapter.questions)]
    back = report_codec.loads("items", report_codec.dumps("items", (rows, NOW)), chapter)
    assert back == (rows, NOW) and back[0][0].question is chapter.questions[0]


# --- migration 0014 --------------------------------------------------------------------------

def test_migration_0014_adds_the_report_cache_table(tmp_path: Path) -> None:
    from tutor import schema
    spec = importlib.util.spec_from_file_location(
        "m0014", ROOT / "tutor" / "migrations" / "versions" / "0014_shared_report_cache.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.down_revision == "0013"
    app = make_app(tmp_path)
    with app.app_context():
        reset_database()
    schema.upgrade(app, module.down_revision)
    schema.upgrade(app)
    with app.app_context():
        db.session.add(ReportCacheEntry(key="k", made_at=NOW, payload="{}"))
        db.session.commit()
        assert db.session.scalar(select(ReportCacheEntry.payload)) == "{}"
        reset_database()


def test_forgetting_drops_every_kept_report(tmp_path, store, computed) -> None:
    """After an account is closed (tutor/privacy), no kept report may still show its name."""
    apps, (first, second), _ = workers(tmp_path, store)
    page(first)
    page(first, "/instructor/items")
    assert computed == {"overview": 1, "items": 1}
    with apps[0].app_context():
        apps[0].extensions["tutor_reports"].forget_all()
    page(first)
    assert computed["overview"] == 2                       # not from this worker, nor from the store
    page(second, "/instructor/items")
    assert computed["items"] == 2
    finish(apps)
