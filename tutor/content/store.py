"""The content a running app serves, refreshed when the files change.

The change check is throttled to one directory scan per `poll_seconds`, so a request pays a
clock read; only one thread refreshes at a time and the others keep serving what is loaded.
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from tutor.content.loader import Catalog, ContentLoader

log = logging.getLogger("tutor.content")


class ContentStore:
    def __init__(self, root: str | Path, poll_seconds: float = 2.0) -> None:
        self.loader = ContentLoader(root)
        self.poll_seconds = poll_seconds
        self._lock = threading.Lock()
        self._next_check = 0.0
        self.catalog: Catalog = self._load()

    def _load(self) -> Catalog:
        catalog = self.loader.refresh()
        for error in catalog.errors:
            log.warning("content error: %s", error)
        for file in catalog.stale:
            log.warning("content: serving the last good version of %s", file)
        self._next_check = time.monotonic() + self.poll_seconds
        return catalog

    def current(self) -> Catalog:
        """The catalog to serve now, refreshed first if the files changed."""
        if time.monotonic() >= self._next_check and self._lock.acquire(blocking=False):
            try:
                if time.monotonic() >= self._next_check:
                    if self.loader.changed():
                        log.info("content changed on disk, reloading")
                        self.catalog = self._load()
                    else:
                        self._next_check = time.monotonic() + self.poll_seconds
            except Exception:  # a failed reload must never take down serving
                log.exception("content reload failed; serving the last loaded content")
                self._next_check = time.monotonic() + self.poll_seconds
            finally:
                self._lock.release()
        return self.catalog
