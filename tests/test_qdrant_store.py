"""The Qdrant store beyond the shared contract: a whole index on local mode answering like
FAISS + bm25s, incremental updates by document, the alias switch, settings, and the error a
user without the optional client gets."""
from __future__ import annotations

import json
import subprocess
import sys
import uuid

import numpy as np
import pytest

from support import CORPUS, ROOT, FakeEmbedder, make_settings
from test_store_contract import DIM, make_records

from qa_service.config import load_settings
from qa_service.errors import ConfigError, IndexStaleError
from qa_service.search import build_index, load_index
from qa_service.search.dense import DenseConfig
from qa_service.search.manifest import check_manifest, read_manifest
from qa_service.search.stores import build_stores, load_stores

qdrant_client = pytest.importorskip("qdrant_client", reason="pip install '.[qdrant]' to test the Qdrant store")


def test_missing_client_is_a_config_error_naming_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "qdrant_client", None)  # what `import qdrant_client` sees when absent
    with pytest.raises(ConfigError, match=r"pip install '\.\[qdrant\]'"):
        build_stores(make_records(n=10), DenseConfig(backend="qdrant"), tmp_path)


def test_the_embedded_default_never_imports_the_qdrant_client(tmp_path):
    code = ("import sys; from qa_service.service import QAService; from qa_service.search import load_index; "
            "from qa_service.qa.retrieve import Retriever; print('qdrant_client' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_settings(monkeypatch):
    env = {"QA_STORE": "qdrant", "QA_QDRANT_URL": "http://qdrant:6333", "QA_QDRANT_COLLECTION": "news",
           "QA_QDRANT_API_KEY": "s3cret", "QA_QDRANT_SHARDS": "6", "QA_QDRANT_REPLICAS": "2"}
    settings = load_settings(environ=env, toml_path=ROOT / "absent.toml")
    assert (settings.store, settings.qdrant_url, settings.qdrant_collection) == ("qdrant", "http://qdrant:6333", "news")
    assert (settings.qdrant_shards, settings.qdrant_replicas) == (6, 2)
    assert "s3cret" not in repr(settings)
    with pytest.raises(ConfigError, match="qdrant_shards"):
        load_settings(environ={**env, "QA_QDRANT_SHARDS": "0"}, toml_path=ROOT / "absent.toml")
    with pytest.raises(ConfigError, match="store must be one of faiss, qdrant"):
        load_settings(environ={"QA_STORE": "milvus"}, toml_path=ROOT / "absent.toml")


# --- a whole index on Qdrant local mode -----------------------------------------------------

@pytest.fixture(scope="module")
def indexes(tmp_path_factory):
    """The real corpus indexed twice with the fake embedder: FAISS + bm25s, and Qdrant local mode."""
    root = tmp_path_factory.mktemp("qdrant-index")
    out = {}
    for store in ("faiss", "qdrant"):
        settings = make_settings(root / store, corpus_dir=CORPUS, store=store)
        build_index(settings, FakeEmbedder())
        out[store] = settings
    return out


def _service(settings):
    from qa_service.service import QAService

    return QAService.load(settings, embedder=FakeEmbedder())


def _gold():
    return [json.loads(line) for line in (ROOT / "eval" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]


def test_index_on_local_mode_holds_the_collection_in_the_build(indexes):
    settings = indexes["qdrant"]
    loaded = load_index(settings)
    directory = (settings.index_dir / "current").resolve()
    assert (directory / "qdrant").is_dir() and (directory / "dense" / "qdrant.json").is_file()
    assert not (directory / "bm25" / "params.index.json").exists()  # no bm25s files: BM25 is in Qdrant
    assert loaded.dense.backend == loaded.bm25.backend == "qdrant"
    assert loaded.dense.count == len(loaded.passages)
    assert any(name.startswith("qdrant/") for name in loaded.manifest["files"])  # checksummed too


def test_qdrant_index_ranks_like_faiss_and_bm25s(indexes):
    """Same candidates and the same fused order: both dense searches are exact, and BM25 is
    bm25s's formula (the engine's idf times our saturated term frequencies)."""
    faiss, qdrant = _service(indexes["faiss"]), _service(indexes["qdrant"])
    questions = [g["question"] for g in _gold()][:60]
    same_top10 = 0
    for q in questions:
        a = [p.passage.passage_id for p in faiss.answerer.retriever.candidates(faiss.analyse(q))[:10]]
        b = [p.passage.passage_id for p in qdrant.answerer.retriever.candidates(qdrant.analyse(q))[:10]]
        assert a[:3] == b[:3], q
        same_top10 += a == b
    assert same_top10 >= 0.95 * len(questions)


@pytest.mark.parametrize("filters", [{"year": 2022}, {"doc_id": "000_d035c923f93be10b"},
                                     {"year": 2024, "doc_id": "000_d035c923f93be10b"}, {"year": 1999}])
def test_filters_are_pushed_down_and_match_the_embedded_filter(indexes, filters):
    faiss, qdrant = _service(indexes["faiss"]), _service(indexes["qdrant"])
    assert qdrant.answerer.retriever._by_year is None  # no per-passage year table: the engine filters
    for q in ("四平粮食产量是多少", "地区生产总值增长"):
        a = faiss.answerer.retriever.candidates(faiss.analyse(q), **filters)
        b = qdrant.answerer.retriever.candidates(qdrant.analyse(q), **filters)
        assert {h.passage.passage_id for h in a} == {h.passage.passage_id for h in b}
        if filters.get("year") == 1999:
            assert b == []
        allowed = qdrant.answerer.retriever.allowed(**{"year": None, "doc_id": None, **filters})
        assert sorted(allowed.tolist()) == sorted(faiss.answerer.retriever.allowed(
            **{"year": None, "doc_id": None, **filters}).tolist())


def test_changing_the_qdrant_collection_makes_the_index_stale(indexes):
    settings = indexes["qdrant"]
    check_manifest(read_manifest(settings.index_dir), settings)
    with pytest.raises(IndexStaleError, match="qdrant"):
        check_manifest(read_manifest(settings.index_dir), settings.replace(qdrant_collection="other"))


# --- incremental updates (a server's collection outlives builds: ``:memory:`` behaves so) -------

def _memory_config(**extra) -> DenseConfig:
    return DenseConfig(backend="qdrant", qdrant_url=":memory:", qdrant_collection=f"inc-{uuid.uuid4().hex[:8]}",
                       **extra)


def _physical(directory) -> str:
    return json.loads((directory / "dense" / "qdrant.json").read_text())["physical"]


def test_incremental_build_replaces_only_the_changed_documents(tmp_path):
    config = _memory_config()
    first, second = tmp_path / "first", tmp_path / "second"
    v1 = make_records(seed=3)
    build_stores(v1, config, first)
    # doc3's passages get other words; the corpus keeps its length profile (avgdl within 1%)
    v2 = make_records(seed=3, changed={"doc3"})
    build_stores(v2, config, second, previous=first, changed_docs={"doc3"})
    assert _physical(second) == _physical(first)  # updated in place, not rebuilt
    dense, sparse = load_stores(second, config, passage_ids=v2.passage_ids, dim=DIM)
    fresh_dir = tmp_path / "fresh"
    fresh_config = _memory_config()
    build_stores(v2, fresh_config, fresh_dir)
    fresh_dense, fresh_sparse = load_stores(fresh_dir, fresh_config, passage_ids=v2.passage_ids, dim=DIM)
    assert (dense.search(v2.vectors[:10], 5)[1] == fresh_dense.search(v2.vectors[:10], 5)[1]).all()
    for query in (["w25"], ["w1", "w30"]):
        ranking, scores = sparse.search(query, 20)
        fresh_ranking, fresh_scores = fresh_sparse.search(query, 20)
        assert len(set(ranking) & set(fresh_ranking)) >= 18
        common = sorted(set(ranking) & set(fresh_ranking))
        assert [scores[i] for i in common] == pytest.approx([fresh_scores[i] for i in common], rel=0.02)
    doc3 = [i for i, d in enumerate(v2.doc_ids) if d == "doc3"]
    ranking, _ = sparse.search(["w0"], 600)  # words doc3 no longer has
    assert not set(ranking) & set(doc3)


def test_full_build_moves_the_alias_and_drops_the_old_collection(tmp_path):
    from qa_service.search.qdrant.client import connect

    config = _memory_config()
    first, second = tmp_path / "first", tmp_path / "second"
    build_stores(make_records(seed=4), config, first)
    shorter = make_records(seed=4, n=300)  # another corpus: the mean length moves, so a full rebuild
    shorter = type(shorter)(shorter.passage_ids, shorter.doc_ids, shorter.payloads, shorter.vectors,
                            [t[:3] for t in shorter.token_lists])
    build_stores(shorter, config, second, previous=first, changed_docs=set())
    client = connect(config, local_path=None)
    assert _physical(second) != _physical(first)
    assert not client.collection_exists(_physical(first))
    assert client.count(config.qdrant_collection, exact=True).count == 300
    dense, _ = load_stores(second, config, passage_ids=shorter.passage_ids, dim=DIM)
    assert np.array_equal(dense.search(shorter.vectors[:3], 1)[1][:, 0], [0, 1, 2])


def test_a_collection_changed_behind_the_index_is_rebuilt_not_patched(tmp_path):
    from qdrant_client import models

    from qa_service.search.qdrant.client import connect

    config = _memory_config()
    first, second = tmp_path / "first", tmp_path / "second"
    records = make_records(seed=5)
    build_stores(records, config, first)
    client = connect(config, local_path=None)
    client.delete(config.qdrant_collection, points_selector=models.FilterSelector(filter=models.Filter(
        must=[models.FieldCondition(key="doc_id", match=models.MatchValue(value="doc7"))])), wait=True)
    build_stores(records, config, second, previous=first, changed_docs=set())  # nothing changed, says the corpus
    assert _physical(second) != _physical(first)
    assert client.count(config.qdrant_collection, exact=True).count == len(records.passage_ids)
