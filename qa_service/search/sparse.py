"""The sparse (BM25) store protocol, and BM25 term weights computed on our side.

``BM25Index`` (bm25s, embedded) is the default implementation; the Qdrant store implements it
too, with the engine computing idf (``Modifier.IDF``) over term weights we pre-compute here.
"""
from __future__ import annotations

from collections import Counter
from typing import Protocol, Sequence

import numpy as np

K1 = 1.2  # bm25s defaults, the ones the service's BM25 index is built with
B = 0.75


class SparseStore(Protocol):
    count: int

    def search(self, tokens: list[str], k: int, *, allowed: np.ndarray | None = None, where=None,
               score_rows: Sequence[int] = ()) -> tuple[list[int], dict[int, float]]:
        """The ``k`` best rows with a positive score, best first (ties by row), and the scores of
        those rows and of ``score_rows`` (rows not matching get no entry or 0)."""

    def vocabulary(self) -> list[str]: ...

    def document_frequency(self, token: str) -> int: ...


def saturated_tf(tokens: Sequence[str], *, avgdl: float, k1: float = K1, b: float = B) -> dict[str, float]:
    """BM25's term-frequency part per token (bm25s "lucene": tf / (tf + k1·(1 − b + b·dl/avgdl)));
    multiplied by the engine's idf it gives bm25s's score exactly."""
    counts = Counter(tokens)
    norm = k1 * (1 - b + b * len(tokens) / avgdl) if avgdl > 0 else k1
    return {t: tf / (tf + norm) for t, tf in counts.items()}


def query_weights(tokens: Sequence[str]) -> dict[str, float]:
    """Query-side weights: a token repeated in the question counts as often (as bm25s does)."""
    return {t: float(n) for t, n in Counter(tokens).items()}
