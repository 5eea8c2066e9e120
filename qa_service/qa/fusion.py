"""Rank fusion and partial top-n selection."""
from __future__ import annotations

import numpy as np

from .params import RRF_K

_NO_IDS = np.empty(0, dtype=np.int64)


def rrf(rankings: list[list[int]], *, k: int = RRF_K, weights: list[float] | None = None) -> dict[int, float]:
    """Weighted reciprocal rank fusion (Cormack et al. 2009): score = Σ w / (k + rank), rank from 1."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[int, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, idx in enumerate(ranking, start=1):
            fused[idx] = fused.get(idx, 0.0) + weight / (k + rank)
    return fused


def top_n(scores: np.ndarray, n: int) -> np.ndarray:
    """``np.argsort(-scores, kind="stable")[:n]`` (same ids, same order, ties by index) without
    sorting every passage: a partition finds the n-th best score, only the n best are sorted."""
    if n >= len(scores):
        return np.argsort(-scores, kind="stable")[:n]
    if n <= 0:
        return _NO_IDS
    kth = np.partition(scores, len(scores) - n)[len(scores) - n]
    above = np.flatnonzero(scores > kth)
    tied = np.flatnonzero(scores == kth)[: n - len(above)]
    idx = np.concatenate([above, tied])
    return idx[np.lexsort((idx, -scores[idx]))]
