"""deploy/nginx/qa-service.conf in front of the service, on loopback: Debian's nginx started with
the shipped site file (only its ports rewritten). 150 half-open connections from one client no
longer lock out /healthz, the per-client limit answers a JSON 429, and nginx's own errors are
the API's JSON error object. Every request has a timeout; nothing leaves 127.0.0.1."""
from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from support import ROOT, half_open_connections, raw_request, running_server

from qa_service.web import create_app
from qa_service.web.server import AccessLogMiddleware

SITE = ROOT / "deploy" / "nginx" / "qa-service.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
HALF_OPEN = 150
PER_CLIENT = 20  # limit_conn in the site file

if not Path(NGINX).exists():
    if os.geteuid() == 0:  # CI: scripts/ensure-nginx (make test) installs it
        pytest.fail(f"{NGINX} is missing: run scripts/ensure-nginx", pytrace=False)
    pytest.skip("nginx is not installed and this is not root: sudo apt-get install -y nginx",
                allow_module_level=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def render_site(listen_port: int, upstream_port: int) -> str:
    """The shipped site file with loopback ports: what an operator installs, nothing else changed."""
    text = SITE.read_text(encoding="utf-8")
    text, listens = re.subn(r"^(\s*)listen 80;$", rf"\1listen 127.0.0.1:{listen_port};", text, flags=re.M)
    text, ipv6 = re.subn(r"^\s*listen \[::\]:80;\n", "", text, flags=re.M)
    text, upstreams = re.subn(r"server 127\.0\.0\.1:8000;", f"server 127.0.0.1:{upstream_port};", text)
    assert (listens, ipv6, upstreams) == (1, 1, 1), "the site file's listen/upstream lines changed"
    return text


@contextlib.contextmanager
def running_nginx(tmp: Path, upstream_port: int):
    """nginx in the foreground with the site file, its logs and temp files in ``tmp``."""
    tmp.mkdir(parents=True, exist_ok=True)
    port = free_port()
    (tmp / "qa-service.conf").write_text(render_site(port, upstream_port), encoding="utf-8")
    temp_paths = "\n".join(f"    {kind}_temp_path {tmp / kind};" for kind in
                           ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    (tmp / "nginx.conf").write_text(f"""
daemon off;
master_process off;
worker_processes 1;
pid {tmp / 'nginx.pid'};
error_log {tmp / 'error.log'} warn;
events {{ worker_connections 1024; }}
http {{
    access_log {tmp / 'access.log'};
{temp_paths}
    include {tmp / 'qa-service.conf'};
}}
""", encoding="utf-8")
    check = subprocess.run([NGINX, "-t", "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")],
                           capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, check.stderr
    process = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", str(tmp / "error.log")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError(f"nginx did not start: {(tmp / 'error.log').read_text()}") from None
                time.sleep(0.05)
        yield "127.0.0.1", port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="module")
def proxy(fake_service, tmp_path_factory):
    app = AccessLogMiddleware(create_app(service=fake_service))
    with running_server(app, fake_service.settings) as (_, upstream_port):
        with running_nginx(tmp_path_factory.mktemp("nginx"), upstream_port) as address:
            yield address


def get(address, path: str, *, timeout: float = 10):
    return raw_request(*address, f"GET {path} HTTP/1.1\r\nHost: qa\r\nConnection: close\r\n\r\n".encode(),
                       timeout=timeout)


def assert_json_error(response, status: int, code: str) -> None:
    got_status, headers, body = response
    assert got_status == status, body[:300]
    assert headers["content-type"].startswith("application/json")
    assert json.loads(body)["error"]["code"] == code
    assert set(json.loads(body)["error"]) == {"code", "message"}


def test_requests_pass_through_with_the_apps_json(proxy):
    status, headers, body = get(proxy, "/healthz")
    assert status == 200 and json.loads(body)["status"] == "ok"
    assert_json_error(get(proxy, "/api/ask?q=GDP&year=0"), 400, "invalid_year")  # the app's own error


def test_150_half_open_connections_from_one_client_do_not_lock_out_healthz(proxy):
    held = half_open_connections(*proxy, HALF_OPEN)
    try:
        status, _, body = get(proxy, "/healthz", timeout=10)  # bounded: 10 s
        assert status == 200 and json.loads(body)["index_loaded"] is True
    finally:
        for sock in held:
            sock.close()


def test_requests_in_progress_per_client_are_capped_with_a_json_429(proxy):
    """Requests whose body never arrives are in progress for nginx: past the cap, JSON 429."""
    stalled = []
    try:
        for _ in range(PER_CLIENT):
            sock = socket.create_connection(proxy, timeout=5)
            sock.sendall(b"POST /api/ask HTTP/1.1\r\nHost: qa\r\nContent-Type: application/json\r\n"
                         b"Content-Length: 100\r\n\r\n{")
            stalled.append(sock)
        time.sleep(0.2)  # let nginx read those headers (ordering, not a timing assertion)
        status, headers, body = get(proxy, "/healthz")
        assert_json_error((status, headers, body), 429, "too_many_connections")
        assert headers.get("retry-after") == "1"
    finally:
        for sock in stalled:
            sock.close()
    deadline = time.monotonic() + 10  # nginx notices the closed sockets; then the client is back
    while get(proxy, "/healthz")[0] != 200:
        assert time.monotonic() < deadline, "still refused after the stalled requests were closed"
        time.sleep(0.1)


def test_body_over_the_limit_is_nginx_json_413(proxy):
    body = json.dumps({"question": "GDP", "pad": "x" * 70_000}).encode()
    request = (b"POST /api/ask HTTP/1.1\r\nHost: qa\r\nContent-Type: application/json\r\nConnection: close\r\n"
               b"Content-Length: %d\r\n\r\n" % len(body)) + body
    assert_json_error(raw_request(*proxy, request), 413, "payload_too_large")


def test_too_long_request_line_is_nginx_json_414(proxy):
    request = b"GET /api/ask?q=" + b"a" * 9000 + b" HTTP/1.1\r\nHost: qa\r\nConnection: close\r\n\r\n"
    assert_json_error(raw_request(*proxy, request), 414, "uri_too_long")


def test_too_long_header_is_nginx_json_431(proxy):
    request = b"GET / HTTP/1.1\r\nHost: qa\r\nX-Pad: " + b"b" * 9000 + b"\r\nConnection: close\r\n\r\n"
    assert_json_error(raw_request(*proxy, request), 431, "headers_too_large")


def test_malformed_request_is_nginx_json_400(proxy):
    request = b"POST /api/ask HTTP/1.1\r\nHost: qa\r\nContent-Length: abc\r\nConnection: close\r\n\r\n"
    assert_json_error(raw_request(*proxy, request), 400, "bad_request")


def test_service_down_is_json_503(tmp_path):
    with running_nginx(tmp_path / "nginx", free_port()) as address:  # nothing listens upstream
        status, headers, body = get(address, "/api/docs")
    assert_json_error((status, headers, body), 503, "service_unavailable")


def test_error_bodies_are_not_reachable_from_outside(proxy):
    assert_json_error(get(proxy, "/.qa-error/503"), 404, "not_found")
