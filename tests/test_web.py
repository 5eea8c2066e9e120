"""The web layer against the real question path with a fake embedder (no model): JSON API contract,
error handling, OpenAPI, pages, headers. The real model end to end is in test_browser.py."""
from __future__ import annotations

import json
import logging
import re
from types import SimpleNamespace

import pytest
from support import GDP_DOC, GDP_FIGURE, GDP_QUESTION
from jsonschema import Draft202012Validator

from qa_service.errors import IndexMissingError, InvalidQuestionError
from qa_service.web import create_app
from qa_service.web.common import MAX_BODY_BYTES
from qa_service.web.pages import mark_text, merge_ranges



@pytest.fixture(scope="module")
def app(fake_service):
    return create_app({"TESTING": True}, service=fake_service)


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/openapi.json").get_json()


def validator(spec, name: str) -> Draft202012Validator:
    """A validator for one component schema, with the spec's components in scope for $ref."""
    return Draft202012Validator({"$ref": f"#/components/schemas/{name}",
                                 "components": spec["components"]})


def assert_json_error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.data[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code
    assert b"Traceback" not in response.data and b"<html" not in response.data.lower()
    return body


# ---------------------------------------------------------------- /api/ask: happy paths


def test_post_ask_answers_with_cited_highlighted_span(client, spec):
    response = client.post("/api/ask", json={"question": GDP_QUESTION})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    validator(spec, "AskResponse").validate(body)
    assert body["question"] == GDP_QUESTION
    assert body["abstained"] is False
    assert GDP_FIGURE in body["answer"]["span"]
    assert len(body["passages"]) == 5  # default top_k
    assert [p["rank"] for p in body["passages"]] == [1, 2, 3, 4, 5]
    cited = body["passages"][body["answer"]["citation"] - 1]
    assert cited["passage_id"] == body["answer"]["passage_id"]
    assert body["answer"]["text"] in cited["text"]
    start, end = body["answer"]["highlight"]
    assert cited["text"][start:end] == body["answer"]["span"]
    for passage in body["passages"]:
        for s, e in passage["highlights"]:
            assert 0 <= s < e <= len(passage["text"])


def test_get_ask_is_the_same_as_post(client):
    posted = client.post("/api/ask", json={"question": GDP_QUESTION, "top_k": 3}).get_json()
    got = client.get("/api/ask", query_string={"q": GDP_QUESTION, "top_k": "3"}).get_json()
    posted.pop("took_ms"), got.pop("took_ms")
    assert got == posted


def test_answer_is_utf8_json_not_ascii_escaped(client):
    response = client.get("/api/ask", query_string={"q": GDP_QUESTION})
    assert GDP_QUESTION.encode() in response.data


@pytest.mark.parametrize("top_k", [1, 20])
def test_top_k_bounds_are_accepted(client, top_k):
    body = client.post("/api/ask", json={"question": "四平粮食产量", "top_k": top_k}).get_json()
    assert 1 <= len(body["passages"]) <= top_k


def test_year_filter_matching_nothing_abstains_with_no_passages(client, spec):
    response = client.post("/api/ask", json={"question": GDP_QUESTION, "year": 1999})
    assert response.status_code == 200
    body = response.get_json()
    validator(spec, "AskResponse").validate(body)
    assert body["abstained"] is True and body["answer"] is None and body["passages"] == []


def test_doc_id_filter_keeps_to_one_document(client):
    body = client.get("/api/ask", query_string={"q": "粮食产量", "doc_id": GDP_DOC, "top_k": 10}).get_json()
    assert body["passages"] and {p["doc_id"] for p in body["passages"]} == {GDP_DOC}


def test_unknown_doc_id_filter_returns_nothing(client):
    body = client.post("/api/ask", json={"question": GDP_QUESTION, "doc_id": "no_such_doc"}).get_json()
    assert body["passages"] == [] and body["abstained"] is True


def test_null_optional_fields_mean_defaults(client):
    body = client.post("/api/ask", json={"question": GDP_QUESTION, "top_k": None, "year": None,
                                         "doc_id": None}).get_json()
    assert len(body["passages"]) == 5


def test_question_is_stripped_of_whitespace_and_invisible_characters(client):
    body = client.post("/api/ask", json={"question": f"  \ufeff{GDP_QUESTION}\u200b\u3000\n\x00"}).get_json()
    assert body["question"] == GDP_QUESTION


# ---------------------------------------------------------------- /api/ask: bad input

LONG = "四平" * 300  # 600 characters, over the default max_question_chars (500)


@pytest.mark.parametrize("payload, code", [
    ({"question": ""}, "empty_question"),
    ({"question": "   \u3000\n\t"}, "empty_question"),
    ({"question": "\u200b\ufeff\x00"}, "empty_question"),  # nothing visible
    ({"question": "\ud800GDP"}, "invalid_question"),  # a lone surrogate: not text
    ({}, "empty_question"),
    ({"question": None}, "empty_question"),
    ({"question": LONG}, "question_too_long"),
    ({"question": 42}, "invalid_type"),
    ({"question": ["GDP"]}, "invalid_type"),
    ({"question": {"q": "GDP"}}, "invalid_type"),
    ({"question": "GDP", "top_k": 0}, "invalid_top_k"),
    ({"question": "GDP", "top_k": -1}, "invalid_top_k"),
    ({"question": "GDP", "top_k": 21}, "invalid_top_k"),
    ({"question": "GDP", "top_k": 100000}, "invalid_top_k"),
    ({"question": "GDP", "top_k": "5"}, "invalid_top_k"),
    ({"question": "GDP", "top_k": 5.5}, "invalid_top_k"),
    ({"question": "GDP", "top_k": 1e300}, "invalid_top_k"),
    ({"question": "GDP", "top_k": True}, "invalid_top_k"),  # bool is not an int here
    ({"question": "GDP", "year": "2024"}, "invalid_year"),
    ({"question": "GDP", "year": True}, "invalid_year"),
    ({"question": "GDP", "year": 24}, "invalid_year"),
    ({"question": "GDP", "doc_id": 5}, "invalid_type"),
    ({"question": "GDP", "doc_id": ""}, "invalid_doc_id"),
    ({"question": "GDP", "topk": 3}, "unknown_field"),
])
def test_post_bad_fields_are_400(client, spec, payload, code):
    data = json.dumps(payload)  # ASCII escapes: a lone surrogate travels as "\\ud800"
    body = assert_json_error(client.post("/api/ask", data=data, content_type="application/json"), 400, code)
    validator(spec, "Error").validate(body)


@pytest.mark.parametrize("query, code", [
    ({}, "empty_question"),
    ({"q": ""}, "empty_question"),
    ({"q": "   "}, "empty_question"),
    ({"q": LONG}, "question_too_long"),
    ({"q": "GDP", "top_k": "abc"}, "invalid_top_k"),
    ({"q": "GDP", "top_k": "0"}, "invalid_top_k"),
    ({"q": "GDP", "top_k": "21"}, "invalid_top_k"),
    ({"q": "GDP", "top_k": "2.5"}, "invalid_top_k"),
    ({"q": "GDP", "top_k": "²"}, "invalid_top_k"),
    ({"q": "GDP", "top_k": "9" * 5000}, "invalid_top_k"),
    ({"q": "GDP", "year": "去年"}, "invalid_year"),
])
def test_get_bad_params_are_400(client, query, code):
    assert_json_error(client.get("/api/ask", query_string=query), 400, code)


@pytest.mark.parametrize("data", [b"{oops", b"", b"{\"question\": }", b"\xff\xfe\x00garbage", b"[" * 50000])
def test_malformed_json_is_400_bad_json(client, data):
    response = client.post("/api/ask", data=data, content_type="application/json")
    assert_json_error(response, 400, "bad_json")


@pytest.mark.parametrize("body", [b"[1, 2]", b"\"question\"", b"null", b"42"])
def test_json_that_is_not_an_object_is_400(client, body):
    assert_json_error(client.post("/api/ask", data=body, content_type="application/json"), 400,
                      "invalid_body")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", None])
def test_wrong_content_type_is_415(client, content_type):
    kwargs = {"content_type": content_type} if content_type else {}
    response = client.post("/api/ask", data=b'{"question": "GDP"}', **kwargs)
    assert_json_error(response, 415, "unsupported_media_type")


def test_json_content_type_with_charset_is_accepted(client):
    response = client.post("/api/ask", data=json.dumps({"question": GDP_QUESTION}).encode(),
                           content_type="application/json; charset=utf-8")
    assert response.status_code == 200


def test_body_over_the_limit_is_413_json(client):
    data = json.dumps({"question": "GDP", "pad": "x" * MAX_BODY_BYTES}).encode()
    assert_json_error(client.post("/api/ask", data=data, content_type="application/json"), 413,
                      "payload_too_large")


@pytest.mark.parametrize("method, path", [
    ("GET", "/api/nope"), ("POST", "/api/nope"), ("GET", "/api"), ("GET", "/api/"),
    ("GET", "/api/ask/extra"), ("GET", "/api/passages/"),
])
def test_unknown_api_route_is_404_json(client, method, path):
    assert_json_error(client.open(path, method=method), 404, "not_found")


@pytest.mark.parametrize("method, path", [
    ("DELETE", "/api/ask"), ("PUT", "/api/ask"), ("PATCH", "/api/ask"), ("POST", "/api/docs"),
    ("DELETE", "/api/passages/x"), ("POST", "/healthz"), ("POST", "/openapi.json"),
])
def test_wrong_method_is_405_json_with_allow(client, method, path):
    response = client.open(path, method=method)
    assert_json_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def _stand_in(real, **overrides):
    fields = {name: getattr(real, name) for name in ("settings", "manifest", "documents", "passages")}
    fields.update(passage=real.passage, document_passages=real.document_passages, answer=real.answer)
    return SimpleNamespace(**{**fields, **overrides})


def test_internal_error_is_500_json_without_internals(fake_service, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError("secret internals at /srv/qa/index")

    client = create_app({"TESTING": True}, service=_stand_in(fake_service, answer=explode)).test_client()
    with caplog.at_level(logging.ERROR, logger="qa_service.web"):
        response = client.post("/api/ask", json={"question": GDP_QUESTION})
    body = assert_json_error(response, 500, "internal_error")
    assert "secret" not in json.dumps(body) and b"/srv/qa" not in response.data
    assert "secret internals" in caplog.text  # the operator still sees it in the log
    page = client.get("/", query_string={"q": GDP_QUESTION})
    assert page.status_code == 500 and page.mimetype == "text/html" and b"secret" not in page.data


def test_service_validation_error_keeps_its_code(fake_service):
    def refuse(*args, **kwargs):
        raise InvalidQuestionError("not today", code="invalid_mode")

    client = create_app({"TESTING": True}, service=_stand_in(fake_service, answer=refuse)).test_client()
    assert_json_error(client.post("/api/ask", json={"question": "GDP"}), 400, "invalid_mode")


def test_index_that_cannot_load_is_503_json_and_html(monkeypatch, tmp_path):
    from qa_service import service as service_module

    def missing(settings, **kwargs):
        raise IndexMissingError(f"no index in {settings.index_dir}")

    monkeypatch.setattr(service_module.QAService, "load", classmethod(lambda cls, s, **kw: missing(s)))
    client = create_app({"index_dir": tmp_path, "TESTING": True}).test_client()
    body = assert_json_error(client.post("/api/ask", json={"question": "GDP"}), 503, "index_missing")
    assert str(tmp_path) not in body["error"]["message"]
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["index_loaded"] is False
    page = client.get("/", query_string={"q": "GDP"})
    assert page.status_code == 503 and "索引尚未就绪" in page.get_data(as_text=True)
    assert client.get("/").status_code == 200  # the empty search page needs no index


def test_service_loads_lazily_once(monkeypatch, fake_service):
    from qa_service import service as service_module

    calls = []

    def load(cls, settings, **kwargs):
        calls.append(settings)
        return fake_service

    monkeypatch.setattr(service_module.QAService, "load", classmethod(load))
    app = create_app({"TESTING": True, "index_dir": fake_service.settings.index_dir})
    assert calls == []  # nothing loaded at create time
    client = app.test_client()
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert len(calls) == 1 and calls[0].index_dir == fake_service.settings.index_dir


# ---------------------------------------------------------------- other JSON routes


def test_api_docs_lists_documents_with_passage_counts(client, spec, fake_service):
    body = client.get("/api/docs").get_json()
    validator(spec, "DocumentList").validate(body)
    assert body["count"] == len(fake_service.documents) == len(body["documents"])
    assert sum(d["passage_count"] for d in body["documents"]) == len(fake_service.passages)
    gdp_doc = next(d for d in body["documents"] if d["doc_id"] == GDP_DOC)
    assert gdp_doc["date"] == "2024-10-23" and 2024 in gdp_doc["reports_on"]
    assert gdp_doc["file"] == f"corpus/{GDP_DOC}.txt"


def test_api_passage_by_id(client, spec, fake_service):
    split = next(p for p in fake_service.passages if p.part)  # an id like "<doc>:3.2"
    body = client.get(f"/api/passages/{split.passage_id}").get_json()
    validator(spec, "PassageDetail").validate(body)
    assert body["passage_id"] == split.passage_id and body["text"] == split.text
    assert body["anchor"] == split.anchor and "." in body["anchor"]
    assert body["document"]["doc_id"] == split.doc_id
    assert_json_error(client.get("/api/passages/no_such:1"), 404, "passage_not_found")


def test_healthz(client, spec, fake_service):
    response = client.get("/healthz")
    body = response.get_json()
    validator(spec, "Health").validate(body)
    assert body["status"] == "ok" and body["index_loaded"] is True
    assert body["model"] == fake_service.manifest["model"]
    assert body["passage_count"] == len(fake_service.passages)
    assert body["built_at"] == fake_service.manifest["built_at"]
    assert response.headers["Cache-Control"] == "no-store"


def test_openapi_describes_exactly_the_json_routes(app, spec):
    assert spec["openapi"].startswith("3.1")
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("api.", "uploads.")):
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
            routes.setdefault(path, set()).update(m.lower() for m in rule.methods - {"HEAD", "OPTIONS"})
    documented = {path: set(ops) for path, ops in spec["paths"].items()}
    assert routes == documented
    assert {"/api/ask", "/api/docs", "/api/documents", "/api/passages/{passage_id}", "/healthz",
            "/openapi.json"} == set(routes)
    for name in ("AskRequest", "AskResponse", "Passage", "RankedPassage", "Error"):
        assert name in spec["components"]["schemas"]


def test_openapi_refs_resolve_and_schemas_are_valid(spec):
    text = json.dumps(spec)
    for ref in set(re.findall(r'"\$ref": "#/components/schemas/([^"]+)"', text)):
        assert ref in spec["components"]["schemas"], ref
    for schema in spec["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_ask_request_schema_agrees_with_the_validator(spec):
    request_schema = validator(spec, "AskRequest")
    assert request_schema.is_valid({"question": GDP_QUESTION, "top_k": 20, "year": 2024, "doc_id": GDP_DOC})
    for bad in ({"question": ""}, {"question": "x", "top_k": 0}, {"question": "x", "top_k": 21},
                {"question": "x", "top_k": 1.5}, {"question": "x", "extra": 1}, {}):
        assert not request_schema.is_valid(bad), bad


# ---------------------------------------------------------------- headers


@pytest.mark.parametrize("path", ["/", "/api/docs", "/api/nope", "/nope", "/static/style.css",
                                  f"/docs/{GDP_DOC}", "/healthz"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"]


# ---------------------------------------------------------------- pages


def test_home_page_shows_examples(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert '<html lang="zh-CN">' in html and 'name="viewport"' in html
    assert 'method="get"' in html and 'name="q"' in html
    for example in ("2024年前三季度GDP是多少", "2022年四平粮食产量是多少", "十五五期间四平要建设哪几座城",
                    "2023年上半年城镇新增就业多少人"):
        assert example in html
    assert "<script" not in html and " style=" not in html  # nothing the CSP would block


def test_page_escapes_the_question(client):
    response = client.get("/", query_string={"q": "<script>alert(1)</script>四平GDP"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;四平GDP" in html


def test_answer_page_highlights_the_span_and_links_the_citation(client, fake_service):
    html = client.get("/", query_string={"q": GDP_QUESTION}).get_data(as_text=True)
    answer_card = html.split('class="answer"', 1)[1].split("</section>", 1)[0]
    assert re.search(r"<mark>[^<]*451\.83亿元[^<]*</mark>", answer_card)
    link = re.search(r'href="(/docs/[^"]+)"', answer_card).group(1)
    passage_id = fake_service.ask(GDP_QUESTION).answer.passage_id
    anchor = fake_service.passage(passage_id).anchor
    assert link.startswith(f"/docs/{GDP_DOC}?") and link.endswith(f"#{anchor}")
    assert "hl=" in link and "四平市委八届八次全会" in answer_card and "2024-10-23" in answer_card
    assert html.count('<li class="passage') == 5 and "没有找到可靠答案" not in html
    assert f'value="{GDP_QUESTION}"' in html  # the search box keeps the question


def test_abstained_answer_is_clear_and_still_lists_passages(fake_service):
    def abstain(request):
        answer = fake_service.answer(request)
        return answer.__class__(**{**answer.__dict__, "abstained": True, "answer": None})

    client = create_app({"TESTING": True}, service=_stand_in(fake_service, answer=abstain)).test_client()
    html = client.get("/", query_string={"q": GDP_QUESTION}).get_data(as_text=True)
    assert "没有找到可靠答案" in html and "最接近的段落" in html
    assert html.count('<li class="passage') == 5


def test_too_long_question_on_the_page_is_a_friendly_400(client):
    response = client.get("/", query_string={"q": LONG})
    assert response.status_code == 400 and "问题太长" in response.get_data(as_text=True)


@pytest.mark.parametrize("top_k", ["abc", "0", "²", "５", "9" * 5000])
def test_bad_top_k_on_the_page_falls_back_to_the_default(client, top_k):
    response = client.get("/", query_string={"q": GDP_QUESTION, "top_k": top_k})
    assert response.status_code == 200
    assert response.get_data(as_text=True).count('<li class="passage') == 5


def test_source_view_highlights_the_cited_paragraph(client, fake_service):
    answer = fake_service.ask(GDP_QUESTION).answer
    cited = fake_service.passage(answer.passage_id)
    response = client.get(f"/docs/{GDP_DOC}", query_string={
        "hl": cited.passage_id, "mark": f"{answer.span_start}-{answer.span_end}"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    highlighted = re.findall(r'<(?:p|h2|h3) id="([^"]+)" class="[^"]*\bhl\b[^"]*"', html)
    assert highlighted == [cited.anchor]
    block = html.split(f'id="{cited.anchor}"', 1)[1].split("</p>", 1)[0]
    assert f"<mark>{answer.span}</mark>" in block and GDP_FIGURE in block
    for p in fake_service.document_passages(GDP_DOC):  # the whole document, every anchor
        assert f'id="{p.anchor}"' in html
    assert ":target" in client.get("/static/style.css").get_data(as_text=True)


def test_source_view_escapes_and_ignores_bad_parameters(client):
    response = client.get(f"/docs/{GDP_DOC}", query_string={"hl": "<b>x</b>", "mark": "9-1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<b>x</b>" not in html and 'class="para hl"' not in html


def test_unknown_document_is_a_friendly_404(client):
    response = client.get("/docs/no_such_doc")
    html = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "文档不存在" in html and '<html lang="zh-CN">' in html


def test_unknown_page_is_a_friendly_404_html(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "页面不存在" in response.get_data(as_text=True)


# ---------------------------------------------------------------- helpers and server


def test_mark_text_escapes_every_piece():
    html = str(mark_text("a<b>&c\"d", [(1, 4)]))
    assert html == "a<mark>&lt;b&gt;</mark>&amp;c&#34;d"


def test_merge_ranges_clamps_and_merges():
    assert merge_ranges([(5, 8), (0, 2), (1, 3), (7, 20), (-4, 0), (9, 9)], 10) == [(0, 3), (5, 10)]


def test_access_log_middleware_logs_method_path_status_latency(app, caplog):
    from werkzeug.test import Client

    from qa_service.web.server import AccessLogMiddleware

    client = Client(AccessLogMiddleware(app))
    with caplog.at_level(logging.INFO, logger="qa_service.access"):
        client.get("/healthz?secret=1").close()  # servers close the body; that ends the request
        client.delete("/api/ask").close()
    lines = [r.getMessage() for r in caplog.records if r.name == "qa_service.access"]
    assert re.fullmatch(r"GET /healthz 200 \d+\.\dms", lines[0])
    assert re.fullmatch(r"DELETE /api/ask 405 \d+\.\dms", lines[1])
    assert "secret" not in caplog.text  # query strings (questions) stay out of the log


def test_serve_command_registers_its_options():
    from qa_service.cli import build_parser
    from qa_service.cli.commands import serve

    args = build_parser().parse_args(["serve", "--host", "0.0.0.0", "--port", "8123", "--threads", "4"])
    assert (args.host, args.port, args.threads, args.handler) == ("0.0.0.0", 8123, 4, serve)


def test_serve_announces_the_port_waitress_reports(fake_service, monkeypatch, caplog):
    """waitress gives ``effective_port`` as a string: the start-up line must still be written."""
    from qa_service.web import server as server_module

    class Server:
        effective_port = "8123"

        def run(self):
            pass

    monkeypatch.setattr(server_module, "build_wsgi_app", lambda settings: None)
    monkeypatch.setattr(server_module, "make_server", lambda *a, **k: Server())
    with caplog.at_level("INFO", logger="qa_service.serve"):
        server_module.serve(fake_service.settings, host="127.0.0.1", port=8123, threads=2)
    messages = [r.getMessage() for r in caplog.records if r.name == "qa_service.serve"]
    assert any(m.startswith("serving on http://127.0.0.1:8123 with 2 threads") for m in messages)


def test_settings_overrides_reach_the_api(fake_service):
    app = create_app({"TESTING": True, "max_question_chars": 8, "max_top_k": 3}, service=fake_service)
    client = app.test_client()
    assert_json_error(client.post("/api/ask", json={"question": GDP_QUESTION}), 400, "question_too_long")
    assert_json_error(client.post("/api/ask", json={"question": "GDP", "top_k": 4}), 400, "invalid_top_k")
    spec = client.get("/openapi.json").get_json()
    assert spec["components"]["schemas"]["AskRequest"]["properties"]["top_k"]["maximum"] == 3


@pytest.mark.parametrize("path, shown", [
    ("/api/passages/x%0d%0a2026-11-23 11:11:11,111 INFO qa_service.access: GET /admin 200",
     "/api/passages/x\\x0d\\x0a2026-11-23 11:11:11,111 INFO qa_service.access: GET /admin 200"),
    ("/x%1b%5b31mred%1b%5b0m", "/x\\x1b[31mred\\x1b[0m"),  # terminal escape codes
    ("/x%e2%80%a8y%e2%80%aez", "/x\\u2028y\\u202ez"),  # line separator, right-to-left override
    ("/x%5cx0d", "/x\\\\x0d"),  # a literal backslash cannot pass for an escape
    ("/四平%20GDP", "/四平 GDP"),  # readable text stays readable
])
def test_access_log_cannot_be_forged_with_control_characters(app, caplog, path, shown):
    from werkzeug.test import Client

    from qa_service.web.server import AccessLogMiddleware

    with caplog.at_level(logging.INFO, logger="qa_service.access"):
        Client(AccessLogMiddleware(app)).get(path).close()
    [record] = [r for r in caplog.records if r.name == "qa_service.access"]
    assert record.getMessage() == f"GET {shown} 404 {record.args[-1]:.1f}ms"


def test_server_log_formatter_keeps_every_message_on_one_line():
    from qa_service.web.server import OneLineFormatter

    record = logging.LogRecord("waitress", logging.INFO, __file__, 1,
                               "Client disconnected while serving %s", ("/x\r\nFAKE\x1b[2J",), None)
    line = OneLineFormatter("%(levelname)s %(message)s").format(record)
    assert line == "INFO Client disconnected while serving /x\\x0d\\x0aFAKE\\x1b[2J"


def test_access_log_cuts_very_long_paths(app, caplog):
    from werkzeug.test import Client

    from qa_service.web.server import MAX_LOGGED_PATH, AccessLogMiddleware

    with caplog.at_level(logging.INFO, logger="qa_service.access"):
        Client(AccessLogMiddleware(app)).get("/" + "a" * 5000).close()
    [message] = [r.getMessage() for r in caplog.records if r.name == "qa_service.access"]
    assert f"/{'a' * (MAX_LOGGED_PATH - 1)}… 404 " in message


def test_corpus_outside_the_project_shows_no_server_path(tmp_path):
    """source.file, /api/docs and the source page name files relative to the corpus folder."""
    import shutil

    from support import CORPUS, FakeEmbedder, make_settings

    from qa_service.search import build_index
    from qa_service.service import QAService

    corpus = tmp_path / "srv" / "secret-location" / "news"
    shutil.copytree(CORPUS, corpus)
    settings = make_settings(tmp_path, corpus_dir=corpus)
    build_index(settings, FakeEmbedder())
    client = create_app({"TESTING": True}, service=QAService.load(settings, embedder=FakeEmbedder())).test_client()
    answer = client.get("/api/ask", query_string={"q": GDP_QUESTION}).get_json()
    docs = client.get("/api/docs").get_json()
    page = client.get(f"/docs/{GDP_DOC}")
    assert {p["source"]["file"] for p in answer["passages"]} <= {f"corpus/{d['doc_id']}.txt" for d in docs["documents"]}
    assert {d["file"] for d in docs["documents"]} == {f"corpus/{d['doc_id']}.txt" for d in docs["documents"]}
    assert f"corpus/{GDP_DOC}.txt".encode() in page.data
    for body in (json.dumps(answer), json.dumps(docs), page.data.decode()):
        assert str(tmp_path) not in body and "secret-location" not in body


# ---------------------------------------------------------------- schema and validator agree


@pytest.mark.parametrize("method, request_kwargs, code", [
    ("GET", {"query_string": {"q": "0", "year": "0"}}, "invalid_year"),
    ("GET", {"query_string": {"q": "GDP", "year": ""}}, "invalid_year"),
    ("GET", {"query_string": {"q": "GDP", "top_k": ""}}, "invalid_top_k"),
    ("GET", {"query_string": {"q": "GDP", "doc_id": ""}}, "invalid_doc_id"),
    ("POST", {"json": {"question": "GDP", "doc_id": ""}}, "invalid_doc_id"),
    ("POST", {"json": {"question": "GDP", "doc_id": " \u3000"}}, "invalid_doc_id"),
    ("POST", {"json": {"question": "\x01" + "问" * 500}}, "question_too_long"),
    ("GET", {"query_string": {"q": "\x01" + "问" * 500}}, "question_too_long"),
])
def test_what_the_schema_forbids_is_refused(client, spec, method, request_kwargs, code):
    """The cases schemathesis found: each is now invalid by the schema and refused by the API."""
    assert_json_error(client.open("/api/ask", method=method, **request_kwargs), 400, code)
    operation = spec["paths"]["/api/ask"][method.lower()]
    if method == "POST":
        assert not validator(spec, "AskRequest").is_valid(request_kwargs["json"])
    else:
        params = {p["name"]: p["schema"] for p in operation["parameters"]}
        name, value = next((k, v) for k, v in request_kwargs["query_string"].items()
                           if k != "q" or len(request_kwargs["query_string"]) == 1)
        schema = params[name]
        as_typed = int(value) if schema["type"] == "integer" and value.lstrip("-").isdigit() else value
        assert not Draft202012Validator(schema).is_valid(as_typed)


@pytest.mark.parametrize("payload", [
    {"question": "\x01" + "问" * 199},  # 200 characters as sent: the limit
    {"question": "GDP", "year": 2024.0, "top_k": 3.0},  # JSON Schema integers (JSON cannot tell)
    {"question": "GDP", "doc_id": "\x00"},  # a strange id is a filter matching nothing
])
def test_what_the_schema_allows_is_accepted(client, spec, payload):
    assert validator(spec, "AskRequest").is_valid(payload)
    assert client.post("/api/ask", json=payload).status_code == 200


def test_question_pattern_agrees_with_clean_question_for_every_character():
    import sys as _sys

    from qa_service.service.requests import clean_question, visible_text_pattern

    pattern = re.compile(visible_text_pattern())
    for code in range(_sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        ch = chr(code)
        assert bool(pattern.search(ch)) == bool(clean_question(ch)), hex(code)
