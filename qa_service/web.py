"""Flask app factory: the search page, the source view and the JSON API (DESIGN.md §6).

``create_app`` builds configuration once, at the edge, and hands the blueprints a
``ServiceHolder`` that loads the index on first use (or wraps a service passed in).
Every response carries a strict Content-Security-Policy; everything under ``/api/`` (and
``/healthz``, ``/openapi.json``) answers errors as JSON, never as an HTML page.
"""
from __future__ import annotations

import logging
import threading
import unicodedata
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from .config import Settings, load_settings
from .errors import QAServiceError

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
JSON_PREFIX = "/api/"
JSON_ROUTES = frozenset({"/api", "/healthz", "/openapi.json"})

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

# Error codes and messages for HTTP-level failures (the API's own validation adds more).
_HTTP_ERRORS = {
    400: ("bad_request", "The request could not be understood.", "请求有误", "请求的格式不正确。"),
    404: ("not_found", "No such resource.", "页面不存在", "没有找到这个页面，请检查网址或返回搜索。"),
    405: ("method_not_allowed", "This method is not allowed here.", "不支持的请求方式",
          "这个地址不支持该请求方式。"),
    413: ("payload_too_large", f"The request body is larger than {MAX_BODY_BYTES} bytes.",
          "请求内容过大", "提交的内容太大了。"),
    415: ("unsupported_media_type", "Send the body as application/json.", "不支持的内容类型",
          "请以 JSON 格式提交。"),
    500: ("internal_error", "Internal server error.", "服务器出错了", "服务器内部错误，请稍后再试。"),
    503: ("index_unavailable", "The index is not available yet.", "服务暂不可用",
          "索引尚未就绪，请稍后再试。"),
}


class ServiceHolder:
    """Loads ``QAService`` once per process, on first use, behind a lock."""

    def __init__(self, settings: Settings, service: Any = None):
        self.settings = settings
        self._service = service
        self._lock = threading.Lock()

    def get(self):
        """The loaded service. Raises the service's QAServiceError when the index cannot load."""
        service = self._service
        if service is None:
            with self._lock:
                if self._service is None:
                    from .service import QAService

                    logger.info("loading index from %s", self.settings.index_dir)
                    self._service = QAService.load(self.settings)
                service = self._service
        return service


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

    from .web_api import api
    from .web_pages import pages

    app.register_blueprint(pages)
    app.register_blueprint(api)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(QAServiceError, _service_error)
    app.register_error_handler(Exception, _unexpected_error)
    return app


def service_holder() -> ServiceHolder:
    from flask import current_app

    return current_app.extensions["qa_service"]


def is_json_path(path: str) -> bool:
    """Whether errors on this path are answered in JSON (the API) rather than HTML."""
    return path.startswith(JSON_PREFIX) or path in JSON_ROUTES


def clean_question(text: str) -> str:
    """Control characters become spaces, invisible format characters (zero-width space, BOM)
    go, then surrounding whitespace is stripped: a question of only those is empty."""
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in text
                   if unicodedata.category(ch) != "Cf").strip()


def is_unicode_text(text: str) -> bool:
    """False for strings JSON can carry but UTF-8 cannot (lone surrogates such as "\\ud800")."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def json_error(status: int, code: str, message: str, headers: dict | None = None) -> Response:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def html_error(status: int, title: str | None = None, message: str | None = None) -> Response:
    _, _, default_title, default_message = _HTTP_ERRORS.get(status, _HTTP_ERRORS[500])
    body = render_template("error.html", status=status, title=title or default_title,
                           message=message or default_message)
    return Response(body, status=status, mimetype="text/html")


def _security_headers(response: Response) -> Response:
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    if is_json_path(request.path):
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _http_error(exc: HTTPException) -> Response:
    status = exc.code or 500
    if is_json_path(request.path):
        code, message, _, _ = _HTTP_ERRORS.get(status, (f"http_{status}", exc.name, "", ""))
        headers = {k: v for k, v in exc.get_headers() if k.lower() == "allow"}
        return json_error(status, code, message, headers)
    if status in _HTTP_ERRORS:
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
        return json_error(503, exc.code, _HTTP_ERRORS[503][1])
    return html_error(503)


def _unexpected_error(exc: Exception) -> Response:
    logger.exception("unhandled error on %s %s", request.method, request.path)
    if is_json_path(request.path):
        code, message, _, _ = _HTTP_ERRORS[500]
        return json_error(500, code, message)
    return html_error(500)
