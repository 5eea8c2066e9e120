"""The manifest schema, the build lock's waiting message and the bounded term cache: a damaged
or hand-edited index is "corrupt, run this" (and is rebuilt), never a KeyError or a C++ error."""
from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import threading

import pytest
from support import CORPUS, FakeEmbedder, make_settings, ticking_clock

from qa_service.errors import IndexCorruptError
from qa_service.search import DocFreq, index_store
from qa_service.search.index_store import (
    MANIFEST,
    PASSAGES,
    build_index,
    build_lock,
    current_dir,
    index_is_current,
    load_index,
)
from qa_service.search.manifest import MANIFEST_SCHEMA, REQUIRED_FILES, manifest_problem
from qa_service.search import sentence_vectors
from qa_service.search.stores import BM25_DIR, DENSE_DIR
from qa_service.service import ensure_index


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    root = tmp_path_factory.mktemp("manifest-template")
    shutil.copytree(CORPUS, root / "corpus")
    return root, build_index(make_settings(root), FakeEmbedder())


@pytest.fixture
def settings(tmp_path):
    shutil.copytree(CORPUS, tmp_path / "corpus")
    return make_settings(tmp_path)


@pytest.fixture
def built(settings, template, monkeypatch):
    root, result = template
    shutil.copytree(root / "index", settings.index_dir, symlinks=True)
    ticking_clock(monkeypatch)
    return dataclasses.replace(result, directory=settings.index_dir / result.directory.name)


def _edit_manifest(settings, change) -> None:
    path = current_dir(settings.index_dir) / MANIFEST
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def _truncate_dense(settings) -> None:
    path = current_dir(settings.index_dir) / DENSE_DIR / "dense.faiss"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


EDITS = {
    "missing field": lambda m: m.pop("model_dim"),
    "missing files": lambda m: m.pop("files"),
    "count as text": lambda m: m.update(passage_count=str(m["passage_count"])),
    "negative count": lambda m: m.update(passage_count=-1),
    "bool count": lambda m: m.update(passage_count=True),
    "dim as float": lambda m: m.update(model_dim=64.5),
    "files as list": lambda m: m.update(files=[]),
    "empty files": lambda m: m.update(files={}),
    "record without sha": lambda m: next(iter(m["files"].values())).pop("sha256"),
    "bytes as text": lambda m: next(iter(m["files"].values())).update(bytes="12"),
    "no dense file listed": lambda m: m.update(files={k: v for k, v in m["files"].items()
                                                      if not k.startswith("dense/")}),
    "path outside the index": lambda m: m["files"].update({"../../etc/passwd": {"bytes": 1, "sha256": "0" * 64}}),
    "documents as text": lambda m: m.update(documents="000"),
    "model null": lambda m: m.update(model=None),
}


@pytest.mark.parametrize("edit", list(EDITS.values()), ids=list(EDITS))
def test_manifest_that_breaks_the_schema_is_corrupt_and_serve_rebuilds(settings, built, edit):
    _edit_manifest(settings, edit)
    assert not index_is_current(settings)
    with pytest.raises(IndexCorruptError) as info:
        load_index(settings)
    message = str(info.value)
    assert "is not a valid index manifest" in message and "qa-service index --force" in message
    assert "\n" not in message
    # what `serve` and `qa-service index` do: rebuild, then it loads
    assert ensure_index(settings, embedder=FakeEmbedder()) is True
    assert load_index(settings).dense.count == built.passage_count


def test_count_as_text_names_the_field_and_its_type(settings, built):
    _edit_manifest(settings, EDITS["count as text"])
    with pytest.raises(IndexCorruptError, match=r"\$\.passage_count: '\d+' is not of type 'integer'"):
        load_index(settings)


def test_emptied_file_list_no_longer_hides_a_truncated_faiss_file(settings, built):
    _truncate_dense(settings)
    _edit_manifest(settings, EDITS["empty files"])
    with pytest.raises(IndexCorruptError) as info:
        load_index(settings)
    assert "faiss" not in str(info.value).lower().replace("dense.faiss", "")  # no C++ error text
    assert "qa-service index --force" in str(info.value)


def test_every_manifest_a_build_writes_fits_the_schema(built, settings):
    manifest = json.loads((current_dir(settings.index_dir) / MANIFEST).read_text(encoding="utf-8"))
    assert manifest_problem(manifest) is None
    assert set(MANIFEST_SCHEMA["required"]) <= set(manifest)
    # the required files are what index_store writes
    assert REQUIRED_FILES == (PASSAGES, f"{DENSE_DIR}/", f"{BM25_DIR}/", sentence_vectors.VECTORS,
                              sentence_vectors.ROWS)


# --- the build lock says who holds it ----------------------------------------------------------


def test_second_build_says_it_waits_and_which_process_holds_the_lock(tmp_path, caplog):
    index_dir = tmp_path / "index"
    holding, release, done = threading.Event(), threading.Event(), threading.Event()

    def first():
        with build_lock(index_dir):
            holding.set()
            release.wait(10)

    def second():
        with build_lock(index_dir):
            done.set()

    holder = threading.Thread(target=first)
    holder.start()
    assert holding.wait(10)
    with caplog.at_level(logging.WARNING, logger=index_store.__name__):
        waiter = threading.Thread(target=second)
        waiter.start()
        for _ in range(100):  # until the waiter has said something (bounded: 10 s)
            if caplog.records:
                break
            threading.Event().wait(0.1)
        release.set()
        holder.join(10)
        waiter.join(10)
    assert done.is_set()
    [record] = [r for r in caplog.records if r.name == index_store.__name__]
    message = record.getMessage()
    assert "waiting for another build" in message and str(index_dir) in message
    assert f"process {os.getpid()}" in message


def test_uncontended_build_lock_says_nothing(tmp_path, caplog):
    with caplog.at_level(logging.INFO, logger=index_store.__name__):
        with build_lock(tmp_path / "index"):
            pass
    assert caplog.records == []


# --- bounded term cache --------------------------------------------------------------------


def test_doc_freq_cache_is_bounded_under_never_repeated_words(settings, built):
    """Random-word traffic must not grow memory without end (one cache entry per new word)."""
    loaded = load_index(settings)
    doc_freq = DocFreq(loaded.bm25, cache_size=64)
    expected = loaded.doc_freq.get("高标准农田")
    assert expected > 0
    for i in range(1000):
        doc_freq.get(f"词{i}")
    assert doc_freq.cache_info().currsize == 64
    assert doc_freq.get("高标准农田") == expected  # still right after evictions
    assert loaded.doc_freq.cache_info().maxsize == DocFreq.CACHE_SIZE


def test_truncated_faiss_file_with_matching_checksums_is_one_clear_line(settings, built):
    """Even when the manifest's checksums were rewritten to fit a damaged file, the error names
    the file and the fix, not FAISS's C++ exception text."""
    from qa_service.search.manifest import sha256_file

    _truncate_dense(settings)
    dense = current_dir(settings.index_dir) / DENSE_DIR / "dense.faiss"

    def fit(m):
        m["files"][f"{DENSE_DIR}/dense.faiss"] = {"bytes": dense.stat().st_size, "sha256": sha256_file(dense)}

    _edit_manifest(settings, fit)
    with pytest.raises(IndexCorruptError) as info:
        load_index(settings)
    message = str(info.value)
    assert message == (f"FAISS index {dense} is unreadable (truncated or not a FAISS file): "
                       "run `qa-service index --force`")
