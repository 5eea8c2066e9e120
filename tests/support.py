"""Test doubles and helpers shared by the test modules (pytest puts ``tests/`` on sys.path).

A tiny deterministic fake embedder (hashed character bigrams) stands in for the real model
where the model is not the point, so a full build of the real corpus takes a fraction of a second.
"""
from __future__ import annotations

import contextlib
import datetime
import hashlib
import itertools
import socket
import threading
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from qa_service.config import load_settings
from qa_service.search import index_store

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
NO_TOML = Path("/nonexistent/qa_service.toml")


class FakeEmbedder:
    """Hashed character bigrams in 64 dimensions, L2-normalised, float32; deterministic."""

    dim = 64
    model_name = "test/hashed-bigrams"  # what an index built with it records as its model

    def __init__(self):
        self.passage_calls = 0
        self.query_calls = 0

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dim, dtype=np.float32)
        for pair in zip(text, text[1:]):
            digest = hashlib.blake2b("".join(pair).encode(), digest_size=4).digest()
            vec[int.from_bytes(digest, "little") % self.dim] += 1.0
        norm = float(np.linalg.norm(vec))
        if norm == 0.0:  # texts shorter than two characters
            vec[0] = norm = 1.0
        return vec / norm

    def encode_passages(self, texts, show_progress=False):
        self.passage_calls += 1
        return np.stack([self._vector(t) for t in texts]).astype(np.float32)

    def encode_queries(self, texts):
        self.query_calls += 1
        return np.stack([self._vector(t) for t in texts]).astype(np.float32)


class CrashingEmbedder(FakeEmbedder):
    """Dies inside the build, after the staging directory exists."""

    def __init__(self, exc: BaseException):
        super().__init__()
        self.exc = exc

    def encode_passages(self, texts, show_progress=False):
        raise self.exc


def ticking_clock(monkeypatch, *, step: datetime.timedelta = datetime.timedelta(seconds=1)):
    """Make the index store's clock advance ``step`` per call.

    Build directories are named after the UTC second they start in; a clock ticking in whole
    seconds gives back-to-back builds distinct names however fast the machine is, and one
    ticking in milliseconds makes them start within the same second.
    """
    counter = itertools.count()
    base = datetime.datetime(2099, 1, 1, 12, 0, 0)  # after any real build

    class Clock(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return (base + step * next(counter)).replace(tzinfo=tz)

    monkeypatch.setattr(index_store, "dt", SimpleNamespace(datetime=Clock, timezone=datetime.timezone))


def make_settings(tmp_path: Path, **extra):
    values = {"index_dir": tmp_path / "index", "corpus_dir": tmp_path / "corpus",
              "cache_dir": tmp_path / "cache", **extra}
    # neither QA_* variables nor a qa_service.toml of the machine running the tests may leak in
    return load_settings(values, environ={}, toml_path=NO_TOML)


def real_settings():
    """Defaults only (no QA_* variables, no qa_service.toml) with a test-only index directory that
    survives between runs (pytest's cache folder); its manifest makes a stale one rebuild."""
    return load_settings({"index_dir": ROOT / ".pytest_cache" / "qa-index"}, environ={}, toml_path=NO_TOML)


GDP_QUESTION = "2024年前三季度GDP是多少"
GDP_FIGURE = "451.83"
GDP_DOC = "000_d035c923f93be10b"


@contextlib.contextmanager
def running_server(app, settings, *, threads: int = 4):
    """The production waitress set-up (``make_server``: limits, JSON errors) on a free loopback
    port, in a thread; yields ``(host, port)``."""
    from qa_service.web.wsgi import make_server

    server = make_server(app, settings, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, name="waitress-test", daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", server.effective_port
    finally:
        # Closed by its own loop thread (a trigger thunk): closing the sockets from here could
        # pull a descriptor out from under the loop's select() (EBADF in the server thread).
        from waitress import wasyncore

        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        thread.join(timeout=5)
        server.task_dispatcher.shutdown(timeout=5)
        if thread.is_alive():  # the loop did not stop: close from here as a last resort
            server.close()
            thread.join(timeout=5)


def half_open_connections(host: str, port: int, count: int) -> list[socket.socket]:
    """``count`` connections that each send the start of a request and then nothing: the
    slow-client attack that exhausts a server's connection slots."""
    held = []
    for _ in range(count):
        sock = socket.create_connection((host, port), timeout=5)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no blank line: never ends
        held.append(sock)
    return held


def raw_request(host: str, port: int, data: bytes, *, timeout: float = 10) -> tuple[int, dict, bytes]:
    """Send ``data`` as is and read the response: (status, lower-case headers, body)."""
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            chunks.append(chunk)
    if not chunks:
        raise AssertionError(f"no response from {host}:{port} within {timeout} s")
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body
