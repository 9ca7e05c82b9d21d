"""Where the class reports are kept for every worker and node: Redis, or a database table.

Each store keeps, under a key, a report's JSON (report_codec) with the time it was made, and
hands out a lease on a key so that one worker at a time computes that report. A lease runs out
by itself (LEASE_SECONDS), so a worker killed mid-computation holds nobody up for long.
`TUTOR_REPORT_CACHE_URI`: `redis://...` (or `rediss://`), `database` (or empty: the table
`report_cache` in the app's database, migration 0014), or `memory://` (each worker alone).
"""
from __future__ import annotations

import secrets
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any, Iterator, Protocol

import redis
from sqlalchemy import String, Text, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from tutor.extensions import db
from tutor.models import Model, utcnow
from tutor.transactions import IMMEDIATE

LEASE_SECONDS = 60       # longer than a report takes (under a second for 1,000 students)
_TIME = "%Y-%m-%dT%H:%M:%S.%f"    # fixed width, so that times compare as strings in Redis


class Unavailable(Exception):
    """The shared store could not be reached or answered with an error."""


class ReportCacheEntry(Model):
    """One kept report, or only a lease on one being made (payload still NULL)."""
    __tablename__ = "report_cache"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    made_at: Mapped[datetime | None]                 # the app's clock when its computation began
    payload: Mapped[str | None] = mapped_column(Text)
    lease_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[datetime | None]             # real UTC time: leases are about real waiting


class Store(Protocol):
    def read(self, key: str) -> tuple[datetime, bytes] | None: ...

    def write(self, key: str, made_at: datetime, payload: bytes, keep_seconds: float) -> None:
        """Keep `payload` unless a report made later is kept already; drop it after keep_seconds."""

    def lease(self, key: str) -> Any | None:
        """A handle if this worker may now compute `key` (give it back with release), else None."""

    def release(self, handle: Any) -> None: ...

    def forget_all(self) -> None:
        """Drop every kept report (an account was closed: reports name their students)."""


class RedisStore:
    # Compare and set in one step: a slow worker's older report never replaces a newer one.
    _WRITE = """
    local current = redis.call('GET', KEYS[1])
    if current and string.sub(current, 1, 26) > ARGV[1] then return 0 end
    redis.call('SET', KEYS[1], ARGV[1] .. '\\n' .. ARGV[2], 'PX', ARGV[3])
    return 1
    """

    def __init__(self, uri: str) -> None:
        # A stalled Redis must not hold a page for long: the report is then computed in the worker.
        self._client = redis.Redis.from_url(uri, socket_timeout=1, socket_connect_timeout=1)
        self._write = self._client.register_script(self._WRITE)

    def read(self, key: str) -> tuple[datetime, bytes] | None:
        try:
            value = self._client.get(key)
        except redis.RedisError as error:
            raise Unavailable(str(error)) from error
        if value is None:
            return None
        made_at, _, payload = (value if isinstance(value, bytes) else str(value).encode()).partition(b"\n")
        return datetime.strptime(made_at.decode(), _TIME), payload

    def write(self, key: str, made_at: datetime, payload: bytes, keep_seconds: float) -> None:
        try:
            self._write(keys=[key], args=[made_at.strftime(_TIME), payload, max(1, round(keep_seconds * 1000))])
        except redis.RedisError as error:
            raise Unavailable(str(error)) from error

    def lease(self, key: str) -> Any | None:
        lock = self._client.lock(key + ":lease", timeout=LEASE_SECONDS, blocking=False)
        try:
            return lock if lock.acquire() else None     # SET NX PX, released only by its token
        except redis.RedisError as error:
            raise Unavailable(str(error)) from error

    def forget_all(self) -> None:
        try:
            keys = list(self._client.scan_iter(match="tutor:report:*", count=500))
            if keys:
                self._client.delete(*keys)
        except redis.RedisError as error:
            raise Unavailable(str(error)) from error

    def release(self, handle: Any) -> None:
        try:
            handle.release()
        except redis.exceptions.LockError:   # ran out meanwhile: somebody else's lease now
            pass
        except redis.RedisError as error:
            raise Unavailable(str(error)) from error


class TableStore:
    """The `report_cache` table, through connections of its own: the request's session and its
    transaction are never committed or rolled back by the cache."""

    def read(self, key: str) -> tuple[datetime, bytes] | None:
        table = ReportCacheEntry
        try:
            with db.engine.connect() as connection:
                row = connection.execute(select(table.made_at, table.payload)
                                         .where(table.key == key, table.payload.is_not(None))).first()
        except SQLAlchemyError as error:
            raise Unavailable(str(error)) from error
        if row is None or row.made_at is None:
            return None
        return row.made_at, row.payload.encode()

    def write(self, key: str, made_at: datetime, payload: bytes, keep_seconds: float) -> None:
        table = ReportCacheEntry
        try:
            with _writing() as connection:
                _ensure_row(connection, key)
                connection.execute(update(table).where(table.key == key, or_(table.made_at.is_(None),
                                                                            table.made_at <= made_at))
                                   .values(made_at=made_at, payload=payload.decode()))
                # Reports nobody has asked for in a while (old content, a class no longer viewed):
                # they name students, so they are not kept longer than they may be served.
                connection.execute(delete(table).where(
                    table.made_at < made_at - timedelta(seconds=keep_seconds),
                    or_(table.lease_until.is_(None), table.lease_until < utcnow())))
        except SQLAlchemyError as error:
            raise Unavailable(str(error)) from error

    def lease(self, key: str) -> Any | None:
        table = ReportCacheEntry
        token, now = secrets.token_hex(16), utcnow()
        try:
            with _writing() as connection:
                _ensure_row(connection, key)
                # Atomic on both databases: PostgreSQL re-checks the condition on a row another
                # transaction has just leased (and finds it leased); SQLite runs one writer at a time.
                taken = connection.execute(
                    update(table).where(table.key == key, or_(table.lease_until.is_(None), table.lease_until < now))
                    .values(lease_token=token, lease_until=now + timedelta(seconds=LEASE_SECONDS))).rowcount
        except SQLAlchemyError as error:
            raise Unavailable(str(error)) from error
        return (key, token) if taken == 1 else None

    def forget_all(self) -> None:
        try:
            with _writing() as connection:
                connection.execute(update(ReportCacheEntry).values(made_at=None, payload=None))
        except SQLAlchemyError as error:
            raise Unavailable(str(error)) from error

    def release(self, handle: Any) -> None:
        key, token = handle
        table = ReportCacheEntry
        try:
            with _writing() as connection:
                connection.execute(update(table).where(table.key == key, table.lease_token == token)
                                   .values(lease_token=None, lease_until=None))
        except SQLAlchemyError as error:
            raise Unavailable(str(error)) from error


@contextmanager
def _writing() -> Iterator[Any]:
    """A transaction of its own; on SQLite it takes the write lock at BEGIN, so that two workers
    queue for it instead of one failing with "database is locked" (tutor/transactions.py)."""
    with db.engine.connect() as connection:
        connection.execution_options(**{IMMEDIATE: True})
        with connection.begin():
            yield connection


def _ensure_row(connection: Any, key: str) -> None:
    """The key's row, made if missing (INSERT ... ON CONFLICT DO NOTHING where the database has it)."""
    name = connection.dialect.name
    if name in ("postgresql", "sqlite"):
        dialect_insert: Any
        if name == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        else:
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        connection.execute(dialect_insert(ReportCacheEntry).values(key=key).on_conflict_do_nothing())
        return
    if connection.execute(select(ReportCacheEntry.key).where(ReportCacheEntry.key == key)).first() is None:
        try:
            with connection.begin_nested():
                connection.execute(insert(ReportCacheEntry).values(key=key))
        except IntegrityError:     # made by another worker a moment ago
            pass


def open_store(uri: str) -> Store | None:
    """The store TUTOR_REPORT_CACHE_URI names; None: each worker keeps its own reports."""
    uri = (uri or "").strip()
    if uri.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(uri)
    if uri in ("", "database"):
        return TableStore()
    if uri == "memory://":
        return None
    raise ValueError(f"TUTOR_REPORT_CACHE_URI must be redis://..., database or memory://, not {uri!r}")
