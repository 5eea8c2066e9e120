"""The production server: the web app and JSON API on waitress, one log line per request.

The index is built first if missing or stale, and the service is loaded before the socket
accepts requests, so the first user never waits for the model. One log line per request.
"""
from __future__ import annotations

import logging
import sys
import time
import unicodedata

from ..config import Settings
from ..errors import ConfigError
from ..service import QAService, ensure_index, make_embedder
from .app import create_app
from .wsgi import make_server

logger = logging.getLogger("qa_service.serve")  # not __name__: "__main__" under python -m
access_logger = logging.getLogger("qa_service.access")

WARM_UP_QUESTION = "四平市地区生产总值"
MAX_LOGGED_PATH = 400  # characters of the path written to the access log
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})  # controls, format (bidi), line/para separators


def log_safe(text: str, limit: int | None = MAX_LOGGED_PATH, *, backslash: bool = True) -> str:
    """``text`` fit for one log line: control, format and line-separator characters (CR, LF,
    ESC, U+2028, bidi overrides …) become ``\\xNN``/``\\uNNNN`` escapes, so a request cannot
    forge log lines or drive the operator's terminal; text past ``limit`` is cut with an
    ellipsis. Backslashes are doubled too (unless ``backslash`` is False), so a literal
    ``\\x0d`` in a path cannot pass for an escaped CR."""
    cut = text if limit is None else text[:limit]
    out = []
    for ch in cut:
        if ch == "\\" and backslash:
            out.append("\\\\")
        elif unicodedata.category(ch) in _UNSAFE_CATEGORIES:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out) + ("…" if len(cut) < len(text) else "")


class OneLineFormatter(logging.Formatter):
    """A formatter whose messages cannot span lines or carry escape codes (waitress logs request
    paths too); a traceback attached to the record still follows on its own lines."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        record.message = log_safe(record.message, None, backslash=False)
        return super().formatMessage(record)


def _wsgi_text(value: str) -> str:
    """A WSGI environ string (bytes decoded as latin-1) as the UTF-8 text the client sent."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


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
        self.log.info("%s %s %s %.1fms", log_safe(environ.get("REQUEST_METHOD", "-"), 20),
                      log_safe(_wsgi_text(environ.get("PATH_INFO", "") or "/")), status, elapsed_ms)


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


class _StderrHandler(logging.StreamHandler):
    """A stream handler that writes to whatever ``sys.stderr`` is when a record is emitted, so a
    replaced or closed stderr (a test's capture, a daemon's redirect) never gets a stale stream."""

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def _configure_logging() -> None:
    """Request lines and waitress's own messages at INFO, with timestamps, on stderr."""
    handler = _StderrHandler()
    handler.setFormatter(OneLineFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
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
    host = host or settings.host
    port = settings.port if port is None else port
    threads = threads or settings.threads
    if not 0 <= port <= 65535:
        raise ConfigError(f"invalid port {port}")
    if threads < 1:
        raise ConfigError("--threads must be at least 1")
    _configure_logging()
    app = build_wsgi_app(settings)
    server = make_server(app, settings, host=host, port=port, threads=threads)
    # waitress's effective_port is a string on some versions: %s, not %d
    logger.info("serving on http://%s:%s with %d threads (at most %d connections, idle ones closed "
                "after %d s)", host, getattr(server, "effective_port", port),
                threads, settings.connection_limit, settings.channel_timeout)
    server.run()
