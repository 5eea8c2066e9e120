"""The dense store and BM25 contracts: exact and approximate search, filters, save/load, damage."""
from __future__ import annotations

import numpy as np
import pytest

from qa_service.errors import ConfigError, IndexCorruptError
from qa_service.search import BM25Index
from qa_service.search.dense import DenseConfig, build_dense_store, load_dense_store
from qa_service.search.dense.faiss_store import FILE_NAME


# --- FaissStore ---------------------------------------------------------------------------

KINDS = ("flat", "hnsw", "ivf")


@pytest.fixture(scope="module")
def vectors():
    rng = np.random.default_rng(0)
    v = rng.standard_normal((2000, 32)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.fixture(scope="module")
def stores(vectors):
    return {kind: build_dense_store(vectors, DenseConfig(faiss_index=kind)) for kind in KINDS}


def test_flat_search_is_exact(stores, vectors):
    scores, ids = stores["flat"].search(vectors[:20], 5)
    assert ids.shape == (20, 5)
    assert list(ids[:, 0]) == list(range(20))  # each vector is its own nearest neighbour
    assert np.allclose(scores[:, 0], 1.0, atol=1e-5)
    expected = np.argsort(-(vectors[:20] @ vectors.T), axis=1, kind="stable")[:, :5]
    assert (ids == expected).all()
    assert np.allclose(scores, np.take_along_axis(vectors[:20] @ vectors.T, expected, axis=1), atol=1e-5)


@pytest.mark.parametrize("kind", ["hnsw", "ivf"])
def test_approximate_search_finds_the_query_itself(stores, vectors, kind):
    assert stores[kind].count == len(vectors)
    scores, ids = stores[kind].search(vectors[:100], 1)
    assert (ids[:, 0] == np.arange(100)).mean() >= 0.95


@pytest.mark.parametrize("kind", KINDS)
def test_allowed_filter_never_returns_other_ids(stores, vectors, kind):
    allowed = np.random.default_rng(1).choice(len(vectors), 20, replace=False)
    scores, ids = stores[kind].search(vectors[:30], 10, allowed=allowed)
    assert ids.shape[1] <= 10
    assert np.isin(ids[ids >= 0], allowed).all()


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_filtered_search_finds_the_best_allowed(stores, vectors, kind):
    allowed = np.random.default_rng(2).choice(len(vectors), 20, replace=False)
    queries = vectors[:50]
    scores, ids = stores[kind].search(queries, 5, allowed=allowed)
    assert ids.shape == (50, 5)
    assert (ids >= 0).all()  # five of the twenty allowed ids for every query
    best = allowed[np.argsort(-(queries @ vectors[allowed].T), axis=1)[:, :5]]
    recall = np.mean([len(set(ids[i]) & set(best[i])) / 5 for i in range(len(queries))])
    assert recall >= (1.0 if kind == "flat" else 0.9)


@pytest.mark.parametrize("kind", KINDS)
def test_empty_allowed_gives_empty_result(stores, vectors, kind):
    scores, ids = stores[kind].search(vectors[:3], 5, allowed=np.array([], dtype=np.int64))
    assert scores.shape == (3, 0) and ids.shape == (3, 0)


@pytest.mark.parametrize("kind", KINDS)
def test_k_larger_than_count_returns_count(kind):
    rng = np.random.default_rng(3)
    small = rng.standard_normal((7, 16)).astype(np.float32)
    small /= np.linalg.norm(small, axis=1, keepdims=True)
    s = build_dense_store(small, DenseConfig(faiss_index=kind))
    scores, ids = s.search(small[4], 50)
    assert ids.shape == (1, 7)
    assert sorted(ids[0]) == list(range(7))
    assert ids[0, 0] == 4
    scores, ids = s.search(small[4], 50, allowed=np.array([2, 5]))
    assert ids.shape == (1, 2)
    assert sorted(ids[0]) == [2, 5]


@pytest.mark.parametrize("kind", KINDS)
def test_save_load_round_trip(stores, vectors, kind, tmp_path):
    stores[kind].save(tmp_path)
    loaded = load_dense_store(tmp_path, DenseConfig(faiss_index=kind), count=len(vectors), dim=32)
    assert loaded.count == len(vectors) and loaded.dim == 32 and loaded.kind == kind
    before = stores[kind].search(vectors[:10], 3)
    after = loaded.search(vectors[:10], 3)
    assert (before[1] == after[1]).all()
    assert np.allclose(before[0], after[0])


def test_load_with_wrong_count_or_dim_is_corrupt(stores, vectors, tmp_path):
    stores["flat"].save(tmp_path)
    with pytest.raises(IndexCorruptError, match="manifest says 1999"):
        load_dense_store(tmp_path, DenseConfig(), count=len(vectors) - 1, dim=32)
    with pytest.raises(IndexCorruptError):
        load_dense_store(tmp_path, DenseConfig(), count=len(vectors), dim=64)


def test_load_of_damaged_file_is_corrupt(stores, tmp_path):
    stores["flat"].save(tmp_path)
    path = tmp_path / FILE_NAME
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(IndexCorruptError, match="unreadable"):
        load_dense_store(tmp_path, DenseConfig(), count=2000, dim=32)
    with pytest.raises(IndexCorruptError):
        load_dense_store(tmp_path / "absent", DenseConfig(), count=2000, dim=32)


def test_unknown_kind_or_backend_is_a_config_error(vectors):
    with pytest.raises(ConfigError, match="bogus"):
        build_dense_store(vectors[:10], DenseConfig(faiss_index="bogus"))
    with pytest.raises(ConfigError, match="nosuch"):
        build_dense_store(vectors[:10], DenseConfig(backend="nosuch"))


# --- BM25Index ----------------------------------------------------------------------------

TOY = [["a", "b"], ["b", "c"], ["c", "d", "d"]]


def _lucene(tf: int, df: int, dl: int, n: int, avgdl: float, k1=1.2, b=0.75) -> float:
    """bm25s's "lucene" variant: idf · tf / (tf + k1·(1 − b + b·dl/avgdl)).

    (It leaves out Lucene's constant (k1 + 1) factor, which does not change the ranking.)
    """
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
    return float(idf * tf / (tf + k1 * (1 - b + b * dl / avgdl)))


def test_bm25_scores_by_hand():
    index = BM25Index.build(TOY)
    avgdl = 7 / 3
    scores = index.scores(["d"])
    assert scores.shape == (3,)
    assert scores[0] == 0 and scores[1] == 0
    assert scores[2] == pytest.approx(_lucene(tf=2, df=1, dl=3, n=3, avgdl=avgdl), rel=1e-5)
    scores = index.scores(["b"])
    assert scores[0] == pytest.approx(scores[1])  # same tf, same length
    assert scores[0] == pytest.approx(_lucene(tf=1, df=2, dl=2, n=3, avgdl=avgdl), rel=1e-5)
    assert scores[2] == 0
    both = index.scores(["b", "d"])
    assert both == pytest.approx(index.scores(["b"]) + index.scores(["d"]), rel=1e-5)


def test_bm25_unknown_or_no_tokens_score_zero():
    index = BM25Index.build(TOY)
    for query in (["zzz"], [], ["zzz", "yyy"]):
        scores = index.scores(query)
        assert scores.shape == (3,)
        assert not scores.any()
    assert index.scores(["zzz", "d"])[2] == pytest.approx(index.scores(["d"])[2])


def test_bm25_save_load_round_trip(tmp_path):
    index = BM25Index.build(TOY)
    index.save(tmp_path / "bm25")
    loaded = BM25Index.load(tmp_path / "bm25", count=3)  # corpus without 四平 (the load probe)
    for query in (["a"], ["b", "d"], ["c"]):
        assert np.allclose(loaded.scores(query), index.scores(query))
    with pytest.raises(IndexCorruptError, match="manifest says 4"):
        BM25Index.load(tmp_path / "bm25", count=4)


def test_bm25_load_of_damaged_directory_is_corrupt(tmp_path):
    BM25Index.build(TOY).save(tmp_path / "bm25")
    sorted((tmp_path / "bm25").iterdir())[0].unlink()
    with pytest.raises(IndexCorruptError, match="unreadable"):
        BM25Index.load(tmp_path / "bm25", count=3)
