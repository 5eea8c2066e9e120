"""``POST /api/documents``: upload documents (multipart) into the corpus and update the index.

Disabled (404) unless ``settings.upload_token`` (``QA_UPLOAD_TOKEN``) is set; then the request
must carry ``Authorization: Bearer <token>``. Each file is checked the way the build reads it
(an unsupported or unreadable one is refused by name with the reason), saved under
``corpus/uploads/``, and the index is rebuilt with the served model — only the new passages are
embedded. The running app then picks the new index up like any other (``holder.py``).
"""
from __future__ import annotations

import hmac
import tempfile
import threading
from pathlib import Path

from flask import Blueprint, Response, jsonify, request

from ..corpus.formats import SUPPORTED_SUFFIXES, extract
from ..errors import DocumentSkippedError
from ..search import build_index
from .common import json_error, service_holder, settings

uploads = Blueprint("uploads", __name__)

MAX_UPLOAD_BYTES = 8 * 1024 * 1024  # per request; waitress buffers at most this much
UPLOAD_FOLDER = "uploads"
_build_lock = threading.Lock()  # one upload build at a time per process (the index lock covers processes)


def _safe_name(name: str) -> str | None:
    """The file's base name if it is a plain, supported document name (Chinese names kept)."""
    base = Path(name.replace("\\", "/")).name.strip()
    if not base or base.startswith(".") or any(ord(c) < 32 for c in base) or len(base) > 200:
        return None
    return base if Path(base).suffix.lower() in SUPPORTED_SUFFIXES else None


@uploads.route("/api/documents", methods=["POST"])
def upload() -> Response:
    token = settings().upload_token
    if not token:
        return json_error(404, "not_found", "No such resource.")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(given.encode(), token.encode()):
        return json_error(401, "unauthorized", "Send Authorization: Bearer <upload token>.")
    request.max_content_length = MAX_UPLOAD_BYTES
    files = request.files.getlist("file")
    if not files:
        return json_error(400, "no_file", "Send one or more files as multipart/form-data field 'file'.")
    target = settings().corpus_dir / UPLOAD_FOLDER
    accepted, refused = [], []
    for item in files:
        name = _safe_name(item.filename or "")
        if name is None:
            refused.append({"file": item.filename or "", "reason": "unsupported or unsafe file name; supported: "
                            + ", ".join(s.lstrip(".") for s in SUPPORTED_SUFFIXES)})
            continue
        data = item.read()
        with tempfile.TemporaryDirectory() as scratch:
            probe = Path(scratch) / name
            probe.write_bytes(data)
            try:
                extract(probe, name=name)
            except DocumentSkippedError as exc:
                refused.append({"file": name, "reason": str(exc).removeprefix(f"{name}: ")})
                continue
        accepted.append((name, data))
    if not accepted:
        return _reply(400, [], refused, None)
    with _build_lock:
        target.mkdir(parents=True, exist_ok=True)
        for name, data in accepted:
            (target / name).write_bytes(data)
        result = build_index(settings(), service_holder().get().embedder)
    return _reply(201, [n for n, _ in accepted], refused, result)


def _reply(status: int, added: list[str], refused: list[dict], result) -> Response:
    changes = result.changes if result is not None else None
    response = jsonify({
        "added": added,
        "refused": refused,
        "index_build": result.directory.name if result is not None else None,
        "passage_count": result.passage_count if result is not None else None,
        "embedded": changes.embedded if changes is not None else 0,
    })
    response.status_code = status
    return response
