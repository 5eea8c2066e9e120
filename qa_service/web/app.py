"""Flask app factory: the search page, the source view and the JSON API.

``create_app`` builds configuration once, at the edge, and hands the blueprints a
``ServiceHolder`` that loads the index on first use (or wraps a service passed in).
Every response carries a strict Content-Security-Policy; everything under ``/api/`` (and
``/healthz``, ``/openapi.json``) answers errors as JSON, never as an HTML page.
"""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from ..config import load_settings
from ..errors import QAServiceError
from .api import api
from .common import (
    HTTP_ERRORS,
    MAX_BODY_BYTES,
    SECURITY_HEADERS,
    ServiceHolder,
    html_error,
    is_json_path,
    json_error,
)
from .pages import pages
from .uploads import uploads

logger = logging.getLogger(__name__)


def create_app(config: dict | None = None, *, service: Any = None) -> Flask:
    """Build the web app.

    Args:
        config: Settings overrides (lower-case names, e.g. ``{"index_dir": ...}``) and Flask
            options (upper-case names, e.g. ``{"TESTING": True}``).
        service: an already loaded ``QAService`` (tests, ``qa-service serve``); when None the
            index is loaded lazily on the first request that needs it.
    """
    config = dict(config or {})
    flask_options = {k: config.pop(k) for k in list(config) if k.isupper()}
    if service is not None and not config and getattr(service, "settings", None) is not None:
        settings = service.settings
    else:
        settings = load_settings(config)

    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES)
    app.config.update(flask_options)
    app.json.ensure_ascii = False  # Chinese stays readable in the JSON
    app.json.sort_keys = False  # keep the contract's field order
    app.extensions["qa_service"] = ServiceHolder(settings, service)
    app.extensions["qa_settings"] = settings

    app.register_blueprint(pages)
    app.register_blueprint(api)
    app.register_blueprint(uploads)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(QAServiceError, _service_error)
    app.register_error_handler(Exception, _unexpected_error)
    return app


def _security_headers(response: Response) -> Response:
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    if is_json_path(request.path):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    if is_json_path(request.path):
        code, message, _, _ = HTTP_ERRORS.get(status, (f"http_{status}", exc.name, "", ""))
        headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
        return json_error(status, code, message, headers)
    if status in HTTP_ERRORS:
        response = html_error(status)
    else:
        response = html_error(status, exc.name, exc.description)
    for key, value in exc.get_headers():
        if key.lower() == "allow":
            response.headers[key] = value
    return response


def _service_error(exc: QAServiceError) -> Response:
    """A library error that reached the top: the index could not be loaded, most likely."""
    logger.error("service unavailable: %s", exc)
    if is_json_path(request.path):
        return json_error(503, exc.code, HTTP_ERRORS[503][1])
    return html_error(503)


def _unexpected_error(exc: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.path)
    if is_json_path(request.path):
        code, message, _, _ = HTTP_ERRORS[500]
        return json_error(500, code, message)
    return html_error(500)
