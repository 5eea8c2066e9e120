"""The loaded service, and how a running server picks up a newly published index.

Builds publish an index by swapping the ``index/current`` symlink to a new build directory
(``search.index_store``). Between requests, at most once per ``check_seconds``, the holder
reads that link; when it points somewhere new, one background thread loads the new index
(reusing the loaded model) while requests go on being answered from the old one, and the
reference is swapped when the load is done. A request holds the service object it started
with, so none is dropped or fails during the swap; a new index that cannot be loaded (stale,
corrupt) is logged and the old one kept.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from ..config import Settings
from ..errors import QAServiceError
from ..search.manifest import current_dir
from ..service import QAService

logger = logging.getLogger(__name__)


def published_build(settings: Settings) -> str | None:
    """The build directory ``index/current`` points to (None when there is none)."""
    try:
        return os.readlink(current_dir(settings.index_dir))
    except OSError:
        return None


class ServiceHolder:
    """Loads ``QAService`` once per process, on first use, and reloads it when a new index is published."""

    def __init__(self, settings: Settings, service: Any = None, *, check_seconds: float = 1.0):
        self.settings = settings
        self._service = service
        self._lock = threading.Lock()
        self._build = published_build(settings) if service is not None else None
        self.check_seconds = check_seconds
        self._reloading: threading.Thread | None = None
        self._refused: str | None = None  # a build that failed to load: not retried
        self.reloads = 0

    @property
    def check_seconds(self) -> float:
        return self._check_seconds

    @check_seconds.setter
    def check_seconds(self, seconds: float) -> None:
        """How often (at most) a request looks for a newly published index; applies from now."""
        self._check_seconds = seconds
        self._next_check = time.monotonic() + seconds

    def get(self):
        """The loaded service. Raises the service's QAServiceError when the index cannot load."""
        service = self._service
        if service is None:
            with self._lock:
                if self._service is None:
                    logger.info("loading index from %s", self.settings.index_dir)
                    build = published_build(self.settings)
                    self._service = QAService.load(self.settings)
                    self._build = build
                service = self._service
        else:
            self._check_for_new_index()
        return service

    def _check_for_new_index(self) -> None:
        now = time.monotonic()
        if now < self._next_check or not hasattr(self._service, "embedder"):
            return  # a test double without a model cannot be reloaded
        self._next_check = now + self.check_seconds
        build = published_build(self.settings)
        if build is None or build in (self._build, self._refused):
            return
        with self._lock:
            if self._reloading is not None and self._reloading.is_alive():
                return
            thread = threading.Thread(target=self._reload, args=(build,), name="index-reload", daemon=True)
            thread.start()  # published only once started: a waiter never joins an unstarted thread
            self._reloading = thread

    def _reload(self, build: str) -> None:
        started = time.perf_counter()
        try:
            service = QAService.load(self.settings, embedder=self._service.embedder)
        except QAServiceError as exc:
            self._refused = build
            logger.warning("new index %s not loaded, still serving %s: %s", build, self._build, exc)
            return
        # If yet another build was published meanwhile, the next check loads that one too.
        self._service, self._build = service, build
        self.reloads += 1
        logger.info("reloaded the index: %s (%d passages) in %.1fs", build, len(service.passages),
                    time.perf_counter() - started)

    @property
    def build(self) -> str | None:
        """The build directory of the index being served."""
        return self._build

    def wait_for_reload(self, timeout: float = 30.0) -> None:
        """Block until a reload in progress ends (tests, benchmarks)."""
        thread = self._reloading
        if thread is not None:
            thread.join(timeout)
