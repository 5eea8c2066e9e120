"""JSON API blueprint: ``/api/ask``, ``/api/docs``, ``/api/passages/<id>``, ``/healthz``,
``/openapi.json``. Requests are validated (``parse_ask``) before the index is touched."""
from __future__ import annotations

import json
import re

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import UnsupportedMediaType

from ..errors import InvalidQuestionError, QAServiceError
from ..service import answer_to_dict, passage_to_dict
from ..service.requests import ASK_FIELDS, parse_ask
from .common import json_error, request_limits, service_holder, settings
from .openapi import build_openapi

api = Blueprint("api", __name__)

_INTEGER = re.compile(r"[+-]?\d{1,9}", re.ASCII)


@api.errorhandler(InvalidQuestionError)
def _invalid_question(exc: InvalidQuestionError) -> Response:
    return json_error(400, exc.code, str(exc) or "The question is not acceptable.")


def _invalid(code: str, message: str) -> InvalidQuestionError:
    return InvalidQuestionError(message, code=code)


def _json_body() -> dict:
    if request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
        raise UnsupportedMediaType("Send the body as application/json.")
    data = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise _invalid("bad_json", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise _invalid("invalid_body", "The request body must be a JSON object.")
    unknown = sorted(set(body) - set(ASK_FIELDS))
    if unknown:
        names = ", ".join(repr(name[:40]) for name in unknown[:5])
        raise _invalid("unknown_field", f"Unknown field(s): {names}; expected {', '.join(ASK_FIELDS)}.")
    return body


def _query_int(name: str, code: str):
    """An optional integer query parameter: absent is None, present must be an integer
    (``year=`` is not "no year": the schema says integer, and so does the validator)."""
    value = request.args.get(name)
    if value is None:
        return None
    if not _INTEGER.fullmatch(value):
        raise _invalid(code, f"Parameter '{name}' must be an integer.")
    return int(value)


def _query_params() -> dict:
    return {
        "question": request.args.get("q", ""),
        "top_k": _query_int("top_k", "invalid_top_k"),
        "year": _query_int("year", "invalid_year"),
        "doc_id": request.args.get("doc_id"),  # present but empty is refused by parse_ask
    }


@api.route("/api/ask", methods=["GET", "POST"])
def ask() -> Response:
    raw = _json_body() if request.method == "POST" else _query_params()
    ask_request = parse_ask(raw, request_limits())
    return jsonify(answer_to_dict(service_holder().get().answer(ask_request)))


def document_to_dict(doc, passage_count: int) -> dict:
    meta = doc.meta
    return {
        "doc_id": doc.doc_id,
        "title": meta.title,
        "date": meta.date,
        "kind": meta.kind,
        "reports_on": list(meta.reports_on),
        "plans_for": list(meta.plans_for),
        "inferred": meta.inferred,
        "bylines": list(meta.bylines),
        "format": doc.format,
        "file": doc.path,
        "passage_count": passage_count,
    }


def _passage_counts(service) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in service.passages:
        counts[p.doc_id] = counts.get(p.doc_id, 0) + 1
    return counts


@api.route("/api/docs", methods=["GET"])
def docs() -> Response:
    service = service_holder().get()
    counts = _passage_counts(service)
    documents = [document_to_dict(d, counts.get(d.doc_id, 0)) for d in service.documents.values()]
    return jsonify({"documents": documents, "count": len(documents)})


@api.route("/api/passages/<path:passage_id>", methods=["GET"])
def passage(passage_id: str) -> Response:
    service = service_holder().get()
    found = service.passage(passage_id)
    if found is None:
        return json_error(404, "passage_not_found", f"No passage with id {passage_id!r}.")
    body = passage_to_dict(found)
    body["anchor"] = found.anchor
    doc = service.documents.get(found.doc_id)
    body["document"] = None if doc is None else document_to_dict(
        doc, len(service.document_passages(found.doc_id)))
    return jsonify(body)


@api.route("/healthz", methods=["GET"])
def healthz() -> Response:
    holder = service_holder()
    try:
        service = holder.get()
    except QAServiceError as exc:
        response = jsonify({"status": "unavailable", "index_loaded": False,
                            "error": {"code": exc.code, "message": "The index is not available."}})
        response.status_code = 503
        return response
    manifest = getattr(service, "manifest", {}) or {}
    return jsonify({
        "status": "ok",
        "index_loaded": True,
        "model": manifest.get("model", service.settings.model),
        "passage_count": len(service.passages),
        "document_count": len(service.documents),
        "built_at": manifest.get("built_at"),
        "build_seconds": manifest.get("build_seconds"),
        "index_build": holder.build,
        "reloads": holder.reloads,
        "skipped": manifest.get("skipped") or {},
        "corpus_hash": manifest.get("corpus_hash"),
    })


@api.route("/openapi.json", methods=["GET"])
def openapi() -> Response:
    return jsonify(build_openapi(settings()))
