"""The dense vector store protocol and the factory that picks a backend by settings.

Retrieval and the index store only use this protocol (build / add / search / save / load /
count, as in txtai's ``ann/base.py``); each backend lives in its own module and registers here,
so a distributed engine plugs in without touching the index store or retrieval.
Vectors are L2-normalised: inner product equals cosine similarity.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from ...errors import ConfigError


@dataclass(frozen=True)
class DenseConfig:
    """Which backend holds the vectors, and its options (plain values taken from Settings)."""

    backend: str = "faiss"
    faiss_index: str = "flat"  # flat | hnsw | ivf


class DenseStore(Protocol):
    backend: str
    dim: int

    @property
    def count(self) -> int: ...

    def add(self, vectors: np.ndarray) -> None:
        """Append vectors; their ids continue from ``count``."""

    def search(self, queries: np.ndarray, k: int, *, allowed: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) per query row; ``allowed`` restricts the ids (empty → nothing)."""

    def save(self, directory: Path) -> None:
        """Write the store's files into ``directory``."""


class DenseBackend(Protocol):
    """A backend class: builds a store over vectors, or loads a saved one."""

    def build(self, vectors: np.ndarray, config: DenseConfig) -> DenseStore: ...

    def load(self, directory: Path, config: DenseConfig, *, count: int, dim: int) -> DenseStore: ...


def _backends() -> dict[str, DenseBackend]:
    from .faiss_store import FaissStore

    return {"faiss": FaissStore}


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
