"""The plain settings a store backend is built from (taken from ``Settings`` once, at the edge).

In a module of its own so that every backend package (dense/, qdrant/) can read it without
importing another backend.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DenseConfig:
    """Which backend holds the vectors, and its options (plain values taken from Settings)."""

    backend: str = "faiss"  # faiss (with bm25s) | qdrant (dense and sparse in one collection)
    faiss_index: str = "flat"  # flat | hnsw | ivf
    qdrant_url: str = ""  # "" = local mode in the build directory; ":memory:" = this process only
    qdrant_collection: str = "qa_passages"  # the alias the service queries
    qdrant_api_key: str = field(default="", repr=False)
    qdrant_shards: int = 1
    qdrant_replicas: int = 1
    qdrant_hnsw_m: int = 16
    qdrant_hnsw_ef: int = 128
