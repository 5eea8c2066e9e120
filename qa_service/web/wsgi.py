"""waitress, configured for an open network: connection limits from the settings, and JSON
bodies for the errors waitress answers by itself, before the app sees the request (a body or
declared length past ``MAX_BUFFERED_BODY`` → 413, headers or query string past
``MAX_REQUEST_HEADER`` → 431, a malformed request such as a bad Content-Length → 400).

Behind nginx (``deploy/nginx/``) most of these never reach waitress; run bare, it is still safe.
"""
from __future__ import annotations

import json

from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer, create_server
from waitress.task import ErrorTask

from ..config import Settings
from .common import SECURITY_HEADERS

# waitress buffers a request body before the app sees it; bodies past the app's 64 KiB limit get
# a JSON 413 from Flask, and this hard cap stops a client from making waitress spool gigabytes.
MAX_BUFFERED_BODY = 8 * 1024 * 1024
# Request line + headers. A question is at most a few hundred characters (a few KiB encoded).
MAX_REQUEST_HEADER = 64 * 1024

_CODES = {
    400: ("bad_request", "The request is malformed (request line, headers or Content-Length)."),
    413: ("payload_too_large", "The request body is too large."),
    431: ("headers_too_large", f"The request line and headers are larger than {MAX_REQUEST_HEADER} bytes."),
    500: ("internal_error", "Internal server error."),
    501: ("not_implemented", "This transfer encoding is not supported."),
}


def waitress_options(settings: Settings) -> dict:
    """waitress adjustments from the settings.

    ``connection_limit``: connections held at once (waitress's default, 100, lets one client lock
    everyone out with 100 idle sockets); ``channel_timeout``: seconds a connection may stay idle,
    a half-sent request included (default 120); ``backlog``: connections the kernel queues
    beyond that. ``poll()`` instead of ``select()``, whose 1024-descriptor ceiling the limit
    could otherwise reach.
    """
    return {
        "connection_limit": settings.connection_limit,
        "channel_timeout": settings.channel_timeout,
        "cleanup_interval": max(1, min(10, settings.channel_timeout)),  # how often idle ones are dropped
        "backlog": settings.backlog,
        "asyncore_use_poll": True,
        "max_request_body_size": MAX_BUFFERED_BODY,
        "max_request_header_size": MAX_REQUEST_HEADER,
        "clear_untrusted_proxy_headers": True,
        "ident": "qa-service",
    }


class JsonErrorTask(ErrorTask):
    """waitress's own error responses, as the API's JSON error object (never plain text)."""

    def execute(self):
        error = self.request.error
        code, message = _CODES.get(error.code, (f"http_{error.code}", error.reason))
        body = json.dumps({"error": {"code": code, "message": message}}).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend([("Content-Type", "application/json"), ("Cache-Control", "no-store"),
                                      *SECURITY_HEADERS.items()])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class JsonErrorChannel(HTTPChannel):
    error_task_class = JsonErrorTask


def make_server(app, settings: Settings, *, host: str, port: int, threads: int):
    """A waitress server (not yet running: call ``run()``) with the limits and JSON errors above."""
    socket_map: dict = {}
    server = create_server(app, map=socket_map, host=host, port=port, threads=threads,
                           **waitress_options(settings))
    for listener in socket_map.values():  # one per listening socket
        if isinstance(listener, BaseWSGIServer):
            listener.channel_class = JsonErrorChannel
    return server
