"""The OpenAPI 3.1 description of the JSON routes (served at ``/openapi.json``).

The component schemas are JSON Schema 2020-12 and strict (``additionalProperties: false``), so
the tests can validate real responses against them and catch any drift from the contract.
"""
from __future__ import annotations

from ..config import Settings
from ..service.requests import MAX_DOC_ID_CHARS, MAX_YEAR, MIN_YEAR, non_blank_pattern, visible_text_pattern

_STR = {"type": "string"}
_INT = {"type": "integer"}
_NUM = {"type": "number"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict, required: list[str] | None = None, **extra) -> dict:
    return {"type": "object", "properties": properties,
            "required": list(properties) if required is None else required,
            "additionalProperties": False, **extra}


def _question(settings: Settings) -> dict:
    return {"type": "string", "minLength": 1, "maxLength": settings.max_question_chars,
            "pattern": visible_text_pattern(),
            "description": "At least one character that is not whitespace, a control or a format "
                           "character (those are dropped); the length counts them."}


def _year() -> dict:
    return {"type": "integer", "minimum": MIN_YEAR, "maximum": MAX_YEAR,
            "description": "Only passages from documents reporting on or planning for this year."}


def _doc_id() -> dict:
    return {"type": "string", "minLength": 1, "maxLength": MAX_DOC_ID_CHARS, "pattern": non_blank_pattern(),
            "description": "Only passages from this document."}


def _schemas(settings: Settings) -> dict:
    source = _object({"file": _STR, "start": {"type": "integer", "minimum": 0},
                      "end": {"type": "integer", "minimum": 0}},
                     description="Offsets into the raw source file: [start, end).")
    passage = {
        "passage_id": {**_STR, "description": "<doc_id>:<paragraph>[.<part>]"},
        "doc_id": _STR,
        "title": _STR,
        "date": {**_STR, "description": "ISO 8601, possibly partial (YYYY-MM)."},
        "paragraph": {"type": "integer", "minimum": 1},
        "part": {"type": "integer", "minimum": 0, "description": "0 unless the paragraph was split."},
        "section": _STR,
        "text": _STR,
        "source": _ref("Source"),
    }
    offsets = {"type": "array", "items": {"type": "integer", "minimum": 0},
               "minItems": 2, "maxItems": 2}
    ranked = {
        "rank": {"type": "integer", "minimum": 1},
        **passage,
        "score": _NUM,
        "scores": {"type": "object", "additionalProperties": _NUM,
                   "description": "Per-retriever scores, e.g. bm25, dense, fused."},
        "highlights": {"type": "array", "items": offsets,
                       "description": "[start, end) character offsets into text."},
    }
    document = {
        "doc_id": _STR,
        "title": _STR,
        "date": _STR,
        "kind": _STR,
        "reports_on": {"type": "array", "items": _INT},
        "plans_for": {"type": "array", "items": _INT},
        "inferred": {"type": "boolean"},
        "bylines": {"type": "array", "items": _STR},
        "format": {"enum": ["txt", "md", "html", "docx", "pdf"]},
        "file": _STR,
        "passage_count": {"type": "integer", "minimum": 0},
    }
    return {
        "AskRequest": _object({
            "question": _question(settings),
            "top_k": {"type": ["integer", "null"], "minimum": 1, "maximum": settings.max_top_k,
                      "default": settings.default_top_k},
            "year": {**_year(), "type": ["integer", "null"]},
            "doc_id": {**_doc_id(), "type": ["string", "null"]},
        }, required=["question"]),
        "AskResponse": _object({
            "question": _STR,
            "abstained": {"type": "boolean"},
            "answer": {"anyOf": [_ref("AnswerSpan"), {"type": "null"}]},
            "passages": {"type": "array", "items": _ref("RankedPassage")},
            "took_ms": {"type": "number", "minimum": 0},
            "parts": {"type": "array", "items": _ref("AnswerPart"), "minItems": 2,
                      "description": "Comparison questions only (in Chinese or English): one answer per "
                                     "thing compared, in question order, each labelled with the words "
                                     "of the question that name it; `answer` is the first part answered."},
            "rewrites": {"type": "array", "items": _ref("Rewrite"),
                         "description": "Only when the question was read differently from how it was "
                                        "typed: traditional → simplified, English glossed, a homophone."},
        }, required=["question", "abstained", "answer", "passages", "took_ms"]),
        "AnswerPart": _object({
            "label": {**_STR, "description": "What the part asks about, verbatim from the question."},
            "missing": {"type": "boolean", "description": "True when the corpus does not answer this part."},
            "answer": {"anyOf": [_ref("AnswerSpan"), {"type": "null"}]},
        }),
        "Rewrite": _object({
            "from": _STR, "to": _STR,
            "reason": {"type": "string", "enum": ["traditional", "english", "homophone"]},
        }),
        "AnswerSpan": _object({
            "text": {**_STR, "description": "The answer sentence (for a list written as short sentences, "
                                            "the run of them), verbatim from the cited passage."},
            "span": {**_STR, "description": "The key figure or name inside text (may be empty)."},
            "passage_id": _STR,
            "citation": {"type": "integer", "minimum": 1, "description": "Rank of the cited passage."},
            "highlight": {**offsets, "description": "[start, end) of the span (or, without a span, "
                                                    "the sentence) in the cited passage's text."},
        }),
        "Source": source,
        "Passage": _object(passage),
        "RankedPassage": _object(ranked),
        "PassageDetail": _object({**passage, "anchor": _STR,
                                  "document": {"anyOf": [_ref("Document"), {"type": "null"}]}}),
        "Document": _object(document),
        "UploadResult": _object({
            "added": {"type": "array", "items": _STR},
            "refused": {"type": "array", "items": _object({"file": _STR, "reason": _STR})},
            "index_build": {"type": ["string", "null"]},
            "passage_count": {"type": ["integer", "null"]},
            "embedded": {"type": "integer", "minimum": 0},
        }),
        "DocumentList": _object({"documents": {"type": "array", "items": _ref("Document")},
                                 "count": {"type": "integer", "minimum": 0}}),
        "Health": _object({
            "status": {"enum": ["ok", "unavailable"]},
            "index_loaded": {"type": "boolean"},
            "model": _STR,
            "passage_count": _INT,
            "document_count": _INT,
            "built_at": {"type": ["string", "null"]},
            "build_seconds": {"type": ["number", "null"]},
            "index_build": {"type": ["string", "null"]},
            "reloads": {"type": "integer"},
            "skipped": {"type": "object", "additionalProperties": _STR},
            "corpus_hash": {"type": ["string", "null"]},
            "error": _ref("ErrorDetail"),
        }, required=["status", "index_loaded"]),
        "ErrorDetail": _object({"code": _STR, "message": _STR}),
        "Error": _object({"error": _ref("ErrorDetail")}),
    }


def _json(schema: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _errors(*statuses: int) -> dict:
    text = {400: "Invalid input (empty_question, question_too_long, invalid_top_k, bad_json …)",
            404: "Not found", 405: "Method not allowed", 413: "Request body too large",
            401: "Missing or wrong upload token", 415: "Body is not application/json", 500: "Internal error",
            503: "Index not loaded"}
    return {str(s): _json("Error", text[s]) for s in statuses}


def build_openapi(settings: Settings) -> dict:
    """The OpenAPI 3.1 document for exactly the routes of ``web_api``."""
    query = [
        {"name": "q", "in": "query", "required": True, "schema": _question(settings),
         "description": "The question."},
        {"name": "top_k", "in": "query", "required": False,
         "schema": {"type": "integer", "minimum": 1, "maximum": settings.max_top_k,
                    "default": settings.default_top_k}},
        {"name": "year", "in": "query", "required": False, "schema": _year()},
        {"name": "doc_id", "in": "query", "required": False, "schema": _doc_id()},
    ]
    ask_common = {"tags": ["ask"], "responses": {
        "200": _json("AskResponse", "Cited passages and, unless abstained, the answer span"),
        **_errors(400, 405, 500, 503)}}
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "四平新闻问答 API",
            "version": "1.0.0",
            "description": "Extractive question answering over Siping municipal news: every answer "
                           "is a verbatim sentence from a cited passage.",
        },
        "paths": {
            "/api/ask": {
                "get": {**ask_common, "operationId": "askGet", "summary": "Ask a question (query string)",
                        "parameters": query},
                "post": {**ask_common, "operationId": "askPost", "summary": "Ask a question (JSON body)",
                         "requestBody": {"required": True,
                                         "content": {"application/json": {"schema": _ref("AskRequest")}}},
                         "responses": {**ask_common["responses"], **_errors(413, 415)}},
            },
            "/api/documents": {"post": {
                "operationId": "uploadDocuments", "tags": ["documents"],
                "summary": "Upload documents (multipart field 'file', repeatable) and update the index; "
                           "enabled only when an upload token is configured (Authorization: Bearer …)",
                "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                    "type": "object", "properties": {"file": {"type": "array", "items": {
                        "type": "string", "contentMediaType": "application/octet-stream"}}}}}}},
                "responses": {"201": _json("UploadResult", "Added; the index was rebuilt"),
                              "400": _json("UploadResult", "No usable file"),
                              **_errors(401, 404, 405, 413, 500, 503)}}},
            "/api/docs": {"get": {
                "operationId": "listDocuments", "summary": "Documents with metadata and passage counts",
                "responses": {"200": _json("DocumentList", "All documents"), **_errors(500, 503)}}},
            "/api/passages/{passage_id}": {"get": {
                "operationId": "getPassage", "summary": "One passage with its document's metadata",
                "parameters": [{"name": "passage_id", "in": "path", "required": True, "schema": _STR,
                                "example": "000_d035c923f93be10b:2"}],
                "responses": {"200": _json("PassageDetail", "The passage"), **_errors(404, 500, 503)}}},
            "/healthz": {"get": {
                "operationId": "health", "summary": "Whether the index is loaded, and which",
                "responses": {"200": _json("Health", "Ready"), "503": _json("Health", "Not ready")}}},
            "/openapi.json": {"get": {
                "operationId": "openapi", "summary": "This document",
                "responses": {"200": {"description": "OpenAPI 3.1 document",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}}}},
        },
        "components": {"schemas": _schemas(settings)},
    }
