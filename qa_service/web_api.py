"""JSON API blueprint: ``/api/ask``, ``/api/docs``, ``/api/passages/<id>``, ``/healthz``,
``/openapi.json``. Input is validated here so bad requests never reach the service."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import UnsupportedMediaType

from .config import Settings
from .errors import InvalidQuestionError, QAServiceError
from .openapi import build_openapi
from .serialize import answer_to_dict, passage_to_dict
from .web import clean_question, is_unicode_text, json_error, service_holder

api = Blueprint("api", __name__)

ASK_FIELDS = ("question", "top_k", "year", "doc_id")
MIN_YEAR, MAX_YEAR = 1900, 2100
MAX_DOC_ID_CHARS = 200
_INTEGER = re.compile(r"[+-]?\d{1,9}", re.ASCII)


@dataclass(frozen=True)
class AskParams:
    question: str
    top_k: int
    year: int | None
    doc_id: str | None


@api.errorhandler(InvalidQuestionError)
def _invalid_question(exc: InvalidQuestionError) -> Response:
    return json_error(400, exc.code, str(exc) or "The question is not acceptable.")


def _invalid(code: str, message: str) -> InvalidQuestionError:
    return InvalidQuestionError(message, code=code)


def _settings() -> Settings:
    return current_app.extensions["qa_settings"]


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)  # bool is an int in Python


def validate_ask(raw: dict, settings: Settings) -> AskParams:
    """Check types and ranges of the ask fields (already decoded from JSON or the query)."""
    question = raw.get("question")
    if question is None:
        raise _invalid("empty_question", "Field 'question' is required.")
    if not isinstance(question, str):
        raise _invalid("invalid_type", "Field 'question' must be a string.")
    question = clean_question(question)
    if not question:
        raise _invalid("empty_question", "The question is empty.")
    if not is_unicode_text(question):
        raise _invalid("invalid_question", "The question is not valid Unicode text.")
    if len(question) > settings.max_question_chars:
        raise _invalid("question_too_long",
                       f"The question is longer than {settings.max_question_chars} characters.")

    top_k = raw.get("top_k")
    if top_k is None:
        top_k = min(settings.default_top_k, settings.max_top_k)
    elif not _is_int(top_k):
        raise _invalid("invalid_top_k", "Field 'top_k' must be an integer.")
    elif not 1 <= top_k <= settings.max_top_k:
        raise _invalid("invalid_top_k", f"Field 'top_k' must be between 1 and {settings.max_top_k}.")

    year = raw.get("year")
    if year is not None:
        if not _is_int(year):
            raise _invalid("invalid_year", "Field 'year' must be an integer.")
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise _invalid("invalid_year", f"Field 'year' must be between {MIN_YEAR} and {MAX_YEAR}.")

    doc_id = raw.get("doc_id")
    if doc_id is not None:
        if not isinstance(doc_id, str):
            raise _invalid("invalid_type", "Field 'doc_id' must be a string.")
        doc_id = doc_id.strip()
        if not doc_id or len(doc_id) > MAX_DOC_ID_CHARS or not is_unicode_text(doc_id):
            raise _invalid("invalid_doc_id", "Field 'doc_id' must be a non-empty document id.")
    return AskParams(question=question, top_k=top_k, year=year, doc_id=doc_id)


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
    """An optional integer query parameter; empty means absent."""
    value = request.args.get(name, "").strip()
    if not value:
        return None
    if not _INTEGER.fullmatch(value):
        raise _invalid(code, f"Parameter '{name}' must be an integer.")
    return int(value)


def _query_params() -> dict:
    return {
        "question": request.args.get("q", ""),
        "top_k": _query_int("top_k", "invalid_top_k"),
        "year": _query_int("year", "invalid_year"),
        "doc_id": request.args.get("doc_id") or None,
    }


@api.route("/api/ask", methods=["GET", "POST"])
def ask() -> Response:
    raw = _json_body() if request.method == "POST" else _query_params()
    params = validate_ask(raw, _settings())
    service = service_holder().get()
    answer = service.ask(params.question, top_k=params.top_k, year=params.year, doc_id=params.doc_id)
    return jsonify(answer_to_dict(answer))


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


@api.route("/api/passages/<passage_id>", methods=["GET"])
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
        "corpus_hash": manifest.get("corpus_hash"),
    })


@api.route("/openapi.json", methods=["GET"])
def openapi() -> Response:
    return jsonify(build_openapi(_settings()))
