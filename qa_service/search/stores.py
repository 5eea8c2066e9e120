"""The configured stores of an index: FAISS + bm25s (the embedded default) or one Qdrant
collection, built from the same passages and opened behind the ``DenseStore`` and
``SparseStore`` protocols, so the index store and retrieval never ask which one it is."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from .bm25 import BM25Index
from .context import StoreRecords
from .dense import DenseConfig, DenseStore, build_dense_store, load_dense_store
from .sparse import SparseStore

DENSE_DIR = "dense"
BM25_DIR = "bm25"


def build_stores(records: StoreRecords, config: DenseConfig, directory: Path, *,
                 previous: Path | None = None, changed_docs: set[str] | None = None) -> None:
    """Build the stores into ``directory`` (a build's staging folder). ``previous`` (the index
    in use) and ``changed_docs`` let an engine that outlives builds update only those documents."""
    if config.backend == "qdrant":
        from .qdrant import QdrantCollection

        QdrantCollection.build(records, config, directory, previous=previous, changed_docs=changed_docs).close()
        return
    (directory / DENSE_DIR).mkdir()
    build_dense_store(records.vectors, config).save(directory / DENSE_DIR)
    BM25Index.build(list(records.token_lists)).save(directory / BM25_DIR)


def load_stores(directory: Path, config: DenseConfig, *, passage_ids: Sequence[str], dim: int
                ) -> tuple[DenseStore, SparseStore]:
    """Open the stores of a built index. Raises IndexCorruptError when they do not match it."""
    if config.backend == "qdrant":
        from .qdrant import open_views

        return open_views(directory, config, passage_ids=passage_ids, dim=dim)
    count = len(passage_ids)
    dense = load_dense_store(directory / DENSE_DIR, config, count=count, dim=dim)
    return dense, BM25Index.load(directory / BM25_DIR, count=count)
