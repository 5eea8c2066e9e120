"""Updating a live corpus: add/remove from the command line (fake embedder, embedding cache),
a metadata edit that embeds nothing, a stale index refused on ask, and a running app that picks
up a newly published index under concurrent requests without failing one."""
from __future__ import annotations

import json
from pathlib import Path
import shutil
import threading
import time

import pytest
from support import ROOT, FakeEmbedder, make_settings, ticking_clock

from qa_service import service
from qa_service.cli import main
from qa_service.search import build_index
from qa_service.service import QAService, core
from qa_service.web import create_app

USER_DOCS = ROOT / "eval" / "user_corpus" / "docs"


pytestmark = pytest.mark.usefixtures("clean_qa_environment")


@pytest.fixture
def model_loads(monkeypatch):
    """Fake model; the list records every model load the commands asked for."""
    loads = []

    def make(settings):
        loads.append(settings)
        return FakeEmbedder()

    monkeypatch.setattr(service, "make_embedder", make)
    monkeypatch.setattr(core, "make_embedder", make)
    return loads


@pytest.fixture
def corpus(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "corpus", tmp_path / "corpus")
    ticking_clock(monkeypatch)
    return tmp_path


def cli(root, *argv):
    return main(["--corpus-dir", str(root / "corpus"), "--index-dir", str(root / "index"), *argv])


def test_add_embeds_only_the_new_document_and_remove_embeds_nothing(corpus, model_loads, capsys):
    assert cli(corpus, "index") == 0
    capsys.readouterr()
    assert cli(corpus, "add", str(USER_DOCS / "2024" / "conference_report.TXT"),
               str(USER_DOCS / "web" / "spring_ploughing_2023.html")) == 0
    out = capsys.readouterr().out
    assert "added: conference_report, spring_ploughing_2023" in out
    new = json.loads((corpus / "index" / "current" / "manifest.json").read_text())["embedded"]
    assert new["cached"] == 204 and 0 < new["new"] < 30
    assert (corpus / "corpus" / "conference_report.TXT").is_file()

    assert cli(corpus, "remove", "conference_report") == 0
    out = capsys.readouterr().out
    assert "removed: conference_report" in out and "passages embedded: 0 new" in out
    assert "no model load" in out
    assert not (corpus / "corpus" / "conference_report.TXT").exists()


def test_add_refuses_unusable_files_by_name(corpus, model_loads, capsys):
    assert cli(corpus, "add", str(USER_DOCS / "misc" / "notes.xlsx"), str(USER_DOCS / "reports" / "broken_scan.pdf")) == 1
    err = capsys.readouterr().err
    assert "not added: notes.xlsx: unsupported format (.xlsx)" in err
    assert "not added: broken_scan.pdf: unreadable" in err
    assert not model_loads


def test_remove_unknown_document_names_the_known_ones(corpus, model_loads, capsys):
    assert cli(corpus, "remove", "no_such_doc") == 2
    assert "no document no_such_doc" in capsys.readouterr().err


def test_metadata_edit_embeds_nothing(corpus, model_loads, capsys):
    assert cli(corpus, "index") == 0
    meta_path = corpus / "corpus" / "metadata.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["documents"]["001_7ebea61fa912b90f"]["title"] = "改过的标题"
    meta_path.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert cli(corpus, "index") == 0
    out = capsys.readouterr().out
    assert "metadata changed: 001_7ebea61fa912b90f" in out
    assert "passages embedded: 0 new, 204 from the cache" in out and "no model load" in out
    assert len(model_loads) == 1


def test_ask_on_a_stale_index_refuses_with_the_command(corpus, model_loads, capsys, monkeypatch):
    assert cli(corpus, "index") == 0
    shutil.copy(USER_DOCS / "project_construction.txt", corpus / "corpus")
    capsys.readouterr()
    assert cli(corpus, "ask", "2023年项目建设") == 2
    err = capsys.readouterr().err
    assert "stale" in err and "qa-service index" in err and "QA_REBUILD_STALE" in err
    monkeypatch.setenv("QA_REBUILD_STALE", "1")
    assert cli(corpus, "ask", "2023年项目建设", "--json") == 0


def test_ignore_metadata_is_part_of_the_index_identity(corpus, model_loads, capsys):
    assert cli(corpus, "index") == 0
    capsys.readouterr()
    assert cli(corpus, "--ignore-metadata", "index") == 0
    assert "up to date" not in capsys.readouterr().out
    manifest = json.loads((corpus / "index" / "current" / "manifest.json").read_text())
    assert manifest["metadata"] == "ignore"


def test_running_app_reloads_a_new_index_without_failing_a_request(corpus):
    settings = make_settings(corpus)
    embedder = FakeEmbedder()
    build_index(settings, embedder)
    app = create_app(service=QAService.load(settings, embedder=embedder))
    holder = app.extensions["qa_service"]
    holder.check_seconds = 0.05
    statuses, stop = [], threading.Event()

    def client_loop():
        client = app.test_client()
        for _ in range(2000):  # bounded even if the reload never came
            if stop.is_set():
                break
            statuses.append(client.get("/api/ask", query_string={"q": "2024年全年四平GDP总量是多少"}).status_code)
            statuses.append(client.get("/healthz").status_code)

    threads = [threading.Thread(target=client_loop) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        before = app.test_client().get("/healthz").get_json()
        shutil.copy(USER_DOCS / "2024" / "conference_report.TXT", settings.corpus_dir)
        build_index(settings, embedder)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and holder.reloads == 0:
            app.test_client().get("/healthz")
            holder.wait_for_reload(1.0)
            time.sleep(0.05)
    finally:  # never leave client threads running into the next test
        stop.set()
        for t in threads:
            t.join(60)
    after = app.test_client().get("/healthz").get_json()
    assert holder.reloads == 1
    assert after["passage_count"] > before["passage_count"] and after["index_build"] != before["index_build"]
    assert after["built_at"] and after["build_seconds"] is not None
    assert statuses and set(statuses) == {200}
    docs = app.test_client().get("/api/docs").get_json()
    assert "conference_report" in json.dumps(docs, ensure_ascii=False)


def test_a_new_index_that_cannot_load_keeps_the_old_one(corpus):
    settings = make_settings(corpus)
    embedder = FakeEmbedder()
    build_index(settings, embedder)
    app = create_app(service=QAService.load(settings, embedder=embedder))
    holder = app.extensions["qa_service"]
    holder.check_seconds = 0.0
    build_index(settings, embedder)
    (corpus / "corpus" / "late.txt").write_text("本报讯 后来加入的文件。", encoding="utf-8")  # now stale
    client = app.test_client()
    client.get("/healthz")
    holder.wait_for_reload(10)
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok" and holder.reloads == 0


def _upload_app(corpus, token):
    settings = make_settings(corpus, upload_token=token)
    embedder = FakeEmbedder()
    build_index(settings, embedder)
    app = create_app(service=QAService.load(settings, embedder=embedder))
    app.extensions["qa_service"].check_seconds = 0.0
    return app


def _files(*names):
    return {"file": [((USER_DOCS / n).open("rb"), Path(n).name) for n in names]}


def test_upload_is_disabled_without_a_token(corpus):
    client = _upload_app(corpus, "").test_client()
    response = client.post("/api/documents", data=_files("project_construction.txt"))
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_upload_needs_the_token_then_adds_and_reports_refused_files(corpus):
    app = _upload_app(corpus, "s3cret")
    client = app.test_client()
    wrong = client.post("/api/documents", data=_files("project_construction.txt"),
                        headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    response = client.post("/api/documents", headers={"Authorization": "Bearer s3cret"},
                           data=_files("project_construction.txt", "misc/notes.xlsx", "reports/broken_scan.pdf"))
    assert response.status_code == 201
    body = response.get_json()
    assert body["added"] == ["project_construction.txt"]
    assert {r["file"] for r in body["refused"]} == {"notes.xlsx", "broken_scan.pdf"}
    assert 0 < body["embedded"] < 20
    assert (corpus / "corpus" / "uploads" / "project_construction.txt").is_file()
    client.get("/healthz")
    app.extensions["qa_service"].wait_for_reload(10)
    docs = client.get("/api/docs").get_json()["documents"]
    assert "project_construction" in {d["doc_id"] for d in docs}


def test_documents_in_subfolders_are_served_by_their_path_ids(corpus):
    for folder in ("2024", "archive"):
        (corpus / "corpus" / folder).mkdir()
        shutil.copy(USER_DOCS / folder / next(p.name for p in (USER_DOCS / folder).iterdir()),
                    corpus / "corpus" / folder)
    settings = make_settings(corpus)
    embedder = FakeEmbedder()
    build_index(settings, embedder)
    client = create_app(service=QAService.load(settings, embedder=embedder)).test_client()
    page = client.get("/docs/2024/conference_report")
    assert page.status_code == 200 and "618.7亿元" in page.get_data(as_text=True)
    detail = client.get("/api/passages/archive/conference_report:1")
    assert detail.status_code == 200
    assert detail.get_json()["document"]["doc_id"] == "archive/conference_report"
    assert client.get("/api/passages/nothing/here:1").status_code == 404
