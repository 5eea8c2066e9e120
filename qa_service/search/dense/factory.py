"""The factory: the configured dense store backend, built over vectors or loaded from disk."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ...errors import ConfigError
from .base import DenseBackend, DenseConfig, DenseStore


def _backends() -> dict[str, DenseBackend]:
    from ..qdrant.views import QdrantDense  # imports qdrant_client only when used
    from .faiss_store import FaissStore

    return {"faiss": FaissStore, "qdrant": QdrantDense}


def backend_names() -> tuple[str, ...]:
    return tuple(_backends())


def _backend(config: DenseConfig) -> DenseBackend:
    backends = _backends()
    if config.backend not in backends:
        raise ConfigError(f"unknown vector store {config.backend!r}; choose one of {', '.join(backends)}")
    return backends[config.backend]


def build_dense_store(vectors: np.ndarray, config: DenseConfig) -> DenseStore:
    """A store of the configured backend holding ``vectors`` (row i has id i)."""
    return _backend(config).build(vectors, config)


def load_dense_store(directory: Path, config: DenseConfig, *, count: int, dim: int) -> DenseStore:
    """Open the store saved in ``directory``. Raises IndexCorruptError when it does not match."""
    return _backend(config).load(directory, config, count=count, dim=dim)
