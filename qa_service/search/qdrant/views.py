"""The two store protocols over one Qdrant collection: ``QdrantDense`` (a ``DenseStore``) and
``QdrantSparse`` (a ``SparseStore``). Each search is one plain query (no engine-side fusion: our
weighted RRF and re-ranking need both candidate lists with their scores); filters are pushed
down as payload conditions (``years`` contains the year, ``doc_id`` equals) or point ids."""
from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path
from typing import Sequence

import numpy as np

from ..context import PassageFilter
from ..store_config import DenseConfig
from ..sparse import query_weights
from .client import MEMORY, qdrant_modules
from .collection import DENSE, SPARSE, QdrantCollection, read_descriptor

TIE_MARGIN = 10  # extra results fetched so ties at the cut are broken by row, as bm25s/FAISS do


def _filter(c: QdrantCollection, allowed: np.ndarray | None, where: PassageFilter | None):
    _, models = qdrant_modules()
    must = []
    if where is not None and where.doc_id is not None:
        must.append(models.FieldCondition(key="doc_id", match=models.MatchValue(value=where.doc_id)))
    if where is not None and where.year is not None:
        must.append(models.FieldCondition(key="years", match=models.MatchValue(value=int(where.year))))
    if allowed is not None:
        must.append(models.HasIdCondition(has_id=[c.points[int(i)] for i in np.unique(allowed)]))
    return models.Filter(must=must) if must else None


def _rows(c: QdrantCollection, points) -> list[tuple[int, float]]:
    """(row, score) of the points this index knows (a shared collection may hold newer ones)."""
    out = [(c.rows[str(p.id)], float(p.score)) for p in points if str(p.id) in c.rows]
    out.sort(key=lambda t: (-t[1], t[0]))
    return out


class QdrantDense:
    """Dense search in the collection: cosine (vectors are normalised: equals inner product)."""

    backend = "qdrant"
    pushes_down_filters = True

    def __init__(self, collection: QdrantCollection):
        self.collection = collection
        self.dim = collection.dim

    @property
    def count(self) -> int:
        return self.collection.count

    def search(self, queries: np.ndarray, k: int, *, allowed: np.ndarray | None = None,
               where: PassageFilter | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) per query row, -1 / -inf padded like FAISS."""
        _, models = qdrant_modules()
        c = self.collection
        queries = np.atleast_2d(np.asarray(queries, dtype=np.float32))
        if allowed is not None and len(allowed) == 0 or k <= 0:
            return np.empty((len(queries), 0), np.float32), np.empty((len(queries), 0), np.int64)
        query_filter = _filter(c, allowed, where)
        url = c.config.qdrant_url  # local mode searches exactly and warns about HNSW parameters
        params = models.SearchParams(hnsw_ef=max(c.config.qdrant_hnsw_ef, k)) if url and url != MEMORY else None
        results = []
        for q in queries:
            response = c.client.query_points(c.alias, query=q.tolist(), using=DENSE, limit=k + TIE_MARGIN,
                                             query_filter=query_filter, search_params=params, with_payload=False)
            results.append(_rows(c, response.points)[:k])
        width = max((len(r) for r in results), default=0)
        scores = np.full((len(queries), width), -np.inf, dtype=np.float32)
        ids = np.full((len(queries), width), -1, dtype=np.int64)
        for i, r in enumerate(results):
            ids[i, :len(r)] = [row for row, _ in r]
            scores[i, :len(r)] = [s for _, s in r]
        return scores, ids

    def add(self, vectors: np.ndarray) -> None:
        """Append vectors; their ids continue from ``count`` (rows named ``row:<i>``)."""
        from ..context import StoreRecords

        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        names = _row_names(self.count + len(vectors))[self.count:]
        self.collection.append(StoreRecords(names, [""] * len(names), [{} for _ in names], vectors,
                                            [[] for _ in names]))

    def save(self, directory: Path) -> None:
        self.collection.save(directory)

    # A vectors-only collection (rows named ``row:<i>``) for the dense store factory: the same
    # contract as FAISS over bare vectors. In local mode it lives in this process (``:memory:``),
    # under an alias of its own; an index is built through ``stores.build_stores`` instead.
    @classmethod
    def build(cls, vectors: np.ndarray, config: DenseConfig) -> "QdrantDense":
        from ..context import StoreRecords

        names = _row_names(len(vectors))
        records = StoreRecords(names, [""] * len(names), [{} for _ in names],
                               np.asarray(vectors, dtype=np.float32), [[] for _ in names])
        own = replace(config, qdrant_url=config.qdrant_url or MEMORY,
                      qdrant_collection=f"{config.qdrant_collection}-vectors-{uuid.uuid4().hex[:8]}")
        return cls(QdrantCollection.build(records, own, None))

    @classmethod
    def load(cls, directory: Path, config: DenseConfig, *, count: int, dim: int) -> "QdrantDense":
        descriptor = read_descriptor(directory)
        own = replace(config, qdrant_url=config.qdrant_url or descriptor.get("url", ""),
                      qdrant_collection=str(descriptor.get("alias", "")))
        return cls(QdrantCollection.load(directory, own, passage_ids=_row_names(count), dim=dim))


def _row_names(n: int) -> list[str]:
    return [f"row:{i}" for i in range(n)]


class QdrantSparse:
    """BM25 in the collection: our saturated term frequencies times the engine's idf."""

    backend = "qdrant"
    pushes_down_filters = True

    def __init__(self, collection: QdrantCollection):
        self.collection = collection

    @property
    def count(self) -> int:
        return self.collection.count

    def _query(self, tokens: list[str]):
        _, models = qdrant_modules()
        vocab = self.collection.vocabulary
        weights = {vocab[t]: w for t, w in query_weights(tokens).items() if t in vocab}
        if not weights:
            return None
        indices = sorted(weights)
        return models.SparseVector(indices=indices, values=[weights[i] for i in indices])

    def search(self, tokens: list[str], k: int, *, allowed: np.ndarray | None = None,
               where: PassageFilter | None = None, score_rows: Sequence[int] = ()
               ) -> tuple[list[int], dict[int, float]]:
        """The ``k`` best rows with a positive score (ties by row) and the scores of those rows and
        of ``score_rows`` (0 for rows the query does not match); at most two queries."""
        _, models = qdrant_modules()
        c = self.collection
        query = self._query(tokens)
        if query is None or k <= 0 or (allowed is not None and len(allowed) == 0):
            return [], {int(r): 0.0 for r in score_rows}
        query_filter = _filter(c, allowed, where)
        response = c.client.query_points(c.alias, query=query, using=SPARSE, limit=k + TIE_MARGIN,
                                         query_filter=query_filter, with_payload=False)
        ranked = [(row, s) for row, s in _rows(c, response.points) if s > 0][:k]
        scores = dict(ranked)
        missing = sorted({int(r) for r in score_rows} - set(scores))
        if missing:
            by_id = _filter(c, np.asarray(missing), where)
            response = c.client.query_points(c.alias, query=query, using=SPARSE, limit=len(missing),
                                             query_filter=by_id, with_payload=False)
            scores.update(_rows(c, response.points))
            for r in missing:
                scores.setdefault(r, 0.0)
        return [row for row, _ in ranked], scores

    def vocabulary(self) -> list[str]:
        return [t for t, df in self.collection.doc_freq.items() if df > 0]

    def document_frequency(self, token: str) -> int:
        return self.collection.doc_freq.get(token, 0)


def open_views(directory: Path, config: DenseConfig, *, passage_ids: Sequence[str], dim: int
               ) -> tuple[QdrantDense, QdrantSparse]:
    collection = QdrantCollection.load(directory, config, passage_ids=passage_ids, dim=dim)
    return QdrantDense(collection), QdrantSparse(collection)
