"""The index store: build/load round trip, staleness, corruption, atomic rebuilds (fake embedder)."""
from __future__ import annotations

import dataclasses
import datetime
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from support import CORPUS, CrashingEmbedder, FakeEmbedder, make_settings, ticking_clock

from qa_service.errors import IndexCorruptError, IndexMissingError, IndexStaleError
from qa_service.search import BM25Index, manifest, tokenize
from qa_service.search.context import dense_text, passage_context
from qa_service.search.embedding_cache import CACHE_DIR
from qa_service.search.index_store import (
    MANIFEST,
    PASSAGES,
    build_index,
    build_lock,
    current_dir,
    index_is_current,
    load_index,
)
from qa_service.search.stores import BM25_DIR, DENSE_DIR
from qa_service.service import ensure_index


@pytest.fixture
def settings(tmp_path):
    shutil.copytree(CORPUS, tmp_path / "corpus")
    return make_settings(tmp_path)


@pytest.fixture(scope="session")
def template(tmp_path_factory):
    """One build of the real corpus per session; ``built`` copies it for each test."""
    root = tmp_path_factory.mktemp("template")
    shutil.copytree(CORPUS, root / "corpus")
    return root, build_index(make_settings(root), FakeEmbedder())


@pytest.fixture
def built(settings, template, monkeypatch):
    """A built index in this test's directory (a copy of the template: same bytes, same link)."""
    root, result = template
    shutil.copytree(root / "index", settings.index_dir, symlinks=True)
    ticking_clock(monkeypatch)  # later builds in the test get later, distinct names
    return dataclasses.replace(result, directory=settings.index_dir / result.directory.name)


def current_target(settings) -> str:
    return os.readlink(current_dir(settings.index_dir))


def staging_dirs(settings) -> list[Path]:
    return sorted(settings.index_dir.glob(".tmp-build-*"))


def build_dirs(settings) -> list[str]:
    return sorted(p.name for p in settings.index_dir.glob("build-*"))


# --- build / load -------------------------------------------------------------------------


def test_build_then_load_round_trip(settings, passages, documents):
    built = build_index(settings, FakeEmbedder())
    assert built.passage_count == len(passages)
    assert built.directory.parent == settings.index_dir
    assert current_target(settings) == built.directory.name  # relative link, swapped atomically

    loaded = load_index(settings)
    assert [p.passage_id for p in loaded.passages] == [p.passage_id for p in passages]
    # every field survives the JSON round trip; source_file is relative to the corpus folder even
    # though this copy lies outside the project (no server path in a response)
    assert loaded.passages == passages
    assert all(p.source_file == f"corpus/{p.doc_id}.txt" for p in loaded.passages)
    assert loaded.dense.count == len(passages)
    assert loaded.dense.dim == FakeEmbedder.dim
    assert loaded.bm25.count == len(passages)
    assert len(loaded.doc_freq) == len(passages)
    recorded = loaded.manifest
    assert recorded["passage_count"] == len(passages)
    assert recorded["model_dim"] == 64
    assert recorded["documents"] == sorted(d.doc_id for d in documents)
    assert {f"{DENSE_DIR}/dense.faiss", PASSAGES} <= set(recorded["files"])
    assert any(name.startswith(BM25_DIR + "/") for name in recorded["files"])


def test_faiss_rows_and_bm25_rows_line_up_with_passages(settings, built, passages, documents):
    """Row i of the FAISS and BM25 indexes is passage i of passages.jsonl."""
    loaded = load_index(settings)
    by_id = {d.doc_id: d for d in documents}
    embedder = FakeEmbedder()
    for i in (0, 57, 130, len(passages) - 1):
        p = loaded.passages[i]
        query = embedder.encode_queries([dense_text(p)])
        scores, ids = loaded.dense.search(query, 1)
        assert ids[0, 0] == i
        assert scores[0, 0] == pytest.approx(1.0, abs=1e-5)
    scores = loaded.bm25.scores(tokenize("高标准农田"))
    assert scores.shape == (len(passages),)
    assert "高标准农田" in loaded.passages[int(np.argmax(scores))].text
    # every passage with a positive score holds one of the query's tokens
    expected = {i for i, p in enumerate(loaded.passages)
                if any(t in passage_context(p, by_id[p.doc_id]).lower() for t in tokenize("高标准农田"))}
    assert set(np.flatnonzero(scores > 0)) <= expected


def test_doc_freq_counts_passages_containing_the_term(settings, built, passages):
    loaded = load_index(settings)
    expected = sum("高标准农田" in f"{p.section} {p.text}" for p in passages)
    assert expected > 0
    assert loaded.doc_freq.get("高标准农田") == expected
    assert loaded.doc_freq.get("GDP") == loaded.doc_freq.get("gdp")  # case-insensitive
    assert loaded.doc_freq.get("从未出现的词语") == 0


def test_index_is_current_after_build(settings, built):
    assert index_is_current(settings)
    assert ensure_index(settings, embedder=CrashingEmbedder(AssertionError("must not build"))) is False


def test_nothing_built_is_missing_not_corrupt(settings):
    assert not index_is_current(settings)
    with pytest.raises(IndexMissingError, match="qa-service index"):
        load_index(settings)


# --- staleness ----------------------------------------------------------------------------


def test_changed_corpus_file_makes_index_stale(settings, built):
    path = sorted(settings.corpus_dir.glob("*.txt"))[2]
    with path.open("a", encoding="utf-8") as fh:
        fh.write("\n补充：新增一段内容。\n")
    assert not index_is_current(settings)
    with pytest.raises(IndexStaleError) as info:
        load_index(settings)
    assert "qa-service index" in str(info.value)
    assert "corpus files changed" in str(info.value)


def test_new_corpus_file_makes_index_stale(settings, built):
    (settings.corpus_dir / "005_new.txt").write_text("四平市新闻\n今天全市召开会议。\n", encoding="utf-8")
    with pytest.raises(IndexStaleError, match="corpus files changed"):
        load_index(settings)


@pytest.mark.parametrize("field, value", [
    ("model", "other/embedding-model"),
    ("max_passage_chars", 200),
    ("faiss_index", "hnsw"),
    ("query_prompt", "问题："),
])
def test_other_settings_make_index_stale(settings, built, field, value):
    other = settings.replace(**{field: value})
    assert not index_is_current(other)
    with pytest.raises(IndexStaleError) as info:
        load_index(other)
    message = str(info.value)
    assert f"{field}: index has {getattr(settings, field)!r}, expected {value!r}" in message
    assert "qa-service index" in message
    assert index_is_current(settings)  # the original settings still accept it


def test_changed_indexing_code_makes_index_stale(settings, built, monkeypatch):
    monkeypatch.setattr(manifest, "pipeline_hash", lambda: "0123456789abcdef")
    with pytest.raises(IndexStaleError, match="the indexing code changed"):
        load_index(settings)


# --- corruption ---------------------------------------------------------------------------


def _truncate_dense(d: Path):
    path = d / DENSE_DIR / "dense.faiss"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garble_passages(d: Path):
    lines = (d / PASSAGES).read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = '{"passage_id": "broken\n'
    (d / PASSAGES).write_text("".join(lines), encoding="utf-8")


def _delete_bm25_file(d: Path):
    victim = sorted((d / BM25_DIR).iterdir())[0]
    victim.unlink()


def _manifest_invalid_json(d: Path):
    path = d / MANIFEST
    path.write_text(path.read_text(encoding="utf-8")[:40], encoding="utf-8")


def _manifest_empty(d: Path):
    (d / MANIFEST).write_bytes(b"")


@pytest.mark.parametrize("damage", [_truncate_dense, _garble_passages, _delete_bm25_file,
                                    _manifest_invalid_json, _manifest_empty])
def test_damaged_index_is_corrupt_and_a_rebuild_recovers(settings, built, damage):
    damage(current_dir(settings.index_dir))
    assert not index_is_current(settings)
    with pytest.raises(IndexCorruptError) as info:
        load_index(settings)
    assert "qa-service index --force" in str(info.value)
    assert "\n" not in str(info.value)
    # no crash loop: `qa-service index` / ensure_index rebuild it and it loads again
    assert ensure_index(settings, embedder=FakeEmbedder()) is True
    assert current_target(settings) != built.directory.name
    assert load_index(settings).dense.count == built.passage_count


@pytest.mark.parametrize("content", ["[]", "null"])
def test_manifest_that_is_not_an_object_is_corrupt(settings, built, content):
    (current_dir(settings.index_dir) / MANIFEST).write_text(content, encoding="utf-8")
    assert not index_is_current(settings)
    with pytest.raises(IndexCorruptError):
        load_index(settings)


def test_passage_count_mismatch_is_corrupt(settings, built):
    """A consistent-looking manifest whose count disagrees with passages.jsonl."""
    directory = current_dir(settings.index_dir)
    data = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    data["passage_count"] += 1
    (directory / MANIFEST).write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="manifest says"):
        load_index(settings)


def test_dangling_current_link_is_missing(settings, built):
    shutil.rmtree(built.directory)
    assert not index_is_current(settings)
    with pytest.raises(IndexMissingError):
        load_index(settings)


# --- atomic rebuilds and cleanup ----------------------------------------------------------


@pytest.mark.parametrize("exc", [RuntimeError("embedding failed"), KeyboardInterrupt()])
def test_crash_mid_build_keeps_previous_index(settings, built, exc):
    before = load_index(settings).manifest
    shutil.rmtree(settings.index_dir / CACHE_DIR)  # so the build has to embed, and dies there
    with pytest.raises(type(exc)):
        build_index(settings, CrashingEmbedder(exc))
    assert current_target(settings) == built.directory.name
    assert staging_dirs(settings) == []
    assert build_dirs(settings) == [built.directory.name]
    assert index_is_current(settings)
    assert load_index(settings).manifest == before


def test_crash_after_files_were_written_leaves_no_staging(settings, built, monkeypatch):
    """Dies writing BM25, after dense.faiss is already in the staging directory."""
    def boom(self, directory):
        raise OSError("disk full")

    monkeypatch.setattr(BM25Index, "save", boom)
    with pytest.raises(OSError, match="disk full"):
        build_index(settings, FakeEmbedder())
    assert staging_dirs(settings) == []
    assert current_target(settings) == built.directory.name
    assert load_index(settings).passages


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_cleanup_removes_staging_of_dead_builders_only(settings, built):
    live = settings.index_dir / f".tmp-build-20200101T000000-{os.getpid()}"
    dead_pid = _dead_pid()
    with pytest.raises(ProcessLookupError):
        os.kill(dead_pid, 0)  # precondition: nobody reused the pid yet
    dead = settings.index_dir / f".tmp-build-20200101T000000-{dead_pid}"
    for d in (live, dead):
        d.mkdir()
        (d / PASSAGES).write_bytes(b"partial")
    build_index(settings, FakeEmbedder())
    assert live.is_dir() and (live / PASSAGES).read_bytes() == b"partial"
    assert not dead.exists()


def test_old_builds_are_pruned_keeping_current_and_previous(settings, built):
    second = build_index(settings, FakeEmbedder())
    third = build_index(settings, FakeEmbedder())
    assert build_dirs(settings) == sorted([second.directory.name, third.directory.name])
    assert current_target(settings) == third.directory.name
    assert load_index(settings).passages


def test_two_builds_in_the_same_second_both_succeed(settings, monkeypatch):
    ticking_clock(monkeypatch, step=datetime.timedelta(milliseconds=1))  # both within one second
    first = build_index(settings, FakeEmbedder())
    second = build_index(settings, FakeEmbedder())
    assert first.directory != second.directory
    assert current_target(settings) == second.directory.name


def test_build_lock_blocks_a_second_holder(tmp_path):
    index_dir = tmp_path / "index"
    first_in, release, second_in = threading.Event(), threading.Event(), threading.Event()

    def first():
        with build_lock(index_dir):
            first_in.set()
            release.wait(5)

    def second():
        first_in.wait(5)
        with build_lock(index_dir):
            second_in.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    assert first_in.wait(5)
    assert not second_in.wait(0.3)  # still waiting for the first holder
    release.set()
    assert second_in.wait(5)
    for t in threads:
        t.join(5)


class RecordingEmbedder(FakeEmbedder):
    """Records when each build is inside encode_passages, and dawdles there."""

    def __init__(self, log: list, lock: threading.Lock):
        super().__init__()
        self.log, self.lock = log, lock

    def encode_passages(self, texts, show_progress=False):
        start = time.monotonic()
        time.sleep(0.15)
        out = super().encode_passages(texts, show_progress)
        with self.lock:
            self.log.append((id(self), start, time.monotonic()))
        return out


def test_concurrent_builds_are_serialised(settings, monkeypatch):
    ticking_clock(monkeypatch)
    log, log_lock, results, errors = [], threading.Lock(), [], []

    def run():
        try:
            results.append(build_index(settings, RecordingEmbedder(log, log_lock)))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(results) == 2
    # the second build waited for the first and then found every passage and sentence in its
    # embedding cache: only one builder ever ran the encoder
    assert len({builder for builder, _, _ in log}) == 1
    assert sorted(r.changes.embedded for r in results) == [0, results[0].passage_count]
    assert staging_dirs(settings) == []
    assert index_is_current(settings)
    assert current_target(settings) in {r.directory.name for r in results}
    assert load_index(settings).dense.count == results[0].passage_count
