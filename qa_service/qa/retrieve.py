"""First-stage retrieval: BM25 and dense candidates, fused by weighted reciprocal rank fusion.

Filters (year, document) are applied inside each retriever, so a filter that matches nothing
returns nothing: as row ids for the embedded stores, as a ``PassageFilter`` for a store that
evaluates it itself (Qdrant's payload filter). Re-ranking happens afterwards (``rerank``), on
these candidates.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Mapping, Protocol, Sequence

import numpy as np

from ..search.context import PassageFilter, filter_years
from ..types import Document, Hit, Passage
from .analysis import QueryAnalysis
from .fusion import rrf
from .params import CANDIDATES, RANK_WEIGHTS, RankWeights

_NO_IDS = np.empty(0, dtype=np.int64)


class QueryEmbedder(Protocol):
    def encode_queries(self, texts: list[str]) -> np.ndarray: ...


class Retriever:
    """Ranks passages for an analysed question by BM25, dense similarity or both fused."""

    MODES = ("bm25", "dense", "hybrid")

    def __init__(self, passages: Sequence[Passage], dense, bm25, embedder: QueryEmbedder,
                 documents: Mapping[str, Document], *, weights: RankWeights = RANK_WEIGHTS):
        self.passages = passages
        self.dense = dense
        self.bm25 = bm25
        self.embedder = embedder
        self.weights = weights
        self._doc_ids = np.array([p.doc_id for p in passages])
        self._documents = documents
        # Stores that evaluate filters themselves (the same years are in their payload) never
        # need row ids; for the others each passage's years are found once, up front: the year
        # filter would otherwise scan every passage per question.
        self._pushed_down = bool(getattr(dense, "pushes_down_filters", False)
                                 and getattr(bm25, "pushes_down_filters", False))
        self._by_year: dict[int, np.ndarray] | None = None if self._pushed_down else self._year_rows()

    def _year_rows(self) -> dict[int, np.ndarray]:
        """Row ids per year a year filter matches (``search.context.filter_years``)."""
        by_year: dict[int, list[int]] = defaultdict(list)
        for i, p in enumerate(self.passages):
            for y in filter_years(p, self._documents[p.doc_id]):
                by_year[y].append(i)
        return {y: np.asarray(ids, dtype=np.int64) for y, ids in by_year.items()}

    def allowed(self, *, year: int | None, doc_id: str | None) -> np.ndarray | None:
        """Indices passing the filters (None = no filter); empty when nothing matches."""
        if year is None and doc_id is None:
            return None
        keep = np.ones(len(self.passages), dtype=bool)
        if doc_id is not None:
            keep &= self._doc_ids == doc_id
        if year is not None:
            if self._by_year is None:  # only asked of a retriever whose stores filter themselves
                self._by_year = self._year_rows()
            in_year = np.zeros(len(self.passages), dtype=bool)
            in_year[self._by_year.get(year, _NO_IDS)] = True
            keep &= in_year
        return np.flatnonzero(keep)

    def bm25_ranking(self, analysis: QueryAnalysis, allowed: np.ndarray | None, n: int, *,
                     where: PassageFilter | None = None, score_rows=()) -> tuple[list[int], dict[int, float]]:
        """The BM25 ranking and the BM25 scores of its rows and of ``score_rows``."""
        return self.bm25.search(analysis.search_tokens, n, allowed=allowed, where=where, score_rows=score_rows)

    def query_vector(self, analysis: QueryAnalysis) -> np.ndarray:
        """The question's vector (the encoder caches it: asking again costs nothing)."""
        return self.embedder.encode_queries([analysis.dense_text])[0]

    def dense_ranking(self, analysis: QueryAnalysis, allowed: np.ndarray | None, n: int, *,
                      where: PassageFilter | None = None) -> tuple[list[int], dict[int, float]]:
        sims, ids = self.dense.search(self.query_vector(analysis)[None, :], n, allowed=allowed, where=where)
        ranking = [int(i) for i in ids[0] if i >= 0]
        return ranking, {int(i): float(s) for s, i in zip(sims[0], ids[0]) if i >= 0}

    def candidates(self, analysis: QueryAnalysis, *, mode: str = "hybrid", year: int | None = None,
                   doc_id: str | None = None) -> list[Hit]:
        """Every fused candidate, best first; ``score`` is the fused score, ``scores`` holds
        ``fused`` and each retriever's own score."""
        if mode not in self.MODES:
            raise ValueError(f"unknown retrieval mode {mode!r}")
        where = PassageFilter(year=year, doc_id=doc_id)
        where = None if where.empty else where
        allowed = None if self._pushed_down else self.allowed(year=year, doc_id=doc_id)
        if allowed is not None and len(allowed) == 0:
            return []
        n = min(CANDIDATES, len(self.passages))
        dense_ranking, dense_scores, bm25_ranking, bm25_scores = [], {}, [], None
        if mode in ("dense", "hybrid"):
            dense_ranking, dense_scores = self.dense_ranking(analysis, allowed, n, where=where)
        if mode in ("bm25", "hybrid"):  # the BM25 score of every candidate, dense-only ones included
            bm25_ranking, bm25_scores = self.bm25_ranking(analysis, allowed, n, where=where,
                                                          score_rows=dense_ranking)
        rankings, weights = [], []
        if mode in ("bm25", "hybrid"):
            rankings.append(bm25_ranking)
            weights.append(self.weights.bm25)
        if mode in ("dense", "hybrid"):
            rankings.append(dense_ranking)
            weights.append(self.weights.dense)
        fused = rrf(rankings, weights=weights)
        scored = []
        for idx, fused_score in fused.items():
            scores = {"fused": fused_score}
            if bm25_scores is not None:
                scores["bm25"] = bm25_scores.get(idx, 0.0)
            if idx in dense_scores:
                scores["dense"] = dense_scores[idx]
            scored.append((fused_score, idx, scores))
        scored.sort(key=lambda t: (-t[0], t[1]))
        return [Hit(self.passages[idx], rank, score, scores)
                for rank, (score, idx, scores) in enumerate(scored, start=1)]
