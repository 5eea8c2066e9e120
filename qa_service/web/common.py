"""What the web blueprints share: the service holder, error bodies, which paths speak JSON.

The app factory (``app.py``) and both blueprints import from here; the blueprints never import
the factory, so there is no import cycle.
"""
from __future__ import annotations

import logging

from flask import Response, current_app, jsonify, render_template

from ..config import Settings
from ..service import limits
from ..service.requests import Limits
from .holder import ServiceHolder

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
HTTP_ERRORS = {
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


def service_holder() -> ServiceHolder:
    return current_app.extensions["qa_service"]


def is_json_path(path: str) -> bool:
    """Whether errors on this path are answered in JSON (the API) rather than HTML."""
    return path.startswith(JSON_PREFIX) or path in JSON_ROUTES


def json_error(status: int, code: str, message: str, headers: dict | None = None) -> Response:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def html_error(status: int, title: str | None = None, message: str | None = None) -> Response:
    _, _, default_title, default_message = HTTP_ERRORS.get(status, HTTP_ERRORS[500])
    body = render_template("error.html", status=status, title=title or default_title,
                           message=message or default_message)
    return Response(body, status=status, mimetype="text/html")




def settings() -> Settings:
    return current_app.extensions["qa_settings"]


def request_limits() -> Limits:
    return limits(settings())
