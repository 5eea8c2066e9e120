"""The production server: the web app and JSON API on waitress, one log line per request.

The index is built first if missing or stale, and the service is loaded before the socket
accepts requests, so the first user never waits for the model. One log line per request.
"""
from __future__ import annotations

import logging
import sys
import time

from ..config import Settings
from ..errors import ConfigError
from ..service import QAService, ensure_index, make_embedder
from .app import create_app

logger = logging.getLogger("qa_service.serve")  # not __name__: "__main__" under python -m
access_logger = logging.getLogger("qa_service.access")

# waitress buffers a request body before the app sees it; bodies past the app's 64 KiB limit get
# a JSON 413 from Flask, and this hard cap stops a client from making waitress spool gigabytes.
MAX_BUFFERED_BODY = 8 * 1024 * 1024
WARM_UP_QUESTION = "四平市地区生产总值"


class AccessLogMiddleware:
    """WSGI middleware: log method, path, status and latency (ms) once the response is sent."""

    def __init__(self, app, log: logging.Logger = access_logger):
        self.app = app
        self.log = log

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        status_holder: list[str] = []

        def _start_response(status, headers, exc_info=None):
            status_holder.append(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info)

        try:
            body = self.app(environ, _start_response)
        except Exception:
            self._log(environ, "500", started)
            raise
        return _LoggedBody(body, lambda: self._log(environ, status_holder[-1] if status_holder else "-",
                                                    started))

    def _log(self, environ, status: str, started: float) -> None:
        elapsed_ms = (time.perf_counter() - started) * 1000
        self.log.info("%s %s %s %.1fms", environ.get("REQUEST_METHOD", "-"),
                      environ.get("PATH_INFO", "") or "/", status, elapsed_ms)


class _LoggedBody:
    """Wraps a WSGI response iterable and calls ``on_close`` exactly once when it is closed."""

    def __init__(self, body, on_close):
        self._body = body
        self._on_close = on_close

    def __iter__(self):
        return iter(self._body)

    def close(self):
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            on_close, self._on_close = self._on_close, None
            if on_close is not None:
                on_close()


def _configure_logging() -> None:
    """Request lines and waitress's own messages at INFO, with timestamps, on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    for name in ("qa_service.access", "waitress"):
        log = logging.getLogger(name)
        log.setLevel(logging.INFO)
        if not any(getattr(h, "_qa_serve", False) for h in log.handlers):
            handler._qa_serve = True  # type: ignore[attr-defined]
            log.addHandler(handler)
        log.propagate = False
    package_logger = logging.getLogger("qa_service")
    if package_logger.getEffectiveLevel() > logging.INFO:
        package_logger.setLevel(logging.INFO)  # start-up messages (index build, load time)


def build_wsgi_app(settings: Settings):
    """Build the index if needed, load the service, and return the logged WSGI app."""
    started = time.perf_counter()
    embedder = make_embedder(settings)  # one model load serves both the build and the service
    logger.info("checking the index in %s (built now if missing or stale)", settings.index_dir)
    if ensure_index(settings, embedder=embedder, show_progress=sys.stderr.isatty()):
        logger.info("built the index in %s", settings.index_dir)
    service = QAService.load(settings, embedder=embedder)
    try:
        service.ask(WARM_UP_QUESTION)  # the first query pays the runtime's lazy set-up; not a user
    except Exception:  # noqa: BLE001 - a warm-up failure must not stop the server
        logger.warning("warm-up question failed", exc_info=True)
    logger.info("ready: %d passages, model %s, %.1fs", len(service.passages), settings.model,
                time.perf_counter() - started)
    return AccessLogMiddleware(create_app(service=service))


def serve(settings: Settings, *, host: str | None = None, port: int | None = None,
          threads: int | None = None) -> None:
    """Build the index if needed, load the service and serve until interrupted."""
    import waitress

    host = host or settings.host
    port = settings.port if port is None else port
    threads = threads or settings.threads
    if not 0 <= port <= 65535:
        raise ConfigError(f"invalid port {port}")
    if threads < 1:
        raise ConfigError("--threads must be at least 1")
    _configure_logging()
    app = build_wsgi_app(settings)
    logger.info("serving on http://%s:%d with %d threads", host, port, threads)
    waitress.serve(app, host=host, port=port, threads=threads, ident="qa-service",
                   max_request_body_size=MAX_BUFFERED_BODY, clear_untrusted_proxy_headers=True)
