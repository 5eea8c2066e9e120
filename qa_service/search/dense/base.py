"""The dense vector store protocol (build / add / search / save / load / count, as in txtai's
``ann/base.py``) and the plain settings a backend is built from.

Retrieval and the index store only use this protocol; each backend lives in its own module and
``factory`` picks one by settings, so a distributed engine plugs in without touching the index
store or retrieval. Vectors are L2-normalised: inner product equals cosine similarity.
"""
from __future__ import annotations

from pathlib import Path
from typing import Protocol

import numpy as np

from ..store_config import DenseConfig  # noqa: F401 (the settings every backend is built from)



class DenseStore(Protocol):
    backend: str
    dim: int
    pushes_down_filters: bool  # evaluates ``where`` itself; otherwise it needs ``allowed`` ids

    @property
    def count(self) -> int: ...

    def add(self, vectors: np.ndarray) -> None:
        """Append vectors; their ids continue from ``count``."""

    def search(self, queries: np.ndarray, k: int, *, allowed: np.ndarray | None = None, where=None
               ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` (scores, ids) per query row; ``allowed`` restricts the ids (empty → nothing);
        ``where`` (a ``PassageFilter``) is the same restriction for a backend that
        ``pushes_down_filters`` (then ``allowed`` is None)."""

    def save(self, directory: Path) -> None:
        """Write the store's files into ``directory``."""


class DenseBackend(Protocol):
    """A backend class: builds a store over vectors, or loads a saved one."""

    def build(self, vectors: np.ndarray, config: DenseConfig) -> DenseStore: ...

    def load(self, directory: Path, config: DenseConfig, *, count: int, dim: int) -> DenseStore: ...
