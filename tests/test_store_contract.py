"""The store contract, run on every backend: FAISS + bm25s (embedded), Qdrant local mode
(qdrant-client's own engine, persisted in the build directory), and a Qdrant server when
``QA_QDRANT_URL`` is set. Built and opened through ``stores.build_stores``/``load_stores``,
as the index store does; filters passed as the retriever passes them (row ids to a store that
needs them, a ``PassageFilter`` to one that pushes filters down)."""
from __future__ import annotations

import math
import os
import uuid
from collections import Counter

import numpy as np
import pytest

from qa_service.errors import IndexCorruptError
from qa_service.search.context import PassageFilter, StoreRecords
from qa_service.search.dense import DenseConfig
from qa_service.search.stores import build_stores, load_stores

SERVER_URL = os.environ.get("QA_QDRANT_URL", "")
N, DIM, DOCS = 600, 24, 12
WORDS = [f"w{i}" for i in range(40)]


def _server_param():
    reason = "QA_QDRANT_URL is not set: no Qdrant server to run the contract against"
    return pytest.param("qdrant-server", marks=pytest.mark.skipif(not SERVER_URL, reason=reason))


BACKENDS = ["faiss", "qdrant-local", _server_param()]


def make_config(backend: str) -> DenseConfig:
    if backend == "faiss":
        return DenseConfig()
    pytest.importorskip("qdrant_client", reason="pip install '.[qdrant]' to run the Qdrant contract")
    collection = f"contract-{uuid.uuid4().hex[:8]}"  # tests on one server never share a collection
    return DenseConfig(backend="qdrant", qdrant_url=SERVER_URL if backend == "qdrant-server" else "",
                       qdrant_collection=collection)


def make_records(seed: int = 0, n: int = N, changed: set[str] = frozenset()) -> StoreRecords:
    """``n`` passages over ``DOCS`` documents; a document in ``changed`` gets other tokens."""
    rng = np.random.default_rng(seed)
    v = rng.standard_normal((n, DIM)).astype(np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    doc_ids = [f"doc{i % DOCS}" for i in range(n)]
    years = [[2022], [2023], [2022, 2024]]
    tokens = []
    for i in range(n):
        words = rng.choice(WORDS[20:] if doc_ids[i] in changed else WORDS, size=int(rng.integers(3, 15)))
        tokens.append([str(w) for w in words])
    payloads = [{"paragraph": i, "part": 0, "years": years[i % 3], "start": 0, "end": 1} for i in range(n)]
    return StoreRecords([f"{d}:{i}" for i, d in enumerate(doc_ids)], doc_ids, payloads, v, tokens)


def matching(records: StoreRecords, where: PassageFilter) -> np.ndarray:
    return np.array([i for i in range(len(records.doc_ids))
                     if (where.doc_id is None or records.doc_ids[i] == where.doc_id)
                     and (where.year is None or where.year in records.payloads[i]["years"])], dtype=np.int64)


def lucene(records: StoreRecords, query: list[str]) -> np.ndarray:
    """bm25s's lucene BM25 by hand: Σ idf · tf / (tf + k1·(1 − b + b·dl/avgdl)), k1 1.2, b 0.75."""
    n = len(records.token_lists)
    avgdl = sum(len(t) for t in records.token_lists) / n
    df = Counter(t for tokens in records.token_lists for t in set(tokens))
    scores = np.zeros(n)
    for i, tokens in enumerate(records.token_lists):
        tf = Counter(tokens)
        for q in query:
            if tf[q]:
                idf = math.log(1 + (n - df[q] + 0.5) / (df[q] + 0.5))
                scores[i] += idf * tf[q] / (tf[q] + 1.2 * (1 - 0.75 + 0.75 * len(tokens) / avgdl))
    return scores


@pytest.fixture(scope="module", params=BACKENDS)
def built(request, tmp_path_factory):
    """One build per backend for the module (the tests only read)."""
    directory = tmp_path_factory.mktemp(request.param)
    config = make_config(request.param)
    records = make_records()
    build_stores(records, config, directory)
    dense, sparse = load_stores(directory, config, passage_ids=records.passage_ids, dim=DIM)
    return request.param, config, records, dense, sparse, directory


def _filters(store, records, where):
    """What the retriever passes: row ids, or the filter itself to a store that evaluates it."""
    if where is None:
        return {}
    if store.pushes_down_filters:
        return {"where": where}
    return {"allowed": matching(records, where)}


def test_dense_search_is_exact_cosine(built):
    backend, _, records, dense, _, _ = built
    queries = records.vectors[:15]
    scores, ids = dense.search(queries, 5)
    exact = queries @ records.vectors.T
    expected = np.argsort(-exact, axis=1, kind="stable")[:, :5]
    assert dense.count == N and dense.dim == DIM
    assert list(ids[:, 0]) == list(range(15))  # each vector is its own nearest neighbour
    if backend == "qdrant-server":  # HNSW: approximate
        assert np.mean([len(set(a) & set(b)) / 5 for a, b in zip(ids, expected)]) >= 0.9
    else:
        assert (ids == expected).all()
        assert np.allclose(scores, np.take_along_axis(exact, expected, axis=1), atol=1e-5)


@pytest.mark.parametrize("where", [PassageFilter(year=2023), PassageFilter(doc_id="doc3"),
                                   PassageFilter(year=2024, doc_id="doc5")])
def test_dense_filter_returns_the_best_matching_rows_only(built, where):
    _, _, records, dense, _, _ = built
    allowed = matching(records, where)
    queries = records.vectors[100:110]
    scores, ids = dense.search(queries, 8, **_filters(dense, records, where))
    assert np.isin(ids[ids >= 0], allowed).all()
    best = allowed[np.argsort(-(queries @ records.vectors[allowed].T), axis=1, kind="stable")[:, :8]]
    assert ids.shape == best.shape
    assert np.mean([len(set(a) & set(b)) / best.shape[1] for a, b in zip(ids, best)]) >= 0.9


def test_filter_matching_nothing_returns_nothing(built):
    _, _, records, dense, sparse, _ = built
    where = PassageFilter(doc_id="no-such-document")
    scores, ids = dense.search(records.vectors[:2], 5, **_filters(dense, records, where))
    assert ids.shape == (2, 0)
    ranking, found = sparse.search(["w1", "w2"], 5, **_filters(sparse, records, where))
    assert ranking == [] and found == {}


def test_k_larger_than_count(built):
    _, _, records, dense, sparse, _ = built
    scores, ids = dense.search(records.vectors[7], 5000)
    assert ids.shape == (1, N) and sorted(ids[0]) == list(range(N))
    ranking, _ = sparse.search(["w3"], 5000)
    assert sorted(ranking) == [i for i, t in enumerate(records.token_lists) if "w3" in t]


@pytest.mark.parametrize("query", [["w1"], ["w2", "w7"], ["w5", "w5", "w30"], ["w39", "unknown"]])
def test_sparse_scores_are_bm25_by_hand(built, query):
    _, _, records, _, sparse, _ = built
    expected = lucene(records, query)
    ranking, scores = sparse.search(query, 20)
    assert ranking == list(np.argsort(-expected, kind="stable")[:20])  # ties by row
    assert [scores[i] for i in ranking] == pytest.approx(expected[ranking], rel=1e-4)


def test_sparse_scores_rows_beyond_the_ranking(built):
    _, _, records, _, sparse, _ = built
    expected = lucene(records, ["w4"])
    outside = [int(i) for i in np.argsort(-expected, kind="stable")[30:35]]
    no_match = [i for i, t in enumerate(records.token_lists) if "w4" not in t][:3]
    ranking, scores = sparse.search(["w4"], 10, score_rows=outside + no_match)
    assert len(ranking) == 10 and not set(outside) & set(ranking)
    assert [scores[i] for i in outside] == pytest.approx(expected[outside], rel=1e-4)
    assert [scores[i] for i in no_match] == [0.0, 0.0, 0.0]


def test_sparse_filter_and_unknown_words(built):
    _, _, records, _, sparse, _ = built
    where = PassageFilter(year=2022, doc_id="doc5")
    allowed = matching(records, where)
    ranking, _ = sparse.search(["w1", "w2", "w3"], 50, **_filters(sparse, records, where))
    assert ranking and set(ranking) <= set(allowed.tolist())
    masked = np.zeros(N)
    masked[allowed] = lucene(records, ["w1", "w2", "w3"])[allowed]
    assert ranking == [i for i in np.argsort(-masked, kind="stable")[:50] if masked[i] > 0]
    assert sparse.search(["nowhere"], 5) == ([], {})


def test_vocabulary_and_document_frequency(built):
    _, _, records, _, sparse, _ = built
    df = Counter(t for tokens in records.token_lists for t in set(tokens))
    assert sorted(sparse.vocabulary()) == sorted(df)
    assert all(sparse.document_frequency(t) == n for t, n in df.items())
    assert sparse.document_frequency("absent") == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_reopened_stores_answer_the_same(backend, tmp_path):
    config, records = make_config(backend), make_records(seed=1, n=200)
    build_stores(records, config, tmp_path)
    dense, sparse = load_stores(tmp_path, config, passage_ids=records.passage_ids, dim=DIM)
    before = dense.search(records.vectors[:5], 4)[1], sparse.search(["w8", "w9"], 10)
    if backend == "qdrant-local":  # a fresh client over the files, as another process opens them
        from qa_service.search.qdrant.client import release

        release(tmp_path / "qdrant")
    dense, sparse = load_stores(tmp_path, config, passage_ids=records.passage_ids, dim=DIM)
    assert (dense.search(records.vectors[:5], 4)[1] == before[0]).all()
    assert sparse.search(["w8", "w9"], 10) == before[1]


def test_stores_that_do_not_match_the_index_are_corrupt(built):
    _, config, records, _, _, directory = built
    with pytest.raises(IndexCorruptError):
        load_stores(directory, config, passage_ids=records.passage_ids[:-1], dim=DIM)
    with pytest.raises(IndexCorruptError):
        load_stores(directory, config, passage_ids=records.passage_ids, dim=DIM + 1)
