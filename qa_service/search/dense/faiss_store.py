"""The embedded dense store: FAISS, exact (flat) or approximate (HNSW, IVF)."""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from ...errors import ConfigError, IndexCorruptError
from .base import DenseConfig


EXACT_FILTER_MAX = 20_000  # filters up to this many ids are scored exactly
FILE_NAME = "dense.faiss"
HNSW_EF_SEARCH = 128  # recall@10 0.990 (tie-aware) on real embeddings, 64: 0.966 (benchmarks/results/hnsw_recall.md)


def _faiss():
    try:
        import faiss
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ConfigError("faiss is not installed: pip install faiss-cpu") from exc
    return faiss


class FaissStore:
    """FAISS index of normalised vectors: ``flat`` (exact), ``hnsw`` or ``ivf`` (approximate)."""

    KINDS = ("flat", "hnsw", "ivf")
    backend = "faiss"
    pushes_down_filters = False

    def __init__(self, index, kind: str):
        self._index = index
        self.kind = kind
        self.dim = index.d

    @classmethod
    def build(cls, vectors: np.ndarray, config: DenseConfig = DenseConfig()) -> "FaissStore":
        faiss = _faiss()
        kind = config.faiss_index
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1]
        if kind == "flat":
            index = faiss.IndexFlatIP(dim)
        elif kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 80
            index.hnsw.efSearch = HNSW_EF_SEARCH
        elif kind == "ivf":
            # ~39 training points per list is FAISS's minimum; sqrt(n) lists is the usual rule.
            nlist = max(1, min(int(4 * math.sqrt(len(vectors))), len(vectors) // 39))
            index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, nlist, faiss.METRIC_INNER_PRODUCT)
            index.train(vectors)
            index.nprobe = min(nlist, 16)
            index.make_direct_map()  # reconstruct() for exact filtered search
        else:
            raise ConfigError(f"unknown FAISS index kind {kind!r}; use one of {cls.KINDS}")
        store = cls(index, kind)
        store.add(vectors)
        return store

    @property
    def count(self) -> int:
        return int(self._index.ntotal)

    def add(self, vectors: np.ndarray) -> None:
        self._index.add(np.ascontiguousarray(vectors, dtype=np.float32))

    def search(self, queries: np.ndarray, k: int, *, allowed: np.ndarray | None = None, where=None
               ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) per query; ``allowed`` restricts results to those ids."""
        faiss = _faiss()
        queries = np.ascontiguousarray(np.atleast_2d(queries), dtype=np.float32)
        params = None
        if allowed is not None:
            if len(allowed) == 0:
                empty = np.empty((len(queries), 0))
                return empty.astype(np.float32), empty.astype(np.int64)
            if self.kind != "flat" and len(allowed) <= EXACT_FILTER_MAX:
                return self._search_subset(queries, k, np.unique(np.asarray(allowed, dtype=np.int64)))
            selector = faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64))
            # Per-call parameters replace the index's own: without nprobe/efSearch FAISS uses 1/16.
            params = (faiss.SearchParametersIVF(sel=selector, nprobe=faiss.extract_index_ivf(self._index).nprobe)
                      if self.kind == "ivf"
                      else faiss.SearchParametersHNSW(sel=selector, efSearch=max(self._index.hnsw.efSearch, 2 * k))
                      if self.kind == "hnsw"
                      else faiss.SearchParameters(sel=selector))
            k = min(k, len(allowed))
        k = min(k, self.count)
        if k <= 0:
            empty = np.empty((len(queries), 0))
            return empty.astype(np.float32), empty.astype(np.int64)
        scores, ids = self._index.search(queries, k, params=params)
        return scores, ids

    def _search_subset(self, queries: np.ndarray, k: int, allowed: np.ndarray):
        """Exact scores over a filter's ids: HNSW graphs and IVF lists lose most of a selective
        filter's ids, and scoring a few thousand stored vectors directly is cheap."""
        vectors = self._index.reconstruct_batch(allowed)
        scores = queries @ vectors.T
        top = np.argsort(-scores, axis=1, kind="stable")[:, :min(k, len(allowed))]
        return np.take_along_axis(scores, top, axis=1).astype(np.float32), allowed[top]

    def save(self, directory: Path) -> None:
        _faiss().write_index(self._index, str(directory / FILE_NAME))

    @classmethod
    def load(cls, directory: Path, config: DenseConfig = DenseConfig(), *, count: int, dim: int) -> "FaissStore":
        faiss = _faiss()
        kind, path = config.faiss_index, directory / FILE_NAME
        try:
            index = faiss.read_index(str(path))
        except Exception as exc:  # FAISS raises RuntimeError with C++ text (kept as the cause, not shown)
            raise IndexCorruptError(f"FAISS index {path} is unreadable (truncated or not a FAISS file): "
                                    "run `qa-service index --force`") from exc
        if index.ntotal != count or index.d != dim:
            raise IndexCorruptError(f"FAISS index holds {index.ntotal}×{index.d}, manifest says {count}×{dim}: "
                                    "run `qa-service index --force`")
        if kind == "hnsw":
            faiss.downcast_index(index).hnsw.efSearch = HNSW_EF_SEARCH
        elif kind == "ivf":
            ivf = faiss.extract_index_ivf(index)
            ivf.nprobe = min(ivf.nlist, 16)
            ivf.make_direct_map()
        return cls(index, kind)
