"""The production server's own limits, on a real waitress on 127.0.0.1: half-open connections
do not lock others out, and the errors waitress answers itself (before the app) are JSON."""
from __future__ import annotations

import json

import pytest
from support import half_open_connections, make_settings, raw_request, running_server

from qa_service.config import load_settings
from qa_service.errors import ConfigError
from qa_service.web import create_app
from qa_service.web.server import AccessLogMiddleware
from qa_service.web.wsgi import MAX_BUFFERED_BODY, MAX_REQUEST_HEADER, waitress_options

HALF_OPEN = 150  # more than waitress's default connection limit (100)


@pytest.fixture(scope="module")
def server(fake_service):
    settings = fake_service.settings
    app = AccessLogMiddleware(create_app(service=fake_service))
    with running_server(app, settings) as address:
        yield address


def assert_json_error(status, headers, body, expected_status, code):
    assert status == expected_status, body[:300]
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body) == {"error": {"code": code, "message": json.loads(body)["error"]["message"]}}
    assert json.loads(body)["error"]["message"]
    assert headers.get("x-content-type-options") == "nosniff"


def test_half_open_connections_from_one_client_do_not_lock_out_healthz(server):
    host, port = server
    held = half_open_connections(host, port, HALF_OPEN)
    try:
        status, _, body = raw_request(host, port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                                      timeout=10)
        assert status == 200 and json.loads(body)["status"] == "ok"
    finally:
        for sock in held:
            sock.close()


@pytest.mark.parametrize("request_bytes, status, code", [
    (b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
     b"Content-Length: %d\r\n\r\n{}" % (MAX_BUFFERED_BODY + 1), 413, "payload_too_large"),
    (b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
     b"Content-Length: abc\r\n\r\n{}", 400, "bad_request"),
    (b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", 400, "bad_request"),
    (b"GET /api/ask?q=" + b"a" * (MAX_REQUEST_HEADER + 10) + b" HTTP/1.1\r\nHost: x\r\n\r\n", 431,
     "headers_too_large"),
    (b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"b" * (MAX_REQUEST_HEADER + 10) + b"\r\n\r\n", 431,
     "headers_too_large"),
])
def test_errors_waitress_answers_itself_are_json(server, request_bytes, status, code):
    assert_json_error(*raw_request(*server, request_bytes), status, code)


def test_body_over_the_app_limit_but_under_waitress_cap_is_the_apps_json_413(server):
    body = json.dumps({"question": "GDP", "pad": "x" * 100_000}).encode()
    request = (b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nConnection: close\r\n"
               b"Content-Length: %d\r\n\r\n" % len(body)) + body
    assert_json_error(*raw_request(*server, request), 413, "payload_too_large")


def test_server_limits_come_from_the_settings(tmp_path):
    settings = make_settings(tmp_path, connection_limit=321, channel_timeout=7, backlog=64)
    options = waitress_options(settings)
    assert (options["connection_limit"], options["channel_timeout"], options["backlog"]) == (321, 7, 64)
    assert options["cleanup_interval"] <= 7  # idle connections are looked at often enough
    defaults = load_settings({}, environ={}, toml_path=tmp_path / "none.toml")
    assert defaults.connection_limit > HALF_OPEN and defaults.channel_timeout < 120


@pytest.mark.parametrize("name", ["connection_limit", "channel_timeout", "backlog"])
def test_server_limits_must_be_positive(tmp_path, name):
    with pytest.raises(ConfigError, match=f"{name} must be at least 1"):
        make_settings(tmp_path, **{name: 0})
